package dap

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// startUntil starts "mt until FILE" as someone else's running program;
// it runs until the returned function removes FILE.
func startUntil(t *testing.T) (*testharness.Running, func()) {
	t.Helper()
	requireLinux(t)
	prog := buildMT(t)
	file := filepath.Join(t.TempDir(), "run")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := testharness.Start(t, 50*time.Millisecond, prog, "until", file)
	return r, func() { os.Remove(file) }
}

// endsNatively lets the program end and checks that it ends as it does
// without a debugger.
func endsNatively(t *testing.T, run *testharness.Running, stop func()) {
	t.Helper()
	time.Sleep(50 * time.Millisecond) // some ticks without us
	stop()
	if err := run.Wait(t); err != nil {
		t.Errorf("the program failed after we detached: %v", err)
	}
	if out := run.Out.String(); out != "until done ok\n" {
		t.Errorf("output after detach %q", out)
	}
}

// TestAttachLogpointDetach attaches, logs through a logpoint, and
// disconnects without terminating: the program runs on and finishes with
// the output it has without a debugger.
func TestAttachLogpointDetach(t *testing.T) {
	t.Parallel()
	run, stop := startUntil(t)
	src := abs(t, "testdata/mt.c")

	c, _ := pipeClient(t, Config{})
	// VS Code's process picker gives the pid as a string.
	c.start("attach", map[string]any{"processId": strconv.Itoa(run.Pid())})
	if p := c.event("process", isEvent("process")).m.(*dap.ProcessEvent); p.Body.StartMethod != "attach" || p.Body.SystemProcessId != run.Pid() {
		t.Errorf("process event: %+v", p.Body)
	}
	r := c.ok("setBreakpoints", map[string]any{"source": map[string]any{"path": src},
		"breakpoints": []map[string]any{{"line": testharness.LineOf(t, src, "LOG_B"), "logMessage": "tick {i} sq={i*i}"}}}).(*dap.SetBreakpointsResponse)
	if !r.Body.Breakpoints[0].Verified {
		t.Fatalf("logpoint: %+v", r.Body.Breakpoints)
	}
	c.ok("configurationDone", nil)
	first := c.event("logpoint output", func(m msg) bool {
		o, ok := m.m.(*dap.OutputEvent)
		return ok && o.Body.Category == "console" && strings.HasPrefix(o.Body.Output, "tick ")
	}).m.(*dap.OutputEvent).Body.Output
	var i, sq int
	if _, err := fmt.Sscanf(first, "tick %d sq=%d", &i, &sq); err != nil || sq != i*i {
		t.Errorf("logpoint message %q", first)
	}
	c.ok("disconnect", map[string]any{"terminateDebuggee": false})
	c.event("terminated", isEvent("terminated"))
	endsNatively(t, run, stop)
}

// TestAttachStoppedClientGone attaches, stops the program at a breakpoint,
// and then the client vanishes: the program is detached and runs on.
func TestAttachStoppedClientGone(t *testing.T) {
	t.Parallel()
	run, stop := startUntil(t)
	src := abs(t, "testdata/mt.c")

	c, served := pipeClient(t, Config{})
	c.start("attach", map[string]any{"processId": run.Pid()})
	c.ok("setBreakpoints", srcBP(src, testharness.LineOf(t, src, "LOG_B")))
	c.ok("configurationDone", nil)
	st := c.stopped()
	stk := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse)
	if stk.Body.StackFrames[0].Name != "tick_b" {
		t.Errorf("stopped in %+v", stk.Body.StackFrames[0])
	}
	c.close()
	testharness.Receive(t, served, "end of the session", nil)
	endsNatively(t, run, stop)
}

// TestTerminateAttached: terminate ends even an attached program.
func TestTerminateAttached(t *testing.T) {
	run, _ := startUntil(t)
	c, _ := pipeClient(t, Config{})
	c.start("attach", map[string]any{"processId": run.Pid()})
	c.ok("configurationDone", nil)
	c.ok("terminate", nil)
	c.event("terminated", isEvent("terminated"))
	c.ok("disconnect", nil)
	if err := run.Wait(t); err == nil {
		t.Error("terminate did not end the attached program")
	}
}
