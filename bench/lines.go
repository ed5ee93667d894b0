package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-dap"
	ubpdap "github.com/ubpdbg/ubpdbg/dap"
)

// linesRow is one setBreakpoints request with every line from 1 to lines
// of one source file, over a real DAP session served in this process.
type linesRow struct {
	lines    int
	took     time.Duration // request sent to response read
	threads  time.Duration // a threads request sent right after it, to its response
	verified int
	err      error
}

// measureLines launches the hit program in a DAP session (held before its
// first instruction: no configurationDone) and sends one setBreakpoints
// with lines 1..n of hit.c, then a threads request at once.
func measureLines(e *env, n int) (row linesRow) {
	row.lines = n
	srv, err := ubpdap.NewServer(ubpdap.Config{})
	if err != nil {
		row.err = err
		return
	}
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(a, a); a.Close(); close(done) }()
	defer func() { b.Close(); <-done }()
	c := &benchClient{w: b, r: bufio.NewReaderSize(b, 1<<20)}
	if row.err = c.call("initialize", dap.InitializeRequestArguments{AdapterID: "ubpdbg"}, nil); row.err != nil {
		return
	}
	if row.err = c.call("launch", map[string]any{"program": e.hit, "args": []string{"1", "1"}}, nil); row.err != nil {
		return
	}
	bps := make([]dap.SourceBreakpoint, n)
	for i := range bps {
		bps[i] = dap.SourceBreakpoint{Line: i + 1}
	}
	src := filepath.Join(e.dir, "hit.c")
	start := time.Now()
	// Sent from another goroutine: over a synchronous pipe the second
	// write would wait for the server to read it, while the server waits
	// for us to read its first response.
	setSeq, threadsSeq := c.seq+1, c.seq+2
	go func() {
		c.send("setBreakpoints", dap.SetBreakpointsArguments{Source: dap.Source{Path: src}, Breakpoints: bps})
		c.send("threads", nil)
	}()
	for got := 0; got < 2; {
		m, err := c.read()
		if err != nil {
			row.err = err
			return
		}
		switch r := m.(type) {
		case *dap.SetBreakpointsResponse:
			if r.RequestSeq == setSeq {
				row.took = time.Since(start)
				for _, bp := range r.Body.Breakpoints {
					if bp.Verified {
						row.verified++
					}
				}
				got++
			}
		case *dap.ThreadsResponse:
			if r.RequestSeq == threadsSeq {
				row.threads = time.Since(start)
				got++
			}
		case *dap.ErrorResponse:
			row.err = fmt.Errorf("%s: %s", r.Command, r.Message)
			return
		}
	}
	c.call("disconnect", dap.DisconnectArguments{TerminateDebuggee: true}, nil)
	return
}

// benchClient is the least DAP client that times requests. It reads
// messages itself: go-dap's reader refuses bodies over 4 MiB, and the
// response for 100,000 lines is bigger.
type benchClient struct {
	w   io.Writer
	r   *bufio.Reader
	seq int
}

func (c *benchClient) send(command string, args any) int {
	c.seq++
	// The envelope is go-dap's; the arguments are go-dap's argument
	// structs, except launch's, which are ubpdbg's own.
	req := struct {
		dap.Request
		Arguments any `json:"arguments,omitempty"`
	}{dap.Request{ProtocolMessage: dap.ProtocolMessage{Seq: c.seq, Type: "request"}, Command: command}, args}
	body, _ := json.Marshal(req)
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return c.seq
}

func (c *benchClient) read() (dap.Message, error) {
	length := -1
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			if length, err = strconv.Atoi(v); err != nil {
				return nil, err
			}
		}
	}
	if length < 0 {
		return nil, fmt.Errorf("a message without Content-Length")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return nil, err
	}
	return dap.DecodeProtocolMessage(body)
}

// call sends a request and reads until its response (events are skipped).
func (c *benchClient) call(command string, args any, out *dap.Message) error {
	seq := c.send(command, args)
	for {
		m, err := c.read()
		if err != nil {
			return err
		}
		r, ok := m.(dap.ResponseMessage)
		if !ok || r.GetResponse().RequestSeq != seq {
			continue
		}
		if !r.GetResponse().Success {
			return fmt.Errorf("%s: %s", command, r.GetResponse().Message)
		}
		if out != nil {
			*out = m
		}
		return nil
	}
}
