package e2e

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestInsertRemove inserts and removes a Trace breakpoint on work()'s entry
// 1,000 times while 8 threads call work() at full speed. The program must
// neither crash nor see a SIGTRAP (a thread that trapped on an int3 just
// taken out is rewound), its own check of every call must hold, and each
// insertion must count what it should. The bounds, per cycle, from the
// program's per-thread call counters (incremented right after work's
// entry) read at four moments:
//
//	R0  before SetBreakpoint is called
//	R1  after SetBreakpoint returned (the int3 is in the code)
//	R2  some time later, then H = the breakpoint's hits, then
//	R3  and only then ClearBreakpoint is called.
//
// Lower: a call whose increment is seen in R2 but not in R1 entered work
// before R2 was read. If it entered after the int3 was written, it
// trapped, and its thread could only reach the increment after the hit
// was counted: it is in H. Only a call already past the entry when the
// int3 went in escapes, at most one per thread: H >= R2-R1-8.
// Upper: a counted hit trapped after the int3 went in (after R0), and its
// increment follows unless its thread is still between the entry and the
// increment when R3 is read, at most one per thread: H <= R3-R0+8. (The
// upper bound is loose: the threads run free while SetBreakpoint travels to
// the ptrace thread. The exact counts of TestEveryInstruction are the
// check against double counting.)
func TestInsertRemove(t *testing.T) {
	prog := build(t, []string{"-O2", "-pthread"}, nil, "toggle.c")
	want := testharness.NativeOK(t, prog, "200000")
	r := launch(t, prog, "1000000000000")
	_, entry := funcAddr(t, r, "work")
	counters := dataAddr(t, r, "counters")
	stop := dataAddr(t, r, "stop")
	const threads = 8
	read := func() uint64 {
		var buf [threads * 64]byte
		if _, err := r.s.Process().ReadMemory(counters, buf[:]); err != nil {
			t.Fatal(err)
		}
		var n uint64
		for i := 0; i < threads; i++ {
			n += binary.LittleEndian.Uint64(buf[i*64:])
		}
		return n
	}
	r.start()
	time.Sleep(20 * time.Millisecond) // let the threads get going
	var sumH, sumLo, sumHi uint64
	start := time.Now()
	for i := 0; i < 1000 && !t.Failed(); i++ {
		r0 := read()
		id := trace(t, r.s, entry)
		r1 := read()
		time.Sleep(200 * time.Microsecond)
		r2 := read()
		h := hits(t, r.s, id)
		r3 := read()
		if err := r.s.ClearBreakpoint(id); err != nil {
			t.Fatal(err)
		}
		if h+threads < r2-r1 || h > r3-r0+threads {
			t.Errorf("cycle %d: %d hits; calls: %d while surely set, %d while perhaps set", i, h, r2-r1, r3-r0)
		}
		sumH += h
		sumLo += r2 - r1
		sumHi += r3 - r0
	}
	elapsed := time.Since(start)
	if err := r.s.WriteMemory(stop, []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	r.wait(30 * time.Second)
	if got := r.stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	t.Logf("1000 insert/remove cycles in %v: %d hits; %d calls while surely set, %d while perhaps set; %s; %+v",
		elapsed.Round(time.Millisecond), sumH, sumLo, sumHi, r.stderr.String(), r.s.XOLStats())
}

// dataAddr is the run-time address of a data symbol of the executable.
func dataAddr(t *testing.T, r *run, name string) uint64 {
	t.Helper()
	return testharness.Symbol(t, r.prog, name) + bias(t, r.s, r.prog)
}
