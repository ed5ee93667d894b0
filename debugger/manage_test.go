package debugger

import (
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestTemporaryAndDisabled: a temporary breakpoint stops once and is gone;
// a disabled one neither stops nor counts, and counts again once enabled.
func TestTemporaryAndDisabled(t *testing.T) {
	prog := buildC(t, "count.c", "-O0")
	s := launch(t, LaunchConfig{Program: prog, Stdout: &syncBuffer{}})
	tmp := mustBreak(t, s, breakpoints.Spec{Location: "f", Temporary: true})
	counter, err := s.SetBreakpoint(breakpoints.Spec{Location: "f", Trace: true, Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	ev := waitStop(t, s, nil)
	if len(ev.BreakpointIDs) != 1 || ev.BreakpointIDs[0] != tmp.ID {
		t.Fatalf("stop %+v, want the temporary breakpoint", ev)
	}
	if _, ok := s.Breakpoint(tmp.ID); ok {
		t.Error("temporary breakpoint still there after its stop")
	}
	if info, _ := s.Breakpoint(counter.ID); info.Hits != 0 {
		t.Errorf("disabled breakpoint counted %d hits", info.Hits)
	}
	// Enable the counter and stop again at i == 99999 with a condition.
	if err := s.EnableBreakpoint(counter.ID, true); err != nil {
		t.Fatal(err)
	}
	last, err := s.SetBreakpoint(breakpoints.Spec{Location: "f", Cond: "i == 99999"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Continue(ev.Tid, false); err != nil {
		t.Fatal(err)
	}
	// 99,999 hits and conditions first: under -race and load that took
	// over 30 s once, so the wait is a run's (drain's), not one event's.
	ev = waitStopWithin(t, s, nil, 2*testharness.Timeout)
	if len(ev.BreakpointIDs) != 1 || ev.BreakpointIDs[0] != last.ID {
		t.Fatalf("stop %+v, want breakpoint %d", ev, last.ID)
	}
	info, _ := s.Breakpoint(counter.ID)
	// The first call stopped at the temporary breakpoint while the counter
	// was disabled; calls 1..99,999 are counted.
	if info.Hits != 99999 {
		t.Errorf("re-enabled breakpoint counted %d hits, want 99999", info.Hits)
	}
	if err := s.EnableBreakpoint(counter.ID, false); err != nil {
		t.Fatal(err)
	}
	s.Continue(ev.Tid, false)
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	s.Wait()
}

// TestBreakpointStateRace: breakpoints are changed (condition, enabled)
// on the ptrace thread while other goroutines list them; under -race the
// test shows that readers only ever see snapshots taken under the lock.
func TestBreakpointStateRace(t *testing.T) {
	prog := buildC(t, "count.c", "-O0")
	s := launch(t, LaunchConfig{Program: prog, Stdout: &syncBuffer{}})
	bp := mustBreak(t, s, breakpoints.Spec{Location: "f", Cond: "i < 0"})
	done := make(chan struct{})
	read := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-done:
				read <- n
				return
			default:
			}
			for _, b := range s.Breakpoints() {
				n += len(b.Spec.Cond) + len(b.Locations)
			}
		}
	}()
	for i := 0; i < 300; i++ {
		cond := []string{"i < 0", "i < -1"}[i%2]
		if err := s.SetCondition(bp.ID, cond); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableBreakpoint(bp.ID, i%3 != 0); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	if n := <-read; n == 0 {
		t.Error("the reader saw no breakpoint")
	}
	s.ContinueAll()
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
}
