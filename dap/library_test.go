package dap

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestPendingBreakpoint: a breakpoint on a libc function set before libc
// is loaded is unverified, becomes verified by a breakpoint event when the
// library loads (with a module event), and then stops the program.
func TestPendingBreakpoint(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "3"}})
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "usleep"}}}).(*dap.SetFunctionBreakpointsResponse)
	b := fb.Body.Breakpoints[0]
	if b.Verified || b.Message == "" {
		t.Skipf("usleep resolved before libc loaded (static?): %+v", b)
	}
	c.ok("configurationDone", nil)
	ev := c.event("breakpoint", isEvent("breakpoint")).m.(*dap.BreakpointEvent)
	if ev.Body.Reason != "changed" || ev.Body.Breakpoint.Id != b.Id || !ev.Body.Breakpoint.Verified {
		t.Errorf("breakpoint event: %+v", ev.Body)
	}
	c.event("module", func(m msg) bool {
		e, ok := m.m.(*dap.ModuleEvent)
		return ok && e.Body.Reason == "new" && e.Body.Module.Name == "libc.so.6"
	})
	st := c.stopped()
	frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
	if frames[0].Name != "usleep" && frames[0].Name != "__usleep" {
		t.Errorf("stopped in %+v", frames[0])
	}
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	c.ok("disconnect", nil)
}

// TestLaunchDetach: disconnect with terminateDebuggee false lets a
// launched program run on without us.
func TestLaunchDetach(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	src := abs(t, "testdata/mt.c")
	c, served := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "30"}})
	pid := c.event("process", isEvent("process")).m.(*dap.ProcessEvent).Body.SystemProcessId
	c.ok("setBreakpoints", srcBP(src, testharness.LineOf(t, src, "LOG_B")))
	c.ok("configurationDone", nil)
	c.stopped()
	c.ok("disconnect", map[string]any{"terminateDebuggee": false})
	// The program runs on from its breakpoint and finishes its 30 ticks
	// by itself; the session lasts until then (it reads the program's
	// output pipes), and the program's exit code, read from its zombie,
	// says it was not killed.
	testharness.Receive(t, served, "end of the session when the detached program ended", nil)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Skipf("the program was reaped: %v", err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if f[0] != "Z" || f[len(f)-1] != "0" {
		t.Errorf("the detached program's state and exit code: %s %s", f[0], f[len(f)-1])
	}
}
