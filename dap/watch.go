package dap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/eval"
)

// Data breakpoints are the engine's hardware watchpoints. A data ID names
// what dataBreakpointInfo found: "ADDR/SIZE/TID/FRAME/EXPR". The client
// sends it back in setDataBreakpoints, perhaps after the thread has run:
// the expression is evaluated again (in that thread's frame if it is still
// stopped, else without a frame) and must still be at ADDR.

// dataID is the parsed form of a data ID.
type dataID struct {
	addr       uint64
	size       int
	tid, frame int
	expr       string
}

func (d dataID) String() string {
	return fmt.Sprintf("%#x/%d/%d/%d/%s", d.addr, d.size, d.tid, d.frame, d.expr)
}

func parseDataID(s string) (dataID, error) {
	f := strings.SplitN(s, "/", 5)
	if len(f) != 5 || f[4] == "" {
		return dataID{}, fmt.Errorf("data ID %q is not one that dataBreakpointInfo gave", s)
	}
	var d dataID
	var errs [4]error
	d.addr, errs[0] = strconv.ParseUint(f[0], 0, 64)
	d.size, errs[1] = strconv.Atoi(f[1])
	d.tid, errs[2] = strconv.Atoi(f[2])
	d.frame, errs[3] = strconv.Atoi(f[3])
	if err := errors.Join(errs[:]...); err != nil {
		return dataID{}, fmt.Errorf("data ID %q is not one that dataBreakpointInfo gave", s)
	}
	d.expr = f[4]
	return d, nil
}

func (s *session) onDataBreakpointInfo(r *dap.DataBreakpointInfoRequest) (dap.ResponseMessage, error) {
	a := r.Arguments
	if strings.TrimSpace(a.Name) == "" {
		return nil, errors.New("no name to watch")
	}
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	var ctx *eval.Context
	var fr frameRef
	src := a.Name
	switch {
	case a.VariablesReference != 0:
		ref, err := s.handles.variable(a.VariablesReference)
		if err != nil {
			return nil, err
		}
		found, err := s.named(ref, a.Name)
		if err != nil {
			return nil, err
		}
		if found.Expr == "" {
			return unwatchable(a.Name, "no expression names it"), nil
		}
		src = found.Expr
		if ctx, fr, err = s.context(ref.frame); err != nil {
			return nil, err
		}
	case a.FrameId != 0:
		if ctx, fr, err = s.context(a.FrameId); err != nil {
			return nil, err
		}
	default:
		if ctx, err = dbg.GlobalContext(); err != nil {
			return nil, err
		}
	}
	v, err := ctx.Eval(src)
	if err != nil {
		return unwatchable(a.Name, err.Error()), nil
	}
	if v.Addr == 0 || v.Size() <= 0 {
		return unwatchable(a.Name, "it is not in memory"), nil
	}
	id := dataID{addr: v.Addr, size: int(v.Size()), tid: max(fr.tid, 0), frame: fr.index, expr: src}
	return &dap.DataBreakpointInfoResponse{Body: dap.DataBreakpointInfoResponseBody{
		DataId:      id.String(),
		Description: fmt.Sprintf("%s (%d bytes at %#x)", src, id.size, id.addr),
		AccessTypes: []dap.DataBreakpointAccessType{"write", "read", "readWrite"},
	}}, nil
}

// unwatchable is the answer for what cannot be watched: no data ID, and
// the reason in the description, as the protocol asks.
func unwatchable(name, why string) *dap.DataBreakpointInfoResponse {
	return &dap.DataBreakpointInfoResponse{Body: dap.DataBreakpointInfoResponseBody{
		DataId: nil, Description: fmt.Sprintf("%s cannot be watched: %s", name, why)}}
}

// onSetDataBreakpoints replaces the client's data breakpoints. One that
// did not change keeps its watchpoint (its number, hits and registers);
// the rest are deleted first, so that their debug registers are free for
// the new ones. One that cannot be set is unverified with the reason.
func (s *session) onSetDataBreakpoints(r *dap.SetDataBreakpointsRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	old := s.bps.data
	s.mu.Unlock()
	keep := map[int]bool{}
	reuse := make([]int, len(r.Arguments.Breakpoints))
	for i, b := range r.Arguments.Breakpoints {
		for _, o := range old {
			if o.req == b && !keep[o.id] {
				keep[o.id] = true
				reuse[i] = o.id
				break
			}
		}
	}
	for _, o := range old {
		if !keep[o.id] {
			if err := dbg.ClearBreakpoint(o.id); err != nil {
				s.log.printf("engine", "data breakpoint %d: %v", o.id, err)
			}
		}
	}
	var now []dataOwned
	out := make([]dap.Breakpoint, len(r.Arguments.Breakpoints))
	for i, b := range r.Arguments.Breakpoints {
		if reuse[i] != 0 {
			out[i] = dap.Breakpoint{Id: reuse[i], Verified: true}
			now = append(now, dataOwned{id: reuse[i], req: b})
			continue
		}
		info, err := s.setWatch(dbg, b)
		if err != nil {
			out[i] = dap.Breakpoint{Verified: false, Message: err.Error()}
			continue
		}
		out[i] = dap.Breakpoint{Id: info.ID, Verified: true, Message: fmt.Sprintf("%s (%d bytes at %#x)", info.Spec.Expr, info.Size, info.Addr)}
		now = append(now, dataOwned{id: info.ID, req: b})
	}
	s.mu.Lock()
	s.bps.data = now
	s.mu.Unlock()
	return &dap.SetDataBreakpointsResponse{Body: dap.SetDataBreakpointsResponseBody{Breakpoints: out}}, nil
}

// dataOwned is a data breakpoint the client has, with its engine number.
type dataOwned struct {
	id  int
	req dap.DataBreakpoint
}

func (s *session) setWatch(dbg *debugger.Session, b dap.DataBreakpoint) (debugger.WatchInfo, error) {
	id, err := parseDataID(b.DataId)
	if err != nil {
		return debugger.WatchInfo{}, err
	}
	kind := map[dap.DataBreakpointAccessType]debugger.WatchKind{"": debugger.WatchWrite, "write": debugger.WatchWrite,
		"read": debugger.WatchRead, "readWrite": debugger.WatchAccess}[b.AccessType]
	if kind == 0 {
		return debugger.WatchInfo{}, fmt.Errorf("unknown access type %q: want write, read or readWrite", b.AccessType)
	}
	spec := debugger.WatchSpec{Expr: id.expr, Kind: kind, Cond: b.Condition, HitCond: b.HitCondition, Addr: id.addr}
	if id.tid != 0 && dbg.Stopped(id.tid) {
		spec.Tid, spec.Frame = id.tid, id.frame
	}
	info, err := dbg.Watch(spec)
	if err != nil && spec.Tid == 0 && id.tid != 0 {
		err = fmt.Errorf("%w (thread %d, whose frame it was found in, is running: stop it to set this one)", err, id.tid)
	}
	return info, err
}
