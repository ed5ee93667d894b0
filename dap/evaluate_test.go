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
