package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// funcAddr is the run-time address of a function of the executable.
func funcAddr(t *testing.T, r *run, name string) (*fn, uint64) {
	t.Helper()
	fs := functions(t, r.prog, func(n string) bool { return n == name })
	if len(fs) != 1 {
		t.Fatalf("%d functions named %s", len(fs), name)
	}
	return fs[0], fs[0].addr + bias(t, r.s, r.prog)
}

// TestManyThreadsOneBreakpoint: 64 threads released by a barrier call one
// function with a Trace breakpoint on its entry at the same time. Every
// call must count, and each thread must go past in its own slot: one area
// near the program (64 slots of 32 bytes fit in its 64 KiB), one slot write
// per thread at most (the slot keeps the instruction), nothing
// single-stepped: every pass is one trap and one resume of that thread.
func TestManyThreadsOneBreakpoint(t *testing.T) {
	prog := build(t, []string{"-O2", "-pthread"}, nil, "many.c")
	want := testharness.NativeOK(t, prog)
	r := launch(t, prog)
	_, addr := funcAddr(t, r, "work")
	id := trace(t, r.s, addr)
	start := time.Now()
	r.start()
	r.wait(60 * time.Second)
	if got := r.stdout.String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	const want64 = 64 * 150
	if h := hits(t, r.s, id); h != want64 {
		t.Errorf("%d hits, want %d", h, want64)
	}
	st := r.s.XOLStats()
	mem := r.s.SlotMemory()
	t.Logf("%d hits in %v; slot memory %d bytes; %+v", uint64(want64), time.Since(start).Round(time.Millisecond), mem, st)
	// The session keeps an internal breakpoint on the dynamic linker's
	// _dl_debug_state, passed out of line in an area near ld.so: that is
	// the second area, and its few passes may write one more slot.
	other := st.Boosted + st.Emulated + st.Stepped - want64
	if st.AreasMapped > 2 || mem > 2*64<<10 {
		t.Errorf("%d areas, %d bytes of slots for 64 threads: want one 64 KiB area for the program (and one for ld.so)", st.AreasMapped, mem)
	}
	if st.SlotWrites > 64+other {
		t.Errorf("%d slot writes for 64 threads and one breakpoint (%d passes elsewhere)", st.SlotWrites, other)
	}
	if st.Stepped != 0 {
		t.Errorf("%d single steps: the threads did not all pass out of line", st.Stepped)
	}
}

// TestFork: a breakpoint on work(), which a fork child also calls, and on
// every instruction of raw_fork (fork by a syscall instruction that runs
// out of line, so the child starts at the parent's slot). Each child must
// see no int3 in its text (it prints the bytes), run outside any slot, and
// exit 0; work() counts the parent's 30 calls only, raw_fork's
// instructions the parent's one pass each.
func TestFork(t *testing.T) {
	prog := build(t, []string{"-O2"}, nil, "fork.c", "rawfork.S")
	want := testharness.NativeOK(t, prog)
	if !strings.Contains(want, "raw_fork child exited 0") {
		t.Fatalf("native run:\n%s", want)
	}
	r := launch(t, prog)
	_, addr := funcAddr(t, r, "work")
	work := trace(t, r.s, addr)
	rf, rfAddr := funcAddr(t, r, "raw_fork")
	var ids []int
	for _, in := range rf.insns {
		ids = append(ids, trace(t, r.s, in.Addr-rf.addr+rfAddr))
	}
	r.start()
	r.wait(30 * time.Second)
	if got := r.stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if h := hits(t, r.s, work); h != 30 {
		t.Errorf("work: %d hits, want the parent's 30", h)
	}
	for i, id := range ids {
		if h := hits(t, r.s, id); h != 1 {
			t.Errorf("raw_fork %s: %d hits, want 1", rf.insns[i].Text, h)
		}
	}
	t.Logf("%+v", r.s.XOLStats())
}

// TestVforkExec: the vfork child runs in the parent's memory, int3s and
// all, calls work() once, and execs a fresh image that calls it 5 more
// times. The child must run correctly and work() must count only the
// parent's 20 calls.
func TestVforkExec(t *testing.T) {
	prog := build(t, []string{"-O2"}, nil, "vfork.c")
	want := testharness.NativeOK(t, prog)
	r := launch(t, prog)
	_, addr := funcAddr(t, r, "work")
	work := trace(t, r.s, addr)
	r.start()
	r.wait(30 * time.Second)
	if got := r.stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if h := hits(t, r.s, work); h != 20 {
		t.Errorf("work: %d hits, want the parent's 20", h)
	}
}
