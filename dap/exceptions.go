package dap

import (
	"fmt"
	"strings"

	"github.com/google/go-dap"
	"golang.org/x/sys/unix"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// Exception stops as DAP's exception filters: which signals stop a thread
// (the engine's signal table), C++ throw and catch, Go's unrecovered
// panics and fatal errors.

const (
	filterFatal    = "signals-fatal"
	filterAll      = "signals-all"
	filterCxxThrow = "cpp-throw"
	filterCxxCatch = "cpp-catch"
	filterGoPanic  = "go-panic"
	filterGoFatal  = "go-fatal"
)

// goFilters are the filters of Go failures, by the engine's kind.
var goFilters = map[string]string{filterGoPanic: debugger.GoPanic, filterGoFatal: debugger.GoFatal}

// cxxFilters are the filters that are C++ catchpoints, by kind.
var cxxFilters = map[string]string{filterCxxThrow: "throw", filterCxxCatch: "catch"}

// exceptionFilters are offered in the capabilities, in the order VS Code
// shows them.
func exceptionFilters() []dap.ExceptionBreakpointsFilter {
	return []dap.ExceptionBreakpointsFilter{
		{Filter: filterFatal, Label: "Fatal signals", Default: true,
			Description: "A crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS) stops the thread before the program dies; continuing delivers it"},
		{Filter: filterAll, Label: "All signals",
			Description: "Every signal the program receives stops the thread that gets it (not SIGTRAP, which the debugger uses)"},
		{Filter: filterCxxThrow, Label: "C++: on throw",
			Description: "Every C++ throw stops the throwing thread in __cxa_throw, with the type thrown"},
		{Filter: filterCxxCatch, Label: "C++: on catch",
			Description: "Every C++ catch stops the thread in __cxa_begin_catch, with the type caught"},
		{Filter: filterGoPanic, Label: "Go: unrecovered panics", Default: true,
			Description: "A panic that no deferred call recovers stops its goroutine's thread, with the panic's value, before the runtime prints it; continuing lets the program die"},
		{Filter: filterGoFatal, Label: "Go: fatal errors", Default: true,
			Description: "A fatal error of the Go runtime (concurrent map writes, deadlock, unlock of an unlocked mutex) stops the thread before the program dies"},
	}
}

func (s *session) onSetExceptionBreakpoints(r *dap.SetExceptionBreakpointsRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	on := map[string]bool{}
	for _, f := range r.Arguments.Filters {
		known := false
		for _, k := range exceptionFilters() {
			known = known || k.Filter == f
		}
		if !known {
			return nil, fmt.Errorf("no exception filter %q (there are %s)", f, filterNames())
		}
		on[f] = true
	}
	if len(r.Arguments.FilterOptions) > 0 || len(r.Arguments.ExceptionOptions) > 0 {
		return nil, fmt.Errorf("exception filter options and conditions are not supported; use filters")
	}
	for _, row := range dbg.SignalTable() {
		h := row.Handling
		switch {
		case on[filterAll]:
			h.Stop = debugger.StopAlways
		case on[filterFatal] && isCrash(row.Signal):
			h.Stop = debugger.StopFatal
		default:
			h.Stop = debugger.StopNever
		}
		if row.Signal == unix.SIGTRAP || row.Signal == unix.SIGKILL || row.Signal == unix.SIGSTOP {
			continue
		}
		if err := dbg.HandleSignal(row.Signal, h); err != nil {
			return nil, err
		}
	}
	for f, kind := range goFilters {
		if err := dbg.SetStopOnGoFailure(kind, on[f]); err != nil {
			return nil, err
		}
	}
	var specs []breakpoints.Spec
	var specFilter []string
	for _, k := range exceptionFilters() {
		if kind, ok := cxxFilters[k.Filter]; ok && on[k.Filter] {
			f := k.Filter
			spec, err := debugger.CxxCatchSpec(kind)
			if err != nil {
				return nil, err
			}
			specs, specFilter = append(specs, spec), append(specFilter, f)
		}
	}
	placed, err := s.replace(keyException, specs, nil, nil)
	if err != nil {
		return nil, err
	}
	// One answer per filter, in the request's order; a catchpoint's is
	// its breakpoint (unverified while libstdc++ is not loaded).
	out := make([]dap.Breakpoint, len(r.Arguments.Filters))
	for i, f := range r.Arguments.Filters {
		out[i].Verified = true
		for j, sf := range specFilter {
			if sf == f {
				out[i] = placed[j]
			}
		}
	}
	return &dap.SetExceptionBreakpointsResponse{Body: dap.SetExceptionBreakpointsResponseBody{Breakpoints: out}}, nil
}

// isCrash: the signals that the fatal filter stops at.
func isCrash(sig unix.Signal) bool {
	return debugger.DefaultSignalHandling(sig).Stop == debugger.StopFatal
}

func filterNames() string {
	var names []string
	for _, f := range exceptionFilters() {
		names = append(names, f.Filter)
	}
	return strings.Join(names, ", ")
}

func (s *session) onExceptionInfo(r *dap.ExceptionInfoRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	tid, err := s.threadOf(dbg, r.Arguments.ThreadId, "report")
	if err != nil {
		return nil, err
	}
	e, ok := dbg.ExceptionOf(tid)
	if !ok {
		return nil, fmt.Errorf("thread %d is not stopped on an exception", r.Arguments.ThreadId)
	}
	mode := dap.ExceptionBreakMode("always")
	if e.Fatal {
		mode = "unhandled"
	}
	return &dap.ExceptionInfoResponse{Body: dap.ExceptionInfoResponseBody{ExceptionId: e.ID, Description: e.Description,
		BreakMode: mode, Details: &dap.ExceptionDetails{Message: e.Description, TypeName: e.ID}}}, nil
}
