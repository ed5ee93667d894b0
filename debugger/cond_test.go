package debugger

import (
	"strconv"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestConditionAndHitCondition: over 100,000 hits, a condition on a local
// variable stops exactly once, where it holds, and a "% 1000" hit condition
// stops exactly at every 1000th hit.
func TestConditionAndHitCondition(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			prog := buildC(t, "count.c", opt)
			want := testharness.NativeOK(t, prog)
			var out syncBuffer
			s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
			cond := mustBreak(t, s, breakpoints.Spec{Location: "f", Cond: "i == 54321"})
			every := mustBreak(t, s, breakpoints.Spec{Location: "f", HitCond: "% 1000"})
			s.ContinueAll()
			var condStops, everyStops int
			for ev := range s.Events() {
				if ev.Kind == Output {
					t.Errorf("unexpected output: %s", ev.Text)
				}
				if ev.Kind != Stopped {
					continue
				}
				v, err := s.Evaluate(ev.Tid, 0, "i", false)
				if err != nil {
					t.Fatalf("evaluate i: %v", err)
				}
				i, _ := strconv.Atoi(v.Value)
				for _, id := range ev.BreakpointIDs {
					switch id {
					case cond.ID:
						condStops++
						if i != 54321 {
							t.Errorf("condition stop at i=%d", i)
						}
					case every.ID:
						everyStops++
						if (i+1)%1000 != 0 {
							t.Errorf("hit-condition stop at i=%d, want every 1000th call", i)
						}
					}
				}
				s.Continue(ev.Tid, false)
			}
			s.Wait()
			if condStops != 1 || everyStops != 100 {
				t.Errorf("%d condition stops (want 1), %d hit-condition stops (want 100)", condStops, everyStops)
			}
			if info, _ := s.Breakpoint(every.ID); info.Hits != 100000 {
				t.Errorf("%d hits, want 100000", info.Hits)
			}
			if out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}
