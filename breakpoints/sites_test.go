package breakpoints

import (
	"errors"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/target"
)

func readByte(t *testing.T, c *target.Ctl, addr uint64) byte {
	t.Helper()
	var b [1]byte
	if _, err := c.Process().ReadMemory(addr, b[:]); err != nil {
		t.Fatal(err)
	}
	return b[0]
}

// TestSitesInRealProcess: two breakpoints at one address share one int3;
// the program hits it; the instruction under it is analysed from the
// original bytes; taking both breakpoints out restores the code, and the
// program, rewound onto the instruction, ends with its native output.
func TestSitesInRealProcess(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-no-pie"}, "testdata/work.c")
	want := testharness.NativeOK(t, prog)
	addr := testharness.Symbol(t, prog, "work")
	var out testprog.Output
	p, err := target.Launch(target.LaunchOptions{Path: prog, Stdout: &out}, target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	state := func() string { return testharness.Tasks(p.Pid()) }

	sites := NewSites()
	a, _ := New(1, Spec{Location: "work"})
	b, _ := New(2, Spec{Location: "work", Cond: "i == 3"})
	var orig byte
	err = p.Do(func(c *target.Ctl) error {
		orig = readByte(t, c, addr)
		for _, bp := range []*Breakpoint{a, b} {
			if err := sites.Place(c, bp, []Location{{Addr: addr, Function: "work"}}); err != nil {
				return err
			}
		}
		if sites.Len() != 1 || len(sites.At(addr).Users()) != 2 {
			t.Errorf("two breakpoints at one address: %d sites, %d users", sites.Len(), len(sites.At(addr).Users()))
		}
		if got := readByte(t, c, addr); got != int3 {
			t.Errorf("code at %#x is %#x, want int3", addr, got)
		}
		buf := []byte{0}
		sites.Original(addr, buf)
		if buf[0] != orig || sites.At(addr).Orig() != orig {
			t.Errorf("original byte %#x, site keeps %#x, want %#x", buf[0], sites.At(addr).Orig(), orig)
		}
		// Unreadable memory cannot take a breakpoint: an error, and the
		// breakpoint says why it is not verified.
		bad, _ := New(3, Spec{Location: "*0x10"})
		if err := sites.Place(c, bad, []Location{{Addr: 0x10}}); !errors.Is(err, ErrNotCode) {
			t.Errorf("placing at 0x10: %v, want ErrNotCode", err)
		}
		if info := bad.Snapshot(); info.Verified || info.Message == "" {
			t.Errorf("breakpoint at 0x10: %+v", info)
		}
		return c.ContAll()
	})
	if err != nil {
		t.Fatal(err)
	}

	var ev target.Event
	for ev.Kind != target.EventTrap {
		ev = testharness.Receive(t, p.Events(), "the trap at work", state)
		if ev.Kind == target.EventExit {
			t.Fatal("the program ended without hitting the breakpoint")
		}
	}
	err = p.Do(func(c *target.Ctl) error {
		regs, err := c.Regs(ev.Tid)
		if err != nil {
			return err
		}
		if regs.Rip != addr+1 {
			t.Errorf("trap at %#x, want one past the int3 at %#x", regs.Rip, addr)
		}
		st := sites.At(addr)
		in, err := sites.Insn(c, st)
		if err != nil {
			return err
		}
		if in.Bytes[0] != orig {
			t.Errorf("analysed instruction starts with %#x, want the original %#x", in.Bytes[0], orig)
		}
		sites.Unplace(c, a)
		if sites.At(addr) == nil || readByte(t, c, addr) != int3 {
			t.Error("the int3 went while breakpoint 2 still uses it")
		}
		sites.Unplace(c, b)
		if sites.At(addr) != nil || !sites.WasRemoved(addr) {
			t.Error("the site is still there with no users")
		}
		if got := readByte(t, c, addr); got != orig {
			t.Errorf("code after removal %#x, want %#x", got, orig)
		}
		regs.Rip = addr
		if err := c.SetRegs(ev.Tid, regs); err != nil {
			return err
		}
		return c.Cont(ev.Tid)
	})
	if err != nil {
		t.Fatal(err)
	}
	for ev.Kind != target.EventExit {
		ev = testharness.Receive(t, p.Events(), "the end of the program", state)
		if ev.Kind.IsStop() {
			t.Fatalf("unexpected stop %v", ev)
		}
	}
	p.Wait()
	if out.String() != want {
		t.Errorf("output %q, want the native %q", out.String(), want)
	}
}
