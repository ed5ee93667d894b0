package dap

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestNonStop is the scenario the server exists for: worker-a stops at a
// breakpoint while worker-b runs on through a logpoint; the client looks
// at worker-a, pauses worker-b alone, and continues worker-a alone.
func TestNonStop(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	src := abs(t, "testdata/mt.c")
	bpA, logB := testharness.LineOf(t, src, "BP_A"), testharness.LineOf(t, src, "LOG_B")

	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog})
	r := c.ok("setBreakpoints", map[string]any{"source": map[string]any{"path": src},
		"breakpoints": []map[string]any{{"line": bpA}, {"line": logB, "logMessage": "tick {i}"}}}).(*dap.SetBreakpointsResponse)
	if len(r.Body.Breakpoints) != 2 {
		t.Fatalf("breakpoints: %+v", r.Body.Breakpoints)
	}
	for i, b := range r.Body.Breakpoints {
		if !b.Verified || b.Line != []int{bpA, logB}[i] || b.Source == nil || b.Source.Path != src {
			t.Errorf("breakpoint %d: %+v", i, b)
		}
	}
	c.ok("configurationDone", nil)

	st := c.stopped()
	if st.Body.Reason != "breakpoint" || st.Body.AllThreadsStopped || len(st.Body.HitBreakpointIds) != 1 ||
		st.Body.HitBreakpointIds[0] != r.Body.Breakpoints[0].Id {
		t.Fatalf("stopped: %+v", st.Body)
	}
	a := st.Body.ThreadId
	b := c.threadByName("worker-b")
	if c.threadByName("worker-a") != a {
		t.Fatalf("the stopped thread %d is not worker-a", a)
	}

	// worker-b keeps logging while worker-a is stopped.
	c.outputs("console")
	c.drain(100 * time.Millisecond)
	if logs := c.outputs("console"); len(logs) < 3 || !strings.HasPrefix(logs[0], "tick ") {
		t.Errorf("logpoint output while worker-a is stopped: %q", logs)
	}

	// Look at worker-a while worker-b runs.
	stk := c.ok("stackTrace", map[string]any{"threadId": a}).(*dap.StackTraceResponse)
	if len(stk.Body.StackFrames) < 2 || stk.Body.StackFrames[0].Name != "hit_a" || stk.Body.StackFrames[0].Line != bpA ||
		stk.Body.StackFrames[1].Name != "thread_a" {
		t.Fatalf("stack of worker-a: %+v", stk.Body.StackFrames)
	}
	if stk.Body.TotalFrames != len(stk.Body.StackFrames) {
		t.Errorf("totalFrames %d, %d frames", stk.Body.TotalFrames, len(stk.Body.StackFrames))
	}
	checkVariables(t, c, stk.Body.StackFrames[0].Id)

	// worker-b runs: its stack is refused with a reason.
	if msg := c.fails("stackTrace", map[string]any{"threadId": b}); !strings.Contains(msg, "running") {
		t.Errorf("stackTrace of a running thread: %q", msg)
	}

	// Pause worker-b alone.
	c.ok("pause", map[string]any{"threadId": b})
	st = c.stopped()
	if st.Body.ThreadId != b || st.Body.Reason != "pause" || st.Body.AllThreadsStopped {
		t.Fatalf("pause: %+v", st.Body)
	}
	c.drain(50 * time.Millisecond)
	c.outputs("console")
	c.drain(100 * time.Millisecond)
	if logs := c.outputs("console"); len(logs) != 0 {
		t.Errorf("logpoint output while both are stopped: %q", logs)
	}
	if _, ok := c.ok("stackTrace", map[string]any{"threadId": b}).(*dap.StackTraceResponse); !ok {
		t.Fatal("stackTrace of paused worker-b")
	}

	// Continue worker-a alone: it stops at the breakpoint again, worker-b
	// stays paused.
	cr := c.ok("continue", map[string]any{"threadId": a, "singleThread": true}).(*dap.ContinueResponse)
	if cr.Body.AllThreadsContinued {
		t.Errorf("continue of one thread says allThreadsContinued")
	}
	ce := c.event("continued", func(m msg) bool {
		e, ok := m.m.(*dap.ContinuedEvent)
		return ok && e.Body.ThreadId == a
	})
	var body struct {
		Body map[string]any `json:"body"`
	}
	json.Unmarshal(ce.raw, &body)
	if v, ok := body.Body["allThreadsContinued"]; !ok || v != false {
		t.Errorf("continued event: %s", ce.raw)
	}
	st = c.stopped()
	if st.Body.ThreadId != a || st.Body.Reason != "breakpoint" {
		t.Fatalf("second stop: %+v", st.Body)
	}
	c.drain(50 * time.Millisecond)
	if logs := c.outputs("console"); len(logs) != 0 {
		t.Errorf("paused worker-b logged: %q", logs)
	}

	// Old frame handles are stale after worker-a ran.
	if msg := c.fails("scopes", map[string]any{"frameId": stk.Body.StackFrames[0].Id}); !strings.Contains(msg, "stale") {
		t.Errorf("scopes of a stale frame: %q", msg)
	}

	// Clear the breakpoints and let both run to the end.
	c.ok("setBreakpoints", srcBP(src))
	c.ok("continue", map[string]any{"threadId": a})
	c.ok("continue", map[string]any{"threadId": b})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	stdout := strings.Join(c.outputs("stdout"), "")
	if !strings.Contains(stdout, "a total 612\n") || !strings.Contains(stdout, "done 42\n") {
		t.Errorf("program output %q", stdout)
	}
	c.ok("disconnect", nil)
}

// checkVariables looks at hit_a's frame: scopes, locals, a struct's
// fields, a paged array, evaluate and setVariable.
func checkVariables(t *testing.T, c *client, frame int) {
	t.Helper()
	sc := c.ok("scopes", map[string]any{"frameId": frame}).(*dap.ScopesResponse)
	scopes := map[string]dap.Scope{}
	for _, s := range sc.Body.Scopes {
		scopes[s.Name] = s
	}
	for _, n := range []string{"Locals", "Arguments", "Globals", "Registers"} {
		if scopes[n].VariablesReference == 0 {
			t.Fatalf("no %s scope: %+v", n, sc.Body.Scopes)
		}
	}
	vars := func(ref int, extra map[string]any) map[string]dap.Variable {
		t.Helper()
		args := map[string]any{"variablesReference": ref}
		for k, v := range extra {
			args[k] = v
		}
		r := c.ok("variables", args).(*dap.VariablesResponse)
		m := map[string]dap.Variable{}
		for _, v := range r.Body.Variables {
			m[v.Name] = v
		}
		return m
	}
	args := vars(scopes["Arguments"].VariablesReference, nil)
	if args["n"].Value != "1" {
		t.Errorf("argument n: %+v", args)
	}
	locals := vars(scopes["Locals"].VariablesReference, nil)
	p, arr := locals["p"], locals["arr"]
	if p.VariablesReference == 0 || arr.VariablesReference == 0 || arr.IndexedVariables != 100 {
		t.Fatalf("locals: %+v", locals)
	}
	fields := vars(p.VariablesReference, nil)
	if fields["x"].Value != "1" || fields["y"].Value != "2" {
		t.Errorf("p's fields: %+v", fields)
	}
	page := c.ok("variables", map[string]any{"variablesReference": arr.VariablesReference, "filter": "indexed", "start": 10, "count": 5}).(*dap.VariablesResponse)
	if len(page.Body.Variables) != 5 || page.Body.Variables[0].Name != "[10]" || page.Body.Variables[0].Value != "10" {
		t.Errorf("arr[10:15]: %+v", page.Body.Variables)
	}
	regs := vars(scopes["Registers"].VariablesReference, nil)
	if !strings.HasPrefix(regs["$rip"].Value, "0x") {
		t.Errorf("registers: %+v", regs)
	}
	globals := vars(scopes["Globals"].VariablesReference, nil)
	if globals["global_counter"].Value != "42" {
		t.Errorf("globals: %+v", globals)
	}

	for _, ctx := range []string{"watch", "hover", "repl"} {
		ev := c.ok("evaluate", map[string]any{"expression": "p.x + p.y * 10 + n", "frameId": frame, "context": ctx}).(*dap.EvaluateResponse)
		if ev.Body.Result != "22" {
			t.Errorf("evaluate (%s): %+v", ctx, ev.Body)
		}
	}
	if msg := c.fails("evaluate", map[string]any{"expression": "nosuchvar", "frameId": frame, "context": "watch"}); msg == "" {
		t.Error("evaluate of an unknown name gave no message")
	}
	sv := c.ok("setVariable", map[string]any{"variablesReference": p.VariablesReference, "name": "x", "value": "5"}).(*dap.SetVariableResponse)
	if sv.Body.Value != "5" {
		t.Errorf("setVariable: %+v", sv.Body)
	}
	ev := c.ok("evaluate", map[string]any{"expression": "p.x", "frameId": frame, "context": "watch"}).(*dap.EvaluateResponse)
	if ev.Body.Result != "5" {
		t.Errorf("p.x after setVariable: %+v", ev.Body)
	}
	// Put it back: the program's output is checked at the end.
	c.ok("setVariable", map[string]any{"variablesReference": p.VariablesReference, "name": "x", "value": "1"})
}
