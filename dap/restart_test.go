package dap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestLaunchStdinAndRestart: the stdin launch attribute gives the program
// that file; restart, sent while the program is stopped at its first hit,
// kills it without ending the session (no terminated event), starts it
// again with the same breakpoint, which stops at each of the three lines
// again, and the program reads its input again from the start.
func TestLaunchStdinAndRestart(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildC(t, []string{"-O0"}, filepath.Join("testdata", "readlines.c"))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "input.txt"), []byte("first\nsecond\nthird\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "cwd": dir, "stdin": "input.txt"})
	first := c.event("process", isEvent("process")).m.(*dap.ProcessEvent).Body.SystemProcessId
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "count_line"}}}).(*dap.SetFunctionBreakpointsResponse)
	id := fb.Body.Breakpoints[0].Id
	c.ok("configurationDone", nil)
	if st := c.stopped(); len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != id {
		t.Fatalf("first stop: %+v", st.Body)
	}

	c.ok("restart", nil)
	if code := c.event("exited", isEvent("exited")).m.(*dap.ExitedEvent).Body.ExitCode; code != 128+9 {
		t.Errorf("the first program's exit code %d, want 137 (killed)", code)
	}
	second := c.event("process", isEvent("process")).m.(*dap.ProcessEvent).Body.SystemProcessId
	if second == first || second <= 0 {
		t.Errorf("process after restart %d (before %d)", second, first)
	}
	for i := 0; i < 3; i++ {
		st := c.stopped()
		if len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != id {
			t.Fatalf("stop %d after restart: %+v", i, st.Body)
		}
		c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	}
	e := c.event("exited", isEvent("exited")).m.(*dap.ExitedEvent)
	if e.Body.ExitCode != 0 {
		t.Errorf("exit code %d", e.Body.ExitCode)
	}
	c.drain(200 * time.Millisecond)
	terminated := 0
	for _, m := range c.stash {
		if isEvent("terminated")(m) {
			terminated++
		}
	}
	if terminated != 1 {
		t.Errorf("%d terminated events, want 1 (after the last exit only)", terminated)
	}
	if out := strings.Join(c.outputs("stdout"), ""); out != "line 1: first\nline 2: second\nline 3: third\n" {
		t.Errorf("program output %q", out)
	}
	c.ok("disconnect", nil)
}
