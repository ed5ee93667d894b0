package debugger

import (
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
)

// The session set-up every test of this package shares; what is not about
// a session (native runs, symbols, the timeout policy) is in
// internal/testharness.

// launch starts a session over a test program, closed when the test ends.
func launch(t *testing.T, cfg LaunchConfig) *Session {
	t.Helper()
	s, err := Launch(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustBreak sets a breakpoint that must be placed.
func mustBreak(t *testing.T, s *Session, spec breakpoints.Spec) breakpoints.Info {
	t.Helper()
	bp, err := s.SetBreakpoint(spec)
	if err != nil || !bp.Verified {
		t.Fatalf("breakpoint %+v: %v %+v", spec, err, bp)
	}
	return bp
}

// runCounting lets every thread run to the program's end, with no stop
// expected on the way, and checks that breakpoint id counted hits and
// that the program printed what it prints natively.
func runCounting(t *testing.T, s *Session, out *syncBuffer, native string, id int, hits uint64) {
	t.Helper()
	s.ContinueAll()
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	s.Wait()
	if info, _ := s.Breakpoint(id); info.Hits != hits {
		t.Errorf("%d hits on breakpoint %d (%s), want %d", info.Hits, id, info.Spec.Location, hits)
	}
	if out.String() != native {
		t.Errorf("output %q, want %q", out.String(), native)
	}
}
