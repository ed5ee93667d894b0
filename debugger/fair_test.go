package debugger

import (
	"strconv"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestAllStopFair: N threads call one function in a loop, with a
// breakpoint on it, in all-stop mode (eight threads through a mutex, and
// two or four in a tight loop, the shape of GDB's
// signal-while-stepping-over-bp-other-thread). Every thread must be
// reported within the first 4N stops, three runs each. The spread is
// logged: one thread often takes most stops (the kernel's scheduling
// decides which thread gets to the int3 first after a continue), but none
// is starved; in 66 runs on a loaded 2-core machine none failed.
func TestAllStopFair(t *testing.T) {
	t.Run("hot", func(t *testing.T) { allStopFair(t, "hot.c", "work", 8) })
	t.Run("tight2", func(t *testing.T) { allStopFair(t, "tight.c", "touch", 2) })
	t.Run("tight4", func(t *testing.T) { allStopFair(t, "tight.c", "touch", 4) })
}

func allStopFair(t *testing.T, src, fn string, threads int) {
	prog := buildC(t, src, "-O0")
	args := []string{strconv.Itoa(threads)}
	want := testharness.NativeOK(t, prog, args...)
	for run := 0; run < 3; run++ {
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
		for stops := 0; stops < 4*threads; stops++ {
			ev := waitStop(t, s, nil)
			if ev.Reason != ReasonBreakpoint {
				t.Fatalf("stop %+v", ev)
			}
			seen[ev.Tid]++
			order = append(order, ev.Tid)
			if err := s.ContinueAll(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("run %d: stops by thread %v", run, seen)
		if len(seen) != threads {
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
