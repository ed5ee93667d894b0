package dap

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestUnverifiedMessages: a breakpoint that cannot be placed is unverified
// with the reason. A function found nowhere yet is pending and says so; a
// line past the end of a known file says where the file's code ends and
// claims no pending future (no library will bring that line).
func TestUnverifiedMessages(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	src := abs(t, "testdata/mt.c")
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "1"}})
	lb := c.ok("setBreakpoints", srcBP(src, 99999)).(*dap.SetBreakpointsResponse).Body.Breakpoints[0]
	pastEnd := regexp.MustCompile(`^location not found: no code at or after line 99999 in .*mt\.c \(the last line with code is \d+\)$`)
	if lb.Verified || !pastEnd.MatchString(lb.Message) {
		t.Errorf("line past the end: %+v; want unverified with message matching %s", lb, pastEnd)
	}
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "no_such_function_here"}}}).(*dap.SetFunctionBreakpointsResponse).Body.Breakpoints[0]
	if fb.Verified || !strings.Contains(fb.Message, `no function "no_such_function_here"`) || !strings.Contains(fb.Message, "pending") {
		t.Errorf("unknown function: %+v; want unverified, pending, with the reason", fb)
	}
	c.ok("disconnect", map[string]any{"terminateDebuggee": true})
}

// TestConditionError: a condition that cannot be evaluated stops the
// thread once, and the stop (and the console) says why.
func TestConditionError(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "3"}})
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "tick_b", "condition": "nosuchvar == 1"}}})
	c.ok("configurationDone", nil)
	st := c.stopped()
	want := `Error in testing condition for breakpoint 1 (nosuchvar == 1): no variable named "nosuchvar" in this scope`
	if st.Body.Reason != "breakpoint" || st.Body.Text != want {
		t.Errorf("stopped %+v, want reason breakpoint and text %q", st.Body, want)
	}
	out := c.event("output", func(m msg) bool {
		o, ok := m.m.(*dap.OutputEvent)
		return ok && strings.Contains(o.Body.Output, "Error in testing condition")
	}).m.(*dap.OutputEvent)
	if out.Body.Category != "important" || out.Body.Output != want+"\n" {
		t.Errorf("output %+v", out.Body)
	}
	c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	c.ok("disconnect", nil)
}
