package dap

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// The test client speaks DAP with go-dap's structs, as a real client
// would, but sends requests as raw JSON so that tests can send anything,
// and keeps each message's raw JSON to check fields go-dap would hide
// (allThreadsContinued false).

type msg struct {
	m   dap.Message
	raw []byte
}

type client struct {
	t     *testing.T
	w     io.Writer
	close func()
	mu    sync.Mutex
	seq   int
	in    chan msg
	done  chan struct{} // closed when the server closed its end
	stash []msg         // events (and stray responses) seen while waiting
}

// waitFor is the one timeout policy of every test that waits.
var waitFor = testharness.Timeout

func newClient(t *testing.T, r io.Reader, w io.Writer, closer func()) *client {
	c := &client{t: t, w: w, close: closer, in: make(chan msg, 100000), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		// Our own reader, not go-dap's ReadBaseMessage: that one refuses
		// bodies over 4 MiB, and a response for 100,000 breakpoints is
		// bigger (clients such as VS Code take it).
		br := newReader(r)
		for {
			b, err := br.next()
			if err != nil {
				return
			}
			m, err := dap.DecodeProtocolMessage(b)
			if err != nil {
				c.t.Errorf("server sent an undecodable message: %v: %s", err, b)
				return
			}
			c.in <- msg{m, b}
		}
	}()
	return c
}

// pipeClient serves one session in-process over a pipe.
func pipeClient(t *testing.T, cfg Config) (*client, chan error) {
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pipeClientOf(t, srv)
}

func pipeClientOf(t *testing.T, srv *Server) (*client, chan error) {
	a, b := net.Pipe()
	served := make(chan error, 1)
	ended := make(chan struct{})
	go func() {
		served <- srv.ServeConn(a, a)
		a.Close()
		close(ended)
	}()
	c := newClient(t, b, b, func() { b.Close() })
	t.Cleanup(func() {
		b.Close()
		select {
		case <-ended:
		case <-time.After(waitFor):
			t.Error("the server did not end its session")
		}
	})
	return c, served
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	if _, err := c.w.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send sends a request and returns its seq.
func (c *client) send(command string, args any) int {
	c.t.Helper()
	c.mu.Lock()
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	req := map[string]any{"seq": seq, "type": "request", "command": command}
	if args != nil {
		req["arguments"] = args
	}
	b, err := json.Marshal(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(b), b)))
	return seq
}

// next returns the next message from the server, failing on timeout.
func (c *client) next() msg {
	c.t.Helper()
	select {
	case m := <-c.in:
		return m
	case <-c.done:
		select {
		case m := <-c.in:
			return m
		default:
		}
		c.t.Fatalf("the server closed the connection")
	case <-time.After(waitFor):
		c.t.Fatalf("no message from the server in %v", waitFor)
	}
	return msg{}
}

// response waits for the response to seq, stashing events.
func (c *client) response(seq int) msg {
	c.t.Helper()
	for i, m := range c.stash {
		if r, ok := m.m.(dap.ResponseMessage); ok && r.GetResponse().RequestSeq == seq {
			c.stash = append(c.stash[:i:i], c.stash[i+1:]...)
			return m
		}
	}
	for {
		m := c.next()
		if r, ok := m.m.(dap.ResponseMessage); ok && r.GetResponse().RequestSeq == seq {
			return m
		}
		c.stash = append(c.stash, m)
	}
}

// ok sends a request and returns its response, which must be a success.
func (c *client) ok(command string, args any) dap.ResponseMessage {
	c.t.Helper()
	m := c.response(c.send(command, args))
	r := m.m.(dap.ResponseMessage)
	if !r.GetResponse().Success {
		c.t.Fatalf("%s failed: %s", command, m.raw)
	}
	return r
}

// fails sends a request that must fail and returns the error text.
func (c *client) fails(command string, args any) string {
	c.t.Helper()
	m := c.response(c.send(command, args))
	r := m.m.(dap.ResponseMessage).GetResponse()
	if r.Success {
		c.t.Fatalf("%s succeeded, want an error: %s", command, m.raw)
	}
	if r.Command != command {
		c.t.Errorf("error response names command %q, want %q", r.Command, command)
	}
	return r.Message
}

// event waits for an event the predicate accepts (looking at the stash
// first) and removes it; events before it stay stashed.
func (c *client) event(what string, pred func(msg) bool) msg {
	c.t.Helper()
	for i, m := range c.stash {
		if _, ok := m.m.(dap.EventMessage); ok && pred(m) {
			c.stash = append(c.stash[:i:i], c.stash[i+1:]...)
			return m
		}
	}
	deadline := time.After(waitFor)
	for {
		select {
		case m := <-c.in:
			if _, ok := m.m.(dap.EventMessage); ok && pred(m) {
				return m
			}
			c.stash = append(c.stash, m)
		case <-c.done:
			c.t.Fatalf("the server closed the connection while we waited for %s", what)
		case <-deadline:
			c.t.Fatalf("no %s event in %v", what, waitFor)
		}
	}
}

func isEvent(name string) func(msg) bool {
	return func(m msg) bool {
		e, ok := m.m.(dap.EventMessage)
		return ok && e.GetEvent().Event == name
	}
}

func (c *client) stopped() *dap.StoppedEvent {
	c.t.Helper()
	return c.event("stopped", isEvent("stopped")).m.(*dap.StoppedEvent)
}

// drain takes every message that has arrived (and any that arrives within
// d) into the stash.
func (c *client) drain(d time.Duration) {
	t := time.After(d)
	for {
		select {
		case m := <-c.in:
			c.stash = append(c.stash, m)
		case <-t:
			return
		}
	}
}

// outputs returns and removes the stashed output events of a category.
func (c *client) outputs(category string) []string {
	var out []string
	kept := c.stash[:0]
	for _, m := range c.stash {
		if o, ok := m.m.(*dap.OutputEvent); ok && o.Body.Category == category {
			out = append(out, o.Body.Output)
			continue
		}
		kept = append(kept, m)
	}
	c.stash = kept
	return out
}

// initialize sends initialize and checks the capabilities.
func (c *client) initialize() dap.Capabilities {
	c.t.Helper()
	r := c.ok("initialize", map[string]any{"adapterID": "ubpdbg", "linesStartAt1": true, "columnsStartAt1": true,
		"supportsVariablePaging": true, "supportsMemoryReferences": true})
	return r.(*dap.InitializeResponse).Body
}

// start initializes and launches (or attaches), waiting for initialized.
func (c *client) start(command string, args map[string]any) {
	c.t.Helper()
	c.initialize()
	c.ok(command, args)
	c.event("initialized", isEvent("initialized"))
}

// exitedAndTerminated waits for the end of the program and returns its
// exit code.
func (c *client) exitedAndTerminated() int {
	c.t.Helper()
	e := c.event("exited", isEvent("exited")).m.(*dap.ExitedEvent)
	c.event("terminated", isEvent("terminated"))
	return e.Body.ExitCode
}

// Test programs.

func buildMT(t *testing.T) string {
	return testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("testdata", "mt.c"))
}

func buildGo(t *testing.T) string {
	return testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "./"+filepath.Join("testdata", "goprog"))
}

func abs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func srcBP(path string, lines ...int) map[string]any {
	var bps []map[string]any
	for _, l := range lines {
		bps = append(bps, map[string]any{"line": l})
	}
	return map[string]any{"source": map[string]any{"path": path}, "breakpoints": bps}
}

func requireLinux(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("linux/amd64 only")
	}
}

// threadByName finds a thread's ID by its name's prefix.
func (c *client) threadByName(name string) int {
	c.t.Helper()
	for i := 0; i < 200; i++ {
		r := c.ok("threads", nil).(*dap.ThreadsResponse)
		for _, th := range r.Body.Threads {
			if strings.HasPrefix(th.Name, name) {
				return th.Id
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("no thread named %s", name)
	return 0
}

// locals lists the Locals scope of a stopped thread's top frame.
func (c *client) locals(tid int) []dap.Variable {
	c.t.Helper()
	top := c.ok("stackTrace", map[string]any{"threadId": tid, "levels": 1}).(*dap.StackTraceResponse).Body.StackFrames[0]
	sc := c.ok("scopes", map[string]any{"frameId": top.Id}).(*dap.ScopesResponse)
	return c.ok("variables", map[string]any{"variablesReference": sc.Body.Scopes[0].VariablesReference}).(*dap.VariablesResponse).Body.Variables
}
