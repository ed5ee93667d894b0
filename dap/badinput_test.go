package dap

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// frame wraps a body in a base-protocol header.
func frame(body string) []byte {
	return []byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

// errorFor waits for an error response to request seq.
func (c *client) errorFor(seq int) *dap.ErrorResponse {
	c.t.Helper()
	m := c.response(seq)
	e, ok := m.m.(*dap.ErrorResponse)
	if !ok || e.Success {
		c.t.Fatalf("want an error response to %d, got %s", seq, m.raw)
	}
	return e
}

// alive checks that the session still answers.
func (c *client) alive() {
	c.t.Helper()
	seq := c.send("threads", nil)
	c.response(seq) // an error (no program) or threads: either is an answer
}

func TestBadInput(t *testing.T) {
	c, served := pipeClient(t, Config{})

	// Requests out of order: before initialize, then before launch.
	if msg := c.fails("threads", nil); !strings.Contains(msg, "initialize") {
		t.Errorf("threads before initialize: %q", msg)
	}
	c.initialize()
	if msg := c.fails("initialize", map[string]any{"adapterID": "x"}); !strings.Contains(msg, "already") {
		t.Errorf("second initialize: %q", msg)
	}
	for _, cmd := range []string{"threads", "configurationDone", "stackTrace", "continue", "pause", "next", "readMemory", "disassemble", "modules", "loadedSources", "terminate", "setBreakpoints", "setFunctionBreakpoints", "breakpointLocations", "evaluate"} {
		if msg := c.fails(cmd, map[string]any{"threadId": 1, "source": map[string]any{"path": "x.c"}, "line": 1, "expression": "1", "frameId": 0}); !strings.Contains(msg, "launch or attach") {
			t.Errorf("%s before launch: %q", cmd, msg)
		}
	}
	if msg := c.fails("scopes", map[string]any{"frameId": 1}); !strings.Contains(msg, "launch") {
		t.Errorf("scopes before launch: %q", msg)
	}
	if msg := c.fails("variables", map[string]any{"variablesReference": 7}); !strings.Contains(msg, "stale") {
		t.Errorf("variables before launch: %q", msg)
	}

	// Unknown commands: an error response with the seq, and go on.
	seq := c.send("frobnicate", map[string]any{"x": 1})
	if e := c.errorFor(seq); !strings.Contains(e.Message, "unknown request") || e.Command != "frobnicate" {
		t.Errorf("unknown command: %+v", e)
	}
	// Requests go-dap knows but we do not offer.
	if msg := c.fails("stepBack", map[string]any{"threadId": 1}); !strings.Contains(msg, "not supported") {
		t.Errorf("stepBack: %q", msg)
	}

	// Wrong argument types.
	c.sendRaw(frame(`{"seq":100,"type":"request","command":"stackTrace","arguments":{"threadId":"one"}}`))
	if e := c.errorFor(100); !strings.Contains(e.Message, "bad arguments") {
		t.Errorf("wrong type: %+v", e)
	}
	c.sendRaw(frame(`{"seq":101,"type":"request","command":"launch","arguments":{"program":7}}`))
	if e := c.errorFor(101); !strings.Contains(e.Message, "launch") {
		t.Errorf("launch with a number for program: %+v", e)
	}
	c.sendRaw(frame(`{"seq":102,"type":"request","command":"launch","arguments":{"program":"/bin/true","stopMode":"sideways"}}`))
	if e := c.errorFor(102); !strings.Contains(e.Message, "stop mode") {
		t.Errorf("bad stop mode: %+v", e)
	}
	c.sendRaw(frame(`{"seq":103,"type":"request","command":"attach","arguments":{"processId":"abc"}}`))
	if e := c.errorFor(103); !strings.Contains(e.Message, "processId") {
		t.Errorf("attach to abc: %+v", e)
	}
	c.sendRaw(frame(`{"seq":104,"type":"request","command":"launch"}`))
	if e := c.errorFor(104); !strings.Contains(e.Message, "arguments") {
		t.Errorf("launch without arguments: %+v", e)
	}
	c.sendRaw(frame(`{"seq":105,"type":"request","command":"launch","arguments":{"program":"/no/such/program"}}`))
	c.errorFor(105)

	// Invalid JSON: an error response (without a seq to answer) and go on.
	c.sendRaw(frame(`{"seq":106,"type":"request","command":`))
	if e := c.errorFor(0); !strings.Contains(e.Message, "invalid JSON") {
		t.Errorf("invalid JSON: %+v", e)
	}
	c.sendRaw(frame(`[1,2,3]`))
	c.errorFor(0)
	c.sendRaw(frame(`{"seq":107,"type":"event","event":"stopped"}`))
	c.errorFor(107)

	// Content-Length too small: the body's start is invalid JSON, its
	// rest is skipped up to the next header, which is served.
	body := `{"seq":108,"type":"request","command":"threads"}`
	c.sendRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", 10, body)))
	c.errorFor(0)
	seq = c.send("threads", nil)
	c.errorFor(seq) // no program: an answer all the same
	c.event("damaged-input notice", isEvent("output"))

	// Damaged headers: skipped, noted, and the next message is served.
	c.sendRaw([]byte("Content-Length: banana\r\n\r\n"))
	c.sendRaw([]byte("X-Garbage\r\n\r\n"))
	c.sendRaw([]byte("Content-Length: 99999999999\r\n\r\n"))
	c.alive()
	c.sendRaw([]byte(strings.Repeat("x", 10000) + "\r\n"))
	c.alive()

	// Nothing above ended the session.
	select {
	case err := <-served:
		t.Fatalf("the session ended: %v", err)
	default:
	}

	// A truncated header, then the client closes: a clean end.
	c.sendRaw([]byte("Content-Len"))
	c.close()
	if err := testharness.Receive(t, served, "end of the session after the client closed", nil); err != nil {
		t.Errorf("session: %v", err)
	}
}

func TestTruncatedBody(t *testing.T) {
	c, served := pipeClient(t, Config{})
	c.initialize()
	c.sendRaw([]byte("Content-Length: 100\r\n\r\n{\"seq\":"))
	c.close()
	testharness.Receive(t, served, "end of the session after a truncated body", nil)
}

// TestClientGoneLaunched: a client that goes away mid-run takes its
// launched program with it.
func TestClientGoneLaunched(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	c, served := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "100000"}})
	pid := c.event("process", isEvent("process")).m.(*dap.ProcessEvent).Body.SystemProcessId
	c.ok("configurationDone", nil)
	c.ok("threads", nil)
	c.close()
	testharness.Receive(t, served, "end of the session", nil)
	waitGone(t, pid)
}

// waitGone waits for a process to disappear (reaped, not only dead).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			return
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			return // a zombie: dead, waiting for its reaper
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("process %d still runs", pid)
}
