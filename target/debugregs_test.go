package target

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// The offset of u_debugreg in struct user is what <sys/user.h> says.
func TestDebugRegOffset(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "off.c")
	os.WriteFile(src, []byte("#include <stddef.h>\n#include <stdio.h>\n#include <sys/user.h>\n"+
		"int main(void){printf(\"%zu\", offsetof(struct user, u_debugreg));return 0;}\n"), 0o644)
	bin := filepath.Join(dir, "off")
	if out, err := exec.Command("gcc", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(string(out)); n != debugRegOffset {
		t.Fatalf("offsetof(struct user, u_debugreg) = %s, want %d", out, debugRegOffset)
	}
}

// A watch set before any thread exists traps the thread that writes (so
// clone passed it on); one set while every thread runs traps the writer
// each time, after the write; cleared, nothing traps, and the program
// ends as natively.
func TestWatchpoints(t *testing.T) {
	prog := buildC(t, "watch.c", "-O0")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	early := testharness.Symbol(t, prog, "early")
	late := testharness.Symbol(t, prog, "late")
	tids := testharness.Symbol(t, prog, "tids")
	readLong := func(addr uint64) uint64 { return readU64s(t, p, addr, 1)[0] }
	watchTrap := func() (Event, int) {
		t.Helper()
		for {
			ev := nextEvent(t, p)
			if ev.Kind == EventExit {
				t.Fatalf("exited before the watch trapped (%v)", out.String())
			}
			if !ev.Kind.IsStop() {
				continue
			}
			slot, ok := -1, false
			if ev.Kind == EventTrap {
				if err := p.Do(func(c *Ctl) (err error) { slot, ok, err = c.WatchHit(ev.Tid); return }); err != nil {
					t.Fatal(err)
				}
			}
			if ok {
				return ev, slot
			}
			p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
		}
	}
	if err := p.Do(func(c *Ctl) error {
		if err := c.SetWatch(0, Watch{Addr: early, Len: 8, Kind: WatchWrite}); err != nil {
			return err
		}
		return c.ContAll()
	}); err != nil {
		t.Fatal(err)
	}
	ev, slot := watchTrap()
	tid1 := int(binary.LittleEndian.Uint32(readBytes(t, p, tids+4, 4)))
	if slot != 0 || ev.Tid != tid1 || readLong(early) != 42 {
		t.Fatalf("trap of thread %d slot %d, early=%d; want thread 1 (%d), slot 0, 42", ev.Tid, slot, readLong(early), tid1)
	}
	p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
	for deadline := time.Now().Add(10 * time.Second); readU32(t, p, testharness.Symbol(t, prog, "ready")) != 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("threads did not get ready")
		}
	}
	// Every thread is running (sleeping in its poll loop): set the watch.
	if err := p.Do(func(c *Ctl) error {
		c.SetWatch(0, Watch{})
		return c.SetWatch(1, Watch{Addr: late, Len: 8, Kind: WatchWrite})
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the interrupts that load it
	if err := p.WriteMemory(testharness.Symbol(t, prog, "go"), []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	tid2 := int(readU32(t, p, tids+8))
	for k := uint64(1); k <= 3; k++ {
		ev, slot := watchTrap()
		if slot != 1 || ev.Tid != tid2 || readLong(late) != k {
			t.Fatalf("trap of thread %d slot %d, late=%d; want thread 2 (%d), slot 1, %d", ev.Tid, slot, readLong(late), tid2, k)
		}
		if k == 3 {
			if err := p.Do(func(c *Ctl) error { return c.SetWatch(1, Watch{}) }); err != nil {
				t.Fatal(err)
			}
		}
		p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
	}
	evs := runToExit(t, p)
	if n := count(evs, EventTrap); n != 0 {
		t.Errorf("%d traps after the watch was cleared: %v", n, evs)
	}
	if st := p.Wait(); st.Code != 0 || !strings.Contains(out.String(), "early 42 late 3") {
		t.Errorf("exit %v, output %q", st, out.String())
	}
}

// Bad settings are refused with a reason.
func TestWatchErrors(t *testing.T) {
	prog := buildC(t, "watch.c", "-O0")
	p := startTraced(t, LaunchOptions{Path: prog})
	for _, c := range []struct {
		slot int
		w    Watch
		want string
	}{
		{4, Watch{Addr: 0x1000, Len: 8, Kind: WatchWrite}, "only 4"},
		{0, Watch{Addr: 0x1004, Len: 8, Kind: WatchWrite}, "not aligned"},
		{0, Watch{Addr: 0x1000, Len: 3, Kind: WatchWrite}, "length 3"},
		{0, Watch{Addr: 0x1000, Len: 4, Kind: 2}, "unknown kind"},
	} {
		err := p.Do(func(ctl *Ctl) error { return ctl.SetWatch(c.slot, c.w) })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetWatch(%d, %+v) = %v, want %q", c.slot, c.w, err, c.want)
		}
	}
	p.Kill()
}

func readBytes(t *testing.T, p *Process, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := p.ReadMemory(addr, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func readU32(t *testing.T, p *Process, addr uint64) uint32 {
	return binary.LittleEndian.Uint32(readBytes(t, p, addr, 4))
}

// A detach takes the watches out of every thread: the writes that follow
// would otherwise trap with no debugger there, and SIGTRAP kills.
func TestDetachClearsWatchpoints(t *testing.T) {
	prog := buildC(t, "watch.c", "-O0")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	late := testharness.Symbol(t, prog, "late")
	if err := p.Do(func(c *Ctl) error {
		if err := c.SetWatch(2, Watch{Addr: late, Len: 8, Kind: WatchReadWrite}); err != nil {
			return err
		}
		return c.ContAll()
	}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); readU32(t, p, testharness.Symbol(t, prog, "ready")) != 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("threads did not get ready")
		}
	}
	if err := p.Detach(); err != nil {
		t.Fatal(err)
	}
	mem, err := os.OpenFile("/proc/"+strconv.Itoa(p.Pid())+"/mem", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("cannot write the detached program's memory: %v", err)
	}
	defer mem.Close()
	if _, err := mem.WriteAt([]byte{1, 0, 0, 0}, int64(testharness.Symbol(t, prog, "go"))); err != nil {
		t.Fatal(err)
	}
	if st := p.Wait(); st.Code != 0 || st.Signal != 0 {
		t.Errorf("after the detach the program ended with %v, want exit 0", st)
	}
}
