// Package dap is ubpdbg's Debug Adapter Protocol server: it speaks DAP (with
// go-dap's protocol structs) to VS Code or any other client over stdio or
// TCP, and drives one debugger.Session per client session.
//
// The server is non-stop first: breakpoints stay inserted while threads
// run, so requests are served while the program runs (threads, pause of one
// thread, setBreakpoints, evaluate on a stopped thread), a stop of one
// thread says allThreadsStopped false, and a continue of one thread says
// allThreadsContinued false.
package dap

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/google/go-dap"
)

// Config configures a Server.
type Config struct {
	// Log receives the --log output; nil logs nothing.
	Log io.Writer
	// LogOutput selects what is logged: "dap" (protocol traffic),
	// "debugger" (engine decisions), or both, comma-separated.
	LogOutput string
	// KeepServing makes Serve accept further clients after a session ends
	// (--accept-multiclient / --keep-serving); otherwise it returns after
	// the first session.
	KeepServing bool
	// AllowOtherUsers turns off the same-user check on TCP connections.
	// Only tests that cannot run as two users have a reason to set it.
	AllowOtherUsers bool
	// AllowRemote accepts clients on other machines, whose user cannot be
	// checked (ubpdbg dap --allow-remote); without it they are refused.
	AllowRemote bool
}

// Server serves DAP sessions.
type Server struct {
	cfg Config
	log *logger
	// noPrograms refuses launch and attach: the fuzz test feeds random
	// requests and must not start whatever program they name.
	noPrograms bool
}

// NewServer checks the configuration and makes a server.
func NewServer(cfg Config) (*Server, error) {
	l, err := newLogger(cfg.Log, cfg.LogOutput)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, log: l}, nil
}

// ServeConn runs one session over r and w (stdio, or one connection) and
// returns when it ends: the client disconnected or closed its end. The
// debuggee never outlives a session that launched it unless the client
// asked for that (disconnect with terminateDebuggee false).
func (s *Server) ServeConn(r io.Reader, w io.Writer) error {
	ss := newSession(s, r, w)
	err := ss.run()
	ss.linger()
	return err
}

// Serve accepts clients on ln, refusing those of other users, and serves
// each in its own session. It returns after the first session unless
// KeepServing is set; then it returns when ln is closed.
func (s *Server) Serve(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		if !s.cfg.AllowOtherUsers {
			if err := checkPeer(c, s.cfg.AllowRemote); err != nil {
				s.log.dap("refused: %v", err)
				// Say why in DAP terms, so a client of another user sees
				// a reason rather than a bare close.
				w := newWriter(c, s.log)
				w.send(&dap.OutputEvent{Event: newEvent("output"),
					Body: dap.OutputEventBody{Category: "important", Output: "ubpdbg: " + err.Error() + "\n"}})
				c.Close()
				continue
			}
		}
		if !s.cfg.KeepServing {
			defer ln.Close()
			err := s.ServeConn(c, c)
			c.Close()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if err := s.ServeConn(c, c); err != nil {
				s.log.dap("session from %s: %v", c.RemoteAddr(), err)
			}
		}()
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
