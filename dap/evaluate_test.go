package dap

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestEvaluateWithoutFrame: while every thread runs (so no frame exists)
// the Debug Console still reads globals; what needs a frame, and any
// assignment, gets an error that says to select one.
func TestEvaluateWithoutFrame(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "200"}})
	c.ok("configurationDone", nil)
	c.threadByName("mt")
	for _, ctx := range []string{"repl", "watch", "hover"} {
		r := c.ok("evaluate", map[string]any{"expression": "global_counter + 1", "context": ctx}).(*dap.EvaluateResponse)
		if r.Body.Result != "43" || r.Body.Type != "int" || r.Body.MemoryReference != "" {
			t.Errorf("%s: global_counter + 1 = %+v", ctx, r.Body)
		}
	}
	r := c.ok("evaluate", map[string]any{"expression": "&global_counter", "context": "repl"}).(*dap.EvaluateResponse)
	if !strings.HasPrefix(r.Body.Result, "(int *) 0x") && !strings.HasPrefix(r.Body.Result, "0x") {
		t.Errorf("&global_counter = %+v", r.Body)
	}
	if msg := c.fails("evaluate", map[string]any{"expression": "global_counter = 5", "context": "repl"}); !strings.Contains(msg, "frame") {
		t.Errorf("assignment without a frame: %q", msg)
	}
	if msg := c.fails("evaluate", map[string]any{"expression": "sq", "context": "repl"}); !strings.Contains(msg, "without a frame") {
		t.Errorf("a local without a frame: %q", msg)
	}
	// The assignment did not happen.
	r = c.ok("evaluate", map[string]any{"expression": "global_counter", "context": "repl"}).(*dap.EvaluateResponse)
	if r.Body.Result != "42" {
		t.Errorf("global_counter = %q after a refused assignment", r.Body.Result)
	}
	c.ok("terminate", nil)
	c.exitedAndTerminated()
}

// TestExecInConsole: "-exec CMD" in the Debug Console runs a terminal
// command on the frame's thread (bt, print, info-like listing); commands
// that run the program are refused with the reason, unknown ones say so.
func TestExecInConsole(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "3"}})
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "tick_b"}}})
	c.ok("configurationDone", nil)
	st := c.stopped()
	stk := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse)
	frame := stk.Body.StackFrames[0].Id
	exec := func(cmd string) string {
		r := c.ok("evaluate", map[string]any{"expression": "-exec " + cmd, "context": "repl", "frameId": frame}).(*dap.EvaluateResponse)
		return r.Body.Result
	}
	if out := exec("bt"); !strings.Contains(out, "#0 ") || !strings.Contains(out, "tick_b") || !strings.Contains(out, "#1 ") {
		t.Errorf("-exec bt: %q", out)
	}
	if out := exec("print i + 1"); out != "1" {
		t.Errorf("-exec print i + 1: %q", out)
	}
	if out := exec("breakpoints"); !strings.Contains(out, "tick_b") {
		t.Errorf("-exec breakpoints: %q", out)
	}
	if out := exec("continue"); !strings.Contains(out, "not from here") {
		t.Errorf("-exec continue: %q", out)
	}
	if out := exec("frobnicate"); !strings.Contains(out, "unknown command") {
		t.Errorf("-exec frobnicate: %q", out)
	}
	c.ok("terminate", nil)
	c.exitedAndTerminated()
}
