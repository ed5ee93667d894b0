package dap

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// capabilities are what we tell the client we can do; each one is backed
// by a handler and a test. Step back, goto, completions and cancel are
// not offered, and their requests get an error saying so.
func capabilities() dap.Capabilities {
	return dap.Capabilities{
		SupportsConfigurationDoneRequest:      true,
		ExceptionBreakpointFilters:            exceptionFilters(),
		SupportsExceptionInfoRequest:          true,
		SupportsConditionalBreakpoints:        true,
		SupportsHitConditionalBreakpoints:     true,
		SupportsLogPoints:                     true,
		SupportsFunctionBreakpoints:           true,
		SupportsInstructionBreakpoints:        true,
		SupportsDataBreakpoints:               true,
		SupportsBreakpointLocationsRequest:    true,
		SupportsSteppingGranularity:           true,
		SupportsSingleThreadExecutionRequests: true,
		SupportsSetVariable:                   true,
		SupportsEvaluateForHovers:             true,
		SupportsReadMemoryRequest:             true,
		SupportsWriteMemoryRequest:            true,
		SupportsDisassembleRequest:            true,
		SupportsLoadedSourcesRequest:          true,
		SupportsModulesRequest:                true,
		SupportsTerminateRequest:              true,
		SupportTerminateDebuggee:              true,
		SupportsRestartRequest:                true,
		SupportsValueFormattingOptions:        true,
	}
}

func (s *session) onInitialize(r *dap.InitializeRequest) (dap.ResponseMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initialized {
		return nil, errors.New("initialize was already sent")
	}
	// Lines and columns are numbered from 1. go-dap's linesStartAt1 is a
	// plain bool, so a client that leaves it out (meaning true) cannot be
	// told from one that says false; every client we know says true.
	s.initialized = true
	return &dap.InitializeResponse{Body: capabilities()}, nil
}

// launchArgs are the launch request's arguments (DAP leaves them to the
// adapter; these are the ones docs/dap.md lists).
type launchArgs struct {
	Program     string             `json:"program"`
	Args        []string           `json:"args"`
	Cwd         string             `json:"cwd"`
	Env         map[string]*string `json:"env"` // null removes a variable, as in VS Code
	StopOnEntry bool               `json:"stopOnEntry"`
	StopMode    string             `json:"stopMode"`
	// Stdin is a file the program reads as its standard input (relative
	// to cwd); without it the program reads an empty input.
	Stdin string `json:"stdin"`
}

// attachArgs are the attach request's arguments. processId may come as a
// string (VS Code's ${command:pickProcess} gives one).
type attachArgs struct {
	ProcessID json.RawMessage `json:"processId"`
	StopMode  string          `json:"stopMode"`
}

// decodeArgs decodes a request's raw arguments strictly enough that a
// wrong type is an error, not a silently empty field.
func decodeArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return errors.New("arguments missing")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bad arguments: %v", err)
	}
	return nil
}

func (s *session) onLaunch(r *dap.LaunchRequest) (dap.ResponseMessage, error) {
	var a launchArgs
	if err := decodeArgs(r.Arguments, &a); err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	if a.Program == "" {
		return nil, errors.New("launch: program is missing")
	}
	mode, err := debugger.ParseStopMode(a.StopMode)
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	if s.srv.noPrograms {
		s.unclaim()
		return nil, errors.New("this server starts no programs")
	}
	prog := a.Program
	if !filepath.IsAbs(prog) && a.Cwd != "" && strings.Contains(prog, "/") {
		prog = filepath.Join(a.Cwd, prog)
	}
	stdin, err := launchStdin(a.Stdin, a.Cwd)
	if err != nil {
		s.unclaim()
		return nil, fmt.Errorf("launch: %w", err)
	}
	dbg, err := debugger.Launch(debugger.LaunchConfig{
		Config:  s.engineConfig(mode),
		Program: prog, Args: a.Args, Env: mergeEnv(os.Environ(), a.Env), Dir: a.Cwd,
		Stdin:  stdin,
		Stdout: outputWriter{s, "stdout"}, Stderr: outputWriter{s, "stderr"},
		StopOnEntry: a.StopOnEntry,
	})
	if err != nil {
		s.unclaim()
		return nil, fmt.Errorf("launch %s: %w", prog, err)
	}
	s.start(dbg, true, a.StopOnEntry)
	s.after = append(s.after, s.sendInitialized)
	return &dap.LaunchResponse{}, nil
}

// launchStdin is the program's standard input: the launch's stdin file,
// else an empty input (never ours: over stdio our stdin is the client's
// requests). The file stays open for restarts; the session's debugger
// holds it, and it is closed when that is let go.
func launchStdin(path, cwd string) (io.Reader, error) {
	if path == "" {
		return strings.NewReader(""), nil
	}
	if !filepath.IsAbs(path) && cwd != "" {
		path = filepath.Join(cwd, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("stdin: %s is a directory", path)
	}
	return f, nil
}

func (s *session) onAttach(r *dap.AttachRequest) (dap.ResponseMessage, error) {
	var a attachArgs
	if err := decodeArgs(r.Arguments, &a); err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	pid, err := parsePid(a.ProcessID)
	if err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	mode, err := debugger.ParseStopMode(a.StopMode)
	if err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	if s.srv.noPrograms {
		s.unclaim()
		return nil, errors.New("this server attaches to no programs")
	}
	dbg, err := debugger.Attach(pid, s.engineConfig(mode))
	if err != nil {
		s.unclaim()
		return nil, fmt.Errorf("attach to %d: %w", pid, err)
	}
	s.start(dbg, false, false)
	s.after = append(s.after, s.sendInitialized)
	return &dap.AttachResponse{}, nil
}

// engineConfig is the debugger configuration of a session: conditions and
// logpoint messages are evaluated by package eval through the debugger's
// own evaluator.
func (s *session) engineConfig(mode debugger.StopMode) debugger.Config {
	return debugger.Config{StopMode: mode, Log: s.log.engine()}
}

func parsePid(raw json.RawMessage) (int, error) {
	if len(raw) == 0 {
		return 0, errors.New("processId is missing")
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return 0, fmt.Errorf("processId %s is not a number", raw)
		}
		if n, err = strconv.Atoi(strings.TrimSpace(str)); err != nil {
			return 0, fmt.Errorf("processId %q is not a number", str)
		}
	}
	if n <= 0 {
		return 0, fmt.Errorf("processId %d is not a process", n)
	}
	return n, nil
}

// claimed marks that a launch or attach is under way, so a second one is
// refused at once rather than racing the first.
var errBusy = errors.New("this session already has a program (one launch or attach per session)")

func (s *session) claim() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbg != nil || s.pumpDone != nil {
		return errBusy
	}
	s.pumpDone = make(chan struct{})
	return nil
}

func (s *session) unclaim() {
	s.mu.Lock()
	s.pumpDone = nil
	s.mu.Unlock()
}

// start records the program and starts the event pump.
func (s *session) start(dbg *debugger.Session, launched, stopOnEntry bool) {
	isGo := dbg.IsGo() // here, not in the pump: it asks the ptrace thread
	s.mu.Lock()
	s.dbg, s.launched, s.stopOnEntry = dbg, launched, stopOnEntry
	s.goIs, s.lastGo = isGo, map[int]int64{}
	done := s.pumpDone
	s.mods = newModSet(dbg.Symbols())
	s.mu.Unlock()
	dbg.Symbols().IndexInBackground() // functions and files: the first requests need them
	go s.pump(dbg, done)
	method := "attach"
	if launched {
		method = "launch"
	}
	s.after = append(s.after, func() {
		s.out.send(&dap.ProcessEvent{Event: newEvent("process"), Body: dap.ProcessEventBody{
			Name: processName(dbg.Pid()), SystemProcessId: dbg.Pid(), IsLocalProcess: true, StartMethod: method, PointerSize: 64}})
	})
}

// processName is the program's path as the kernel knows it.
func processName(pid int) string {
	if p, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil {
		return p
	}
	return strconv.Itoa(pid)
}

func (s *session) sendInitialized() {
	s.out.send(&dap.InitializedEvent{Event: newEvent("initialized")})
}

// mergeEnv applies a launch request's env map to a base environment.
func mergeEnv(base []string, m map[string]*string) []string {
	if len(m) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(m))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := m[k]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := m[k]; v != nil {
			out = append(out, k+"="+*v)
		}
	}
	return out
}

func (s *session) onConfigurationDone(r *dap.ConfigurationDoneRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.configured {
		s.mu.Unlock()
		return nil, errors.New("configurationDone was already sent")
	}
	s.configured = true
	launched, entry := s.launched, s.stopOnEntry
	s.mu.Unlock()
	if !launched {
		return &dap.ConfigurationDoneResponse{}, nil // an attached program never stopped
	}
	if entry {
		// The engine holds a launched program at its first instruction
		// without an event; say so now, as the client asked to see it.
		pid := s.clientThread(dbg, dbg.Pid())
		s.after = append(s.after, func() {
			s.out.send(&dap.StoppedEvent{Event: newEvent("stopped"), Body: dap.StoppedEventBody{
				Reason: "entry", Description: "entry", ThreadId: pid, AllThreadsStopped: true}})
		})
		return &dap.ConfigurationDoneResponse{}, nil
	}
	if err := dbg.ContinueAll(); err != nil {
		return nil, fmt.Errorf("start the program: %w", err)
	}
	return &dap.ConfigurationDoneResponse{}, nil
}

// onRestart starts a launched program again (debugger.Session.Restart):
// killed first if it still runs, with the same launch arguments (a restart
// request's new ones are not applied) and the same breakpoints, then run
// or, with stopOnEntry, stopped at its entry as the first launch was. The
// old program's end is not the session's: it gets no terminated event.
func (s *session) onRestart(r *dap.RestartRequest) (dap.ResponseMessage, error) {
	s.mu.Lock()
	old, launched, entry, wasTerminated := s.dbg, s.launched, s.stopOnEntry, s.terminated
	if old != nil && launched {
		s.terminated = true // the old pump ends without sending terminated
	}
	s.mu.Unlock()
	switch {
	case old == nil:
		return nil, errNoProgram
	case !launched:
		return nil, errors.New("restart: the program was attached to, not launched: there is nothing to start again")
	}
	ns, err := old.Restart()
	s.waitPump(10 * time.Second)
	if err != nil {
		if !wasTerminated {
			s.mu.Lock()
			s.terminated = false
			s.mu.Unlock()
			s.sendTerminated() // the program is gone and no new one runs
		}
		return nil, err
	}
	s.handles.dropAll()
	s.mu.Lock()
	s.terminated = false
	s.pumpDone = make(chan struct{})
	s.mu.Unlock()
	s.start(ns, true, entry)
	if entry {
		pid := s.clientThread(ns, ns.Pid())
		s.after = append(s.after, func() {
			s.out.send(&dap.StoppedEvent{Event: newEvent("stopped"), Body: dap.StoppedEventBody{
				Reason: "entry", Description: "entry", ThreadId: pid, AllThreadsStopped: true}})
		})
		return &dap.RestartResponse{}, nil
	}
	if err := ns.ContinueAll(); err != nil {
		return nil, fmt.Errorf("restart: start the program: %w", err)
	}
	return &dap.RestartResponse{}, nil
}

// disconnectArgs is DAP's DisconnectArguments with terminateDebuggee as a
// pointer: go-dap's field is a bool with omitempty, which cannot tell
// "false" (detach from a launched program) from "not given" (kill it).
type disconnectArgs struct {
	TerminateDebuggee *bool `json:"terminateDebuggee"`
}

func (s *session) onDisconnect(r *dap.DisconnectRequest, raw []byte) (dap.ResponseMessage, error) {
	var msg struct {
		Arguments disconnectArgs `json:"arguments"`
	}
	json.Unmarshal(raw, &msg) // go-dap decoded it already; types are right
	s.mu.Lock()
	dbg, launched := s.dbg, s.launched
	s.ended = true
	s.mu.Unlock()
	if dbg != nil {
		terminate := launched
		if t := msg.Arguments.TerminateDebuggee; t != nil {
			terminate = *t
		}
		var err error
		if terminate {
			err = dbg.Kill()
		} else {
			err = dbg.Detach()
			if launched && err == nil {
				s.mu.Lock()
				s.detachedOwn = dbg.Pid()
				s.mu.Unlock()
			}
		}
		if err != nil {
			s.log.dap("disconnect: %v", err)
		}
		// The terminated event goes out before the response, so the client
		// has heard the end of the program when it closes.
		s.waitPump(10 * time.Second)
	}
	return &dap.DisconnectResponse{}, nil
}

// onTerminate kills the program (launched or attached: the client asked
// for its end); the exited and terminated events follow.
func (s *session) onTerminate(r *dap.TerminateRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	if err := dbg.Kill(); err != nil {
		return nil, fmt.Errorf("terminate: %w", err)
	}
	return &dap.TerminateResponse{}, nil
}

// outputWriter turns the program's stdout or stderr into output events.
type outputWriter struct {
	s   *session
	cat string
}

func (o outputWriter) Write(p []byte) (int, error) {
	o.s.out.send(&dap.OutputEvent{Event: newEvent("output"), Body: dap.OutputEventBody{Category: o.cat, Output: string(p)}})
	return len(p), nil
}
