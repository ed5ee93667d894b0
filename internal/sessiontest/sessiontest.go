// Package sessiontest starts debugger sessions for the tests of the
// packages above debugger (trace, xol/e2e, and whatever drives a session
// directly), so that each does not write its own start and clean-up.
// debugger's own tests keep theirs in debugger/harness_test.go: they are
// inside the package, and a package's tests cannot import a package that
// imports it.
package sessiontest

import (
	"testing"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Launch starts a session over a test program, stopped at its first
// instruction; it is closed (the program killed) when the test ends.
func Launch(t testing.TB, cfg debugger.LaunchConfig) *debugger.Session {
	t.Helper()
	s, err := debugger.Launch(cfg)
	if err != nil {
		t.Fatalf("launch %s: %v", cfg.Program, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
