package debugger

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/procmaps"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestMillionBreakpointsLeaveTextIntact: a breakpoint on each of the
// million instructions of a function, placed in batches, is in memory as
// an int3; taking them out again (a thousand one at a time, the rest in
// one call) leaves the program's text byte for byte as it was, and the
// program, run through the function twice, prints what it prints
// natively.
func TestMillionBreakpointsLeaveTextIntact(t *testing.T) {
	n := 1_000_000
	if raceEnabled {
		n = 100_000 // the race detector makes the engine ten times slower
	}
	prog := testprog.BuildC(t, []string{"-O0", "-no-pie"}, "testdata/sled.c")
	native := testharness.NativeOK(t, prog)
	sled := testharness.Symbol(t, prog, "sled")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	before := rawText(t, s.Pid(), prog)

	const chunk = 100_000
	var ids []int
	for first := 0; first < n; first += chunk {
		specs := make([]breakpoints.Spec, min(chunk, n-first))
		for i := range specs {
			specs[i] = breakpoints.Spec{Location: "*0x" + strconv.FormatUint(sled+uint64(first+i), 16), Trace: true}
		}
		infos, err := s.SetBreakpoints(specs)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range infos {
			if !in.Verified {
				t.Fatalf("%s: %s", in.Spec.Location, in.Message)
			}
			ids = append(ids, in.ID)
		}
	}
	placed := rawText(t, s.Pid(), prog)
	for i := range placed.bytes {
		a := placed.start + uint64(i)
		in := a >= sled && a < sled+uint64(n)
		if in && placed.bytes[i] != 0xcc || !in && placed.bytes[i] != before.bytes[i] {
			t.Fatalf("with the breakpoints in, the byte at %#x is %#x (before: %#x)", a, placed.bytes[i], before.bytes[i])
		}
	}

	for _, id := range ids[:1000] {
		if err := s.ClearBreakpoint(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ClearBreakpoints(ids[1000:]); err != nil {
		t.Fatal(err)
	}
	if bps := s.Breakpoints(); len(bps) != 0 {
		t.Errorf("%d breakpoints left after deleting them all", len(bps))
	}
	after := rawText(t, s.Pid(), prog)
	if !bytes.Equal(after.bytes, before.bytes) {
		for i := range after.bytes {
			if after.bytes[i] != before.bytes[i] {
				t.Fatalf("the text differs at %#x: %#x, was %#x", after.start+uint64(i), after.bytes[i], before.bytes[i])
			}
		}
	}

	s.ContinueAll()
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	if st := s.Wait(); st.Code != 0 || out.String() != native {
		t.Errorf("ended %+v with %q, want %q", st, out.String(), native)
	}
}

// text is the program's executable mapping as read from memory.
type text struct {
	start uint64
	bytes []byte
}

// rawText reads the executable mapping of path in process pid through
// /proc/PID/mem: as the program has it, our int3s included.
func rawText(t *testing.T, pid int, path string) text {
	t.Helper()
	ms, err := procmaps.Read(pid)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	for _, m := range ms {
		if m.Path == path && m.Executable() {
			buf := make([]byte, m.End-m.Start)
			if _, err := mem.ReadAt(buf, int64(m.Start)); err != nil {
				t.Fatal(err)
			}
			return text{m.Start, buf}
		}
	}
	t.Fatalf("no executable mapping of %s", path)
	return text{}
}
