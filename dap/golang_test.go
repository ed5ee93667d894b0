package dap

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestGoProgram drives a Go program: a function breakpoint, source
// breakpoints, Go variables, next, step in and out, and the end.
func TestGoProgram(t *testing.T) {
	requireLinux(t)
	prog := buildGo(t)
	src := abs(t, "testdata/goprog/main.go")
	bp, next, call := testharness.LineOf(t, src, "BP_GO"), testharness.LineOf(t, src, "NEXT_GO"), testharness.LineOf(t, src, "CALL_GO")

	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog})
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "main.compute"}}}).(*dap.SetFunctionBreakpointsResponse)
	if !fb.Body.Breakpoints[0].Verified {
		t.Fatalf("function breakpoint: %+v", fb.Body.Breakpoints)
	}
	r := c.ok("setBreakpoints", srcBP(src, bp)).(*dap.SetBreakpointsResponse)
	if !r.Body.Breakpoints[0].Verified || r.Body.Breakpoints[0].Line != bp {
		t.Fatalf("source breakpoint: %+v", r.Body.Breakpoints)
	}
	c.ok("configurationDone", nil)

	st := c.stopped()
	tid := st.Body.ThreadId
	if st.Body.HitBreakpointIds[0] != fb.Body.Breakpoints[0].Id {
		t.Errorf("first stop not at the function breakpoint: %+v", st.Body)
	}
	frames := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames
	if frames[0].Name != "main.compute" || frames[1].Name != "main.main" || frames[1].Line != call {
		t.Fatalf("stack: %+v", frames[:2])
	}
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.ok("continue", map[string]any{"threadId": tid})
	st = c.stopped()
	frames = c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
	if frames[0].Line != bp || frames[0].Source == nil || frames[0].Source.Path != src {
		t.Fatalf("at the source breakpoint: %+v", frames[0])
	}
	tid = st.Body.ThreadId

	sc := c.ok("scopes", map[string]any{"frameId": frames[0].Id}).(*dap.ScopesResponse)
	locals := map[string]dap.Variable{}
	for _, v := range c.ok("variables", map[string]any{"variablesReference": sc.Body.Scopes[0].VariablesReference}).(*dap.VariablesResponse).Body.Variables {
		locals[v.Name] = v
	}
	p, s := locals["p"], locals["s"]
	if p.VariablesReference == 0 || s.IndexedVariables != 3 {
		t.Fatalf("locals: %+v", locals)
	}
	fields := map[string]string{}
	for _, v := range c.ok("variables", map[string]any{"variablesReference": p.VariablesReference}).(*dap.VariablesResponse).Body.Variables {
		fields[v.Name] = v.Value
	}
	if fields["A"] != "0" || fields["B"] != "0" || !strings.Contains(fields["Name"], "p") {
		t.Errorf("p: %v", fields)
	}
	ev := c.ok("evaluate", map[string]any{"expression": "len(s) + counter", "frameId": frames[0].Id, "context": "watch"}).(*dap.EvaluateResponse)
	if ev.Body.Result != "10" {
		t.Errorf("evaluate: %+v", ev.Body)
	}

	c.ok("next", map[string]any{"threadId": tid})
	c.stopped()
	if f := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0]; f.Line != next {
		t.Errorf("next: line %d, want %d", f.Line, next)
	}
	c.ok("stepOut", map[string]any{"threadId": tid})
	c.stopped()
	if f := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0]; f.Name != "main.main" {
		t.Errorf("stepOut: %+v", f)
	}
	// compute(0) returned 0 + 0 + 3 + 2, in RAX by Go's register ABI.
	if l := c.locals(tid); len(l) == 0 || l[0].Name != "(return value)" || l[0].Value != "5" || l[0].Type != "int" {
		t.Errorf("locals after stepOut: %+v", l)
	}
	c.ok("setBreakpoints", srcBP(src))
	c.ok("continue", map[string]any{"threadId": tid})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if out := strings.Join(c.outputs("stdout"), ""); out != "total 30 7\n" {
		t.Errorf("output %q", out)
	}
	c.ok("disconnect", nil)
}
