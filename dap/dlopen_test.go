package dap

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestLogpointInDlopenedLibrary: a logpoint on a line of a library that is
// not loaded yet is unverified (pending); it is placed at every one of 100
// dlopens and taken out at every dlclose (a breakpoint event each time),
// and logs each of the 1,000 calls exactly once.
func TestLogpointInDlopenedLibrary(t *testing.T) {
	requireLinux(t)
	const libSrc = "../debugger/testdata/dlib.c"
	lib := testprog.BuildC(t, []string{"-O0", "-shared", "-fPIC"}, libSrc)
	prog := testprog.BuildC(t, []string{"-O2"}, "../debugger/testdata/dlcycle.c")
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{lib, "100", "10"}})
	r := c.ok("setBreakpoints", map[string]any{"source": map[string]any{"path": abs(t, libSrc)},
		"breakpoints": []map[string]any{{"line": testharness.LineOf(t, libSrc, "DLIB_WORK"), "logMessage": "work {i}"}}}).(*dap.SetBreakpointsResponse)
	if b := r.Body.Breakpoints[0]; b.Verified || !strings.Contains(b.Message, "pending") {
		t.Fatalf("before the library is loaded: %+v, want unverified and pending", b)
	}
	c.ok("configurationDone", nil)
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	c.drain(0)
	perArg := map[string]int{}
	total := 0
	for _, o := range c.outputs("console") {
		if strings.HasPrefix(o, "work ") {
			perArg[strings.TrimSpace(o)]++
			total++
		}
	}
	if total != 1000 || len(perArg) != 10 {
		t.Errorf("%d log lines with %d distinct arguments, want 1000 and 10", total, len(perArg))
	}
	for i := 0; i < 10; i++ {
		if n := perArg[fmt.Sprintf("work %d", i)]; n != 100 {
			t.Errorf("work %d logged %d times, want 100", i, n)
		}
	}
	// One event per dlopen and one per dlclose. (Each event carries the
	// breakpoint's state when the server sends it, which may already be
	// the next one's: only the number is exact.)
	var changed, verified int
	for _, m := range c.stash {
		if e, ok := m.m.(*dap.BreakpointEvent); ok && e.Body.Reason == "changed" {
			changed++
			if e.Body.Breakpoint.Verified {
				verified++
			}
		}
	}
	if changed != 200 || verified == 0 {
		t.Errorf("%d breakpoint events (%d verified), want 200", changed, verified)
	}
	c.ok("disconnect", nil)
}
