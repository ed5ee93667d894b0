package dap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// session is one client's DAP session: it reads requests one at a time on
// its own goroutine and answers each before reading the next, so responses
// come in request order. None of the engine calls it makes waits for the
// program (a continue or a step returns once the thread runs), so a
// request never waits behind a running thread; stops and everything else
// the engine reports arrive through the event pump (events.go).
type session struct {
	srv *Server
	log *logger
	in  *reader
	out *writer

	// after holds what must be sent after the current response (the
	// initialized event after launch's response, and the like).
	after []func()

	mu          sync.Mutex // guards the fields below against the event pump
	dbg         *debugger.Session
	launched    bool // we started the program (else we attached)
	stopOnEntry bool
	initialized bool // the client sent initialize
	configured  bool // the client sent configurationDone
	ended       bool // disconnect answered: stop reading
	detachedOwn int  // the pid of a launched program we detached from
	terminated  bool // the terminated event went out
	pumpDone    chan struct{}
	// Goroutines as threads (gothreads.go): whether the program is Go
	// (set by start), the goroutine each OS thread last stopped with, and
	// whether the cut threads list was explained.
	goIs        bool
	lastGo      map[int]int64
	toldGoLimit bool

	bps     bpOwners
	handles handles
	mods    modSet
	srcs    *sourceMap
	lists   listings
}

func newSession(srv *Server, r io.Reader, w io.Writer) *session {
	return &session{srv: srv, log: srv.log, in: newReader(r), out: newWriter(w, srv.log),
		bps: bpOwners{}, handles: newHandles()}
}

// run serves requests until the client disconnects or goes away. A client
// that goes away without disconnect gets the default disconnect: a
// launched program is killed, an attached one is detached and runs on.
func (s *session) run() error {
	defer s.cleanup()
	for {
		body, err := s.in.next()
		var fe *errFraming
		if errors.As(err, &fe) {
			s.log.dap("<- damaged input: %v", fe)
			s.notice("ignored damaged input from the client: " + fe.Error())
		} else if err != nil {
			if err == io.EOF {
				return nil
			}
			s.log.dap("<- read: %v", err)
			return nil // a client that closes mid-message is just gone
		}
		s.log.dap("<- %s", body)
		s.handle(body)
		if s.isEnded() {
			return nil
		}
	}
}

func (s *session) isEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// linger keeps a launched program's output flowing after we detached from
// it: its stdout and stderr are pipes that we read, and if we exited it
// would die of SIGPIPE at its next write. So we stay until it ends (its
// output then has nowhere to go and is dropped). The engine does not reap
// a detached child, so "ended" is "gone or a zombie".
func (s *session) linger() {
	s.mu.Lock()
	pid := s.detachedOwn
	s.mu.Unlock()
	if pid == 0 {
		return
	}
	s.log.dap("waiting for detached program %d to end", pid)
	for processRuns(pid) {
		time.Sleep(100 * time.Millisecond)
	}
}

// processRuns reports whether pid exists and is not a zombie.
func processRuns(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// cleanup ends the debuggee's session when the client is gone.
func (s *session) cleanup() {
	s.mu.Lock()
	dbg, launched, ended := s.dbg, s.launched, s.ended
	s.mu.Unlock()
	if dbg == nil || ended {
		return
	}
	s.log.dap("client gone: %s the program", map[bool]string{true: "killing", false: "detaching from"}[launched])
	if launched {
		dbg.Kill()
	} else {
		dbg.Detach()
	}
	s.waitPump(10 * time.Second)
}

// envelope is the part of a message we need to answer it even when the
// rest does not decode: its seq and command.
type envelope struct {
	Seq     int    `json:"seq"`
	Type    string `json:"type"`
	Command string `json:"command"`
}

// handle decodes one message and answers it. Nothing a client sends may end
// the session: a decoding problem gets an error response, a panic in a
// handler becomes an error response too (and a log line with the stack).
func (s *session) handle(body []byte) {
	var env envelope
	defer func() {
		if r := recover(); r != nil {
			s.log.dap("panic serving %q: %v\n%s", env.Command, r, debug.Stack())
			s.fail(env.Seq, env.Command, fmt.Sprintf("internal error serving %q: %v", env.Command, r))
		}
	}()
	if !json.Valid(body) {
		s.fail(0, "", "invalid JSON in a message ("+shorten(body)+")")
		return
	}
	// Type errors still fill the fields that are right, so we learn the
	// seq and command even if, say, the arguments are of the wrong type.
	if err := json.Unmarshal(body, &env); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			s.fail(0, "", "cannot read a message: "+err.Error())
			return
		}
	}
	switch env.Type {
	case "request":
	case "response":
		return // we send no reverse requests, so no answer is awaited
	default:
		s.fail(env.Seq, env.Command, fmt.Sprintf("message type %q is not a request", env.Type))
		return
	}
	msg, err := dap.DecodeProtocolMessage(body)
	if err != nil {
		var fe *dap.DecodeProtocolMessageFieldError
		if errors.As(err, &fe) && fe.FieldName == "command" {
			s.fail(env.Seq, env.Command, fmt.Sprintf("unknown request %q", env.Command))
		} else {
			s.fail(env.Seq, env.Command, fmt.Sprintf("bad arguments for %q: %v", env.Command, err))
		}
		return
	}
	req, ok := msg.(dap.RequestMessage)
	if !ok {
		s.fail(env.Seq, env.Command, "not a request")
		return
	}
	s.after = nil
	resp, err := s.dispatch(req, body)
	r := req.GetRequest()
	if err != nil {
		s.fail(r.Seq, r.Command, err.Error())
	} else {
		*resp.GetResponse() = dap.Response{ProtocolMessage: dap.ProtocolMessage{Type: "response"},
			RequestSeq: r.Seq, Success: true, Command: r.Command}
		s.out.send(resp)
	}
	for _, f := range s.after {
		f()
	}
	s.after = nil
}

// shorten quotes the start of a bad message for an error text.
func shorten(b []byte) string {
	if len(b) > 60 {
		return fmt.Sprintf("%q...", b[:60])
	}
	return fmt.Sprintf("%q", b)
}

// fail sends an error response. The text goes into both message and the
// error body's format: VS Code shows the latter, other clients the former.
func (s *session) fail(seq int, command, text string) {
	s.out.send(&dap.ErrorResponse{
		Response: dap.Response{ProtocolMessage: dap.ProtocolMessage{Type: "response"},
			RequestSeq: seq, Success: false, Command: command, Message: text},
		Body: dap.ErrorResponseBody{Error: &dap.ErrorMessage{Id: 1, Format: text, ShowUser: true}},
	})
}

// notice tells the user something through the debug console.
func (s *session) notice(text string) {
	s.out.send(&dap.OutputEvent{Event: newEvent("output"), Body: dap.OutputEventBody{Category: "important", Output: text + "\n"}})
}

func newEvent(name string) dap.Event {
	return dap.Event{ProtocolMessage: dap.ProtocolMessage{Type: "event"}, Event: name}
}

// errNoProgram answers requests that need a program before there is one.
var errNoProgram = errors.New("no program yet: send launch or attach first")

// debuggee returns the session's program, or an error for requests that
// arrive before launch or attach (or after it ended).
func (s *session) debuggee() (*debugger.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbg == nil {
		return nil, errNoProgram
	}
	if s.terminated {
		return nil, errors.New("the program has ended")
	}
	return s.dbg, nil
}

// dispatch serves one decoded request. It returns the response with its
// body filled in (the header is filled by handle), or an error.
func (s *session) dispatch(req dap.RequestMessage, raw []byte) (dap.ResponseMessage, error) {
	switch r := req.(type) {
	case *dap.InitializeRequest:
		return s.onInitialize(r)
	case *dap.DisconnectRequest:
		return s.onDisconnect(r, raw)
	}
	if !s.isInitialized() {
		return nil, errors.New("send initialize first")
	}
	switch r := req.(type) {
	case *dap.LaunchRequest:
		return s.onLaunch(r)
	case *dap.AttachRequest:
		return s.onAttach(r)
	case *dap.ConfigurationDoneRequest:
		return s.onConfigurationDone(r)
	case *dap.TerminateRequest:
		return s.onTerminate(r)
	case *dap.RestartRequest:
		return s.onRestart(r)
	case *dap.SetBreakpointsRequest:
		return s.onSetBreakpoints(r)
	case *dap.SetFunctionBreakpointsRequest:
		return s.onSetFunctionBreakpoints(r)
	case *dap.DataBreakpointInfoRequest:
		return s.onDataBreakpointInfo(r)
	case *dap.SetDataBreakpointsRequest:
		return s.onSetDataBreakpoints(r)
	case *dap.SetInstructionBreakpointsRequest:
		return s.onSetInstructionBreakpoints(r)
	case *dap.SetExceptionBreakpointsRequest:
		return s.onSetExceptionBreakpoints(r)
	case *dap.ExceptionInfoRequest:
		return s.onExceptionInfo(r)
	case *dap.BreakpointLocationsRequest:
		return s.onBreakpointLocations(r)
	case *dap.ThreadsRequest:
		return s.onThreads(r)
	case *dap.StackTraceRequest:
		return s.onStackTrace(r)
	case *dap.ScopesRequest:
		return s.onScopes(r)
	case *dap.VariablesRequest:
		return s.onVariables(r)
	case *dap.SetVariableRequest:
		return s.onSetVariable(r)
	case *dap.EvaluateRequest:
		return s.onEvaluate(r)
	case *dap.ContinueRequest:
		return s.onContinue(r)
	case *dap.NextRequest:
		return s.onNext(r)
	case *dap.StepInRequest:
		return s.onStepIn(r)
	case *dap.StepOutRequest:
		return s.onStepOut(r)
	case *dap.PauseRequest:
		return s.onPause(r)
	case *dap.ReadMemoryRequest:
		return s.onReadMemory(r)
	case *dap.WriteMemoryRequest:
		return s.onWriteMemory(r)
	case *dap.DisassembleRequest:
		return s.onDisassemble(r)
	case *dap.ModulesRequest:
		return s.onModules(r)
	case *dap.LoadedSourcesRequest:
		return s.onLoadedSources(r)
	case *dap.SourceRequest:
		return s.onSource(r)
	}
	return nil, fmt.Errorf("request %q is not supported by ubpdbg", req.GetRequest().Command)
}

func (s *session) isInitialized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initialized
}

// waitPump waits for the event pump to finish (the terminated event sent).
func (s *session) waitPump(d time.Duration) {
	s.mu.Lock()
	done := s.pumpDone
	s.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(d):
		s.log.dap("the program's events did not end within %v", d)
	}
}
