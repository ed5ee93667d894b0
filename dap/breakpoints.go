package dap

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// bpOwners remembers which engine breakpoints each DAP breakpoint set owns:
// DAP replaces a set as a whole (every breakpoint of one source file, all
// function breakpoints, all instruction breakpoints), and the engine keeps
// the IDs and hit counts of the ones that did not change. Only the request
// loop uses owned; sources is read by the event pump too, under the
// session's mutex.
type bpOwners struct {
	owned   map[string][]int
	sources map[int]*dap.Source // a source breakpoint's ID -> the client's source
	data    []dataOwned         // the data breakpoints (watch.go)
}

const (
	keyFunction    = "function"
	keyInstruction = "instruction"
	keyException   = "exception" // the C++ catchpoints of the exception filters
)

// toDAP describes an engine breakpoint for the client. A source breakpoint
// is shown in the client's own source (its path may be spelled otherwise
// than in the DWARF), at the line the engine moved it to.
func (s *session) toDAP(dbg *debugger.Session, info breakpoints.Info, src *dap.Source) dap.Breakpoint {
	b := dap.Breakpoint{Id: info.ID, Verified: info.Verified, Message: info.Message}
	if src == nil {
		s.mu.Lock()
		src = s.bps.sources[info.ID]
		s.mu.Unlock()
	}
	if len(info.Locations) > 0 {
		l := info.Locations[0]
		b.InstructionReference = fmt.Sprintf("%#x", l.Addr)
		if l.Line > 0 {
			b.Line = l.Line
			if src == nil && l.File != "" {
				src = &dap.Source{Name: filepath.Base(l.File), Path: l.File}
			}
		}
		if len(info.Locations) > 1 && b.Message == "" {
			b.Message = fmt.Sprintf("%d locations", len(info.Locations))
		}
	}
	b.Source = src
	return b
}

// replace replaces the set key with specs and returns the client's view.
// lines gives each spec's requested line, used while it is unverified.
func (s *session) replace(key string, specs []breakpoints.Spec, src *dap.Source, lines []int) ([]dap.Breakpoint, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	if s.bps.owned == nil {
		s.bps.owned = map[string][]int{}
	}
	infos, ids := dbg.ReplaceBreakpoints(s.bps.owned[key], specs)
	if len(infos) != len(specs) || len(ids) != len(specs) {
		// ReplaceBreakpoints reports no error of its own: fewer results
		// mean the engine could not reach the program (it has ended).
		return nil, errors.New("cannot set breakpoints: the program is gone")
	}
	s.mu.Lock()
	if s.bps.sources == nil {
		s.bps.sources = map[int]*dap.Source{}
	}
	for _, id := range s.bps.owned[key] {
		delete(s.bps.sources, id)
	}
	var keep []int
	for _, id := range ids {
		if id != 0 {
			keep = append(keep, id)
			if src != nil {
				s.bps.sources[id] = src
			}
		}
	}
	s.mu.Unlock()
	s.bps.owned[key] = keep
	out := make([]dap.Breakpoint, len(infos))
	for i, info := range infos {
		info.ID = ids[i]
		out[i] = s.toDAP(dbg, info, src)
		if out[i].Line == 0 && lines != nil {
			out[i].Line = lines[i]
		}
	}
	return out, nil
}

// sourcePath is the file a DAP source names: its path, else its name.
func sourcePath(src dap.Source) (string, error) {
	if src.Path != "" {
		return src.Path, nil
	}
	if src.Name != "" {
		return src.Name, nil
	}
	return "", errors.New("the source has neither path nor name")
}

func (s *session) onSetBreakpoints(r *dap.SetBreakpointsRequest) (dap.ResponseMessage, error) {
	path, err := sourcePath(r.Arguments.Source)
	if err != nil {
		return nil, err
	}
	bps := r.Arguments.Breakpoints
	if bps == nil {
		// The deprecated form: lines only.
		for _, l := range r.Arguments.Lines {
			bps = append(bps, dap.SourceBreakpoint{Line: l})
		}
	}
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	file := s.specFile(dbg.Symbols(), path)
	specs := make([]breakpoints.Spec, len(bps))
	lines := make([]int, len(bps))
	for i, b := range bps {
		specs[i] = breakpoints.Spec{Location: fmt.Sprintf("%s:%d", file, b.Line),
			Cond: b.Condition, HitCond: b.HitCondition, Log: b.LogMessage}
		lines[i] = b.Line
	}
	src := r.Arguments.Source
	out, err := s.replace("source:"+path, specs, &src, lines)
	if err != nil {
		return nil, err
	}
	return &dap.SetBreakpointsResponse{Body: dap.SetBreakpointsResponseBody{Breakpoints: out}}, nil
}

func (s *session) onSetFunctionBreakpoints(r *dap.SetFunctionBreakpointsRequest) (dap.ResponseMessage, error) {
	specs := make([]breakpoints.Spec, len(r.Arguments.Breakpoints))
	for i, b := range r.Arguments.Breakpoints {
		specs[i] = breakpoints.Spec{Location: b.Name, Cond: b.Condition, HitCond: b.HitCondition}
	}
	out, err := s.replace(keyFunction, specs, nil, nil)
	if err != nil {
		return nil, err
	}
	return &dap.SetFunctionBreakpointsResponse{Body: dap.SetFunctionBreakpointsResponseBody{Breakpoints: out}}, nil
}

func (s *session) onSetInstructionBreakpoints(r *dap.SetInstructionBreakpointsRequest) (dap.ResponseMessage, error) {
	specs := make([]breakpoints.Spec, len(r.Arguments.Breakpoints))
	for i, b := range r.Arguments.Breakpoints {
		addr, err := parseAddr(b.InstructionReference, int64(b.Offset))
		if err != nil {
			// One bad reference must not lose the others: the engine
			// reports it as an unverified breakpoint with this message.
			specs[i] = breakpoints.Spec{Location: "*" + b.InstructionReference}
			continue
		}
		specs[i] = breakpoints.Spec{Location: fmt.Sprintf("*%#x", addr), Cond: b.Condition, HitCond: b.HitCondition}
	}
	out, err := s.replace(keyInstruction, specs, nil, nil)
	if err != nil {
		return nil, err
	}
	return &dap.SetInstructionBreakpointsResponse{Body: dap.SetInstructionBreakpointsResponseBody{Breakpoints: out}}, nil
}

// maxLocationLines bounds one breakpointLocations request, which resolves
// each line of its range.
const maxLocationLines = 2000

func (s *session) onBreakpointLocations(r *dap.BreakpointLocationsRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	path, err := sourcePath(r.Arguments.Source)
	if err != nil {
		return nil, err
	}
	first, last := r.Arguments.Line, r.Arguments.EndLine
	if last < first {
		last = first
	}
	if first <= 0 {
		return nil, fmt.Errorf("bad line %d", first)
	}
	if last-first >= maxLocationLines {
		last = first + maxLocationLines - 1
	}
	file := s.specFile(dbg.Symbols(), path)
	seen := map[int]bool{}
	for l := first; l <= last; l++ {
		// ResolveLines moves a line without code to the next one with
		// code; only lines that have code of their own are locations.
		locs, err := dbg.Symbols().ResolveLines(fmt.Sprintf("%s:%d", file, l))
		if err != nil {
			continue
		}
		for _, loc := range locs {
			if loc.Line >= first && loc.Line <= last {
				seen[loc.Line] = true
			}
		}
	}
	lines := make([]int, 0, len(seen))
	for l := range seen {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	out := make([]dap.BreakpointLocation, len(lines))
	for i, l := range lines {
		out[i] = dap.BreakpointLocation{Line: l}
	}
	return &dap.BreakpointLocationsResponse{Body: dap.BreakpointLocationsResponseBody{Breakpoints: out}}, nil
}
