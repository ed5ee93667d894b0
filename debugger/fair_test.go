package debugger

import (
	"strconv"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestAllStopFair: N threads call one function in a tight loop with a
// breakpoint on it, in all-stop mode (two, four and eight threads; the
// shape of GDB's signal-while-stepping-over-bp-other-thread). Once every
// thread exists, each must be reported within the next 4N stops, three
// runs each (one under the race detector): when several threads hit at
// once, the one reported is picked at random, and the others' hits stay
// pending for the next continues.
// The spread is logged: one thread often takes most stops (the kernel's
// scheduling decides which thread gets to the int3 first after a
// continue), but none is starved.
//
// The stops before the last thread exists do not count: main creates the
// threads one by one, stopped with the others at every stop, and on a
// loaded machine the first worker can take dozens of stops before the last
// worker is born (gdb's all-stop does the same). They are logged.
//
// hot.c's eight threads go through a mutex: there the spread is the
// mutex's, not ours (a thread woken from the futex reaches the breakpoint
// long after the thread that unlocked has hit it again, so its hit is not
// there to pick), and it is logged only; every stop must still be the
// breakpoint's and the output the native one.
func TestAllStopFair(t *testing.T) {
	t.Run("hot", func(t *testing.T) { allStopFair(t, "hot.c", "work", 8, false) })
	t.Run("tight2", func(t *testing.T) { allStopFair(t, "tight.c", "touch", 2, true) })
	t.Run("tight4", func(t *testing.T) { allStopFair(t, "tight.c", "touch", 4, true) })
	t.Run("tight8", func(t *testing.T) { allStopFair(t, "tight.c", "touch", 8, true) })
}

func allStopFair(t *testing.T, src, fn string, threads int, spreadIsOurs bool) {
	prog := buildC(t, src, "-O0")
	args := []string{strconv.Itoa(threads)}
	want := testharness.NativeOK(t, prog, args...)
	runs := 3
	if raceEnabled {
		runs = 1 // the race build looks for data races, the plain one for fairness
	}
	for run := 0; run < runs; run++ {
		var out syncBuffer
		s, err := Launch(LaunchConfig{Config: Config{StopMode: StopAll}, Program: prog, Args: args, Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		bp, err := s.SetBreakpoint(breakpoints.Spec{Location: fn})
		if err != nil || !bp.Verified {
			t.Fatalf("%v %+v", err, bp)
		}
		if err := s.ContinueAll(); err != nil {
			t.Fatal(err)
		}
		seen := map[int]int{}
		var order []int
		before := 0 // stops before the last thread exists
		for len(order) < 4*threads {
			ev := waitStop(t, s, nil)
			if ev.Reason != ReasonBreakpoint {
				t.Fatalf("stop %+v", ev)
			}
			if ts, _ := s.Threads(); len(ts) >= threads+1 {
				seen[ev.Tid]++
				order = append(order, ev.Tid)
			} else if before++; before > 1000 {
				t.Fatalf("run %d: %d stops and still %d threads of %d", run, before, len(ts), threads+1)
			}
			if err := s.ContinueAll(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("run %d: %d stops before every thread existed; then stops by thread %v", run, before, seen)
		if spreadIsOurs && len(seen) != threads {
			t.Errorf("run %d: %d of %d threads reported in %d stops: %v (order %v)", run, len(seen), threads, 4*threads, seen, order)
		}
		if err := s.ClearBreakpoint(bp.ID); err != nil {
			t.Fatal(err)
		}
		// The last stop may have been reported already or be pending.
		s.ContinueAll()
		drain(t, s, func(ev Event) { s.ContinueAll() })
		s.Wait()
		s.Close()
		if out.String() != want {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	}
}
