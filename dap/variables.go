package dap

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/terminal"
)

// Scopes, variables, evaluate and setVariable, all on package eval. Every
// one of them needs a stopped thread's frame; a frame handle exists only
// while its thread is stopped (see handles), so a running thread is never
// read as if it stood still.

// varRef is what a variables reference stands for: a scope of a frame, or
// a variable whose children are to be listed.
type varRef struct {
	tid   int
	frame int    // the frame handle
	scope string // scopeLocals...; "" for a variable's children
	v     *eval.Variable
}

const (
	scopeLocals    = "Locals"
	scopeArgs      = "Arguments"
	scopeGlobals   = "Globals"
	scopeRegisters = "Registers"
)

// context returns the evaluation context of a frame handle, made on first
// use and kept while the thread stays stopped.
func (s *session) context(frameID int) (*eval.Context, frameRef, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, frameRef{}, err
	}
	fr, frames, err := s.handles.frame(frameID)
	if err != nil {
		return nil, fr, err
	}
	if ctx := s.handles.context(frameID); ctx != nil {
		return ctx, fr, nil
	}
	if fr.index >= len(frames) {
		return nil, fr, fmt.Errorf("frame %d is gone", frameID)
	}
	// The debugger makes the context on the ptrace thread, with the
	// thread's registers as they are now; reading through it later is
	// safe (memory reads need no ptrace thread) while the thread stays
	// stopped, which the handle guarantees. Assignments go through
	// assign, which runs on the ptrace thread.
	var ctx *eval.Context
	if fr.tid < 0 {
		// A parked goroutine's frame (gothreads.go).
		err = dbg.WithGoroutineFrame(int64(-fr.tid), fr.index, func(c *eval.Context) error { ctx = c; return nil })
	} else {
		err = dbg.WithFrame(fr.tid, fr.index, func(c *eval.Context) error { ctx = c; return nil })
	}
	if err != nil {
		return nil, fr, runErr(fr.tid, err)
	}
	s.handles.setContext(frameID, ctx)
	return ctx, fr, nil
}

// assign runs a statement that may write the program (an assignment to a
// register writes it through the ptrace thread, so it runs there). The
// frame's cached context is dropped: values read before are stale.
func (s *session) assign(fr frameRef, src string) (*eval.Variable, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	var v *eval.Variable
	if fr.tid < 0 {
		err = dbg.WithGoroutineFrame(int64(-fr.tid), fr.index, func(c *eval.Context) (err error) { v, err = c.Exec(src); return })
	} else {
		v, err = dbg.Evaluate(fr.tid, fr.index, src, true)
	}
	s.handles.dropContexts(fr.tid)
	if err != nil {
		return nil, runErr(fr.tid, err)
	}
	return v, nil
}

func (s *session) onScopes(r *dap.ScopesRequest) (dap.ResponseMessage, error) {
	fid := r.Arguments.FrameId
	_, fr, err := s.context(fid)
	if err != nil {
		return nil, err
	}
	var out []dap.Scope
	for _, sc := range []struct {
		name, hint string
		expensive  bool
	}{
		{scopeLocals, "locals", false},
		{scopeArgs, "arguments", false},
		{scopeGlobals, "", true},
		{scopeRegisters, "registers", false},
	} {
		ref := s.handles.varID(fr.tid, &varRef{tid: fr.tid, frame: fid, scope: sc.name})
		out = append(out, dap.Scope{Name: sc.name, PresentationHint: sc.hint, VariablesReference: ref, Expensive: sc.expensive})
	}
	return &dap.ScopesResponse{Body: dap.ScopesResponseBody{Scopes: out}}, nil
}

// list returns the variables a reference stands for, paged.
func (s *session) list(ref *varRef, filter string, start, count int) ([]*eval.Variable, error) {
	ctx, fr, err := s.context(ref.frame)
	if err != nil {
		return nil, err
	}
	var vs []*eval.Variable
	switch ref.scope {
	case scopeLocals:
		vs, err = ctx.Locals()
		if fr.index == 0 && err == nil && fr.tid > 0 {
			// Right after a step out, what the function returned comes
			// first, as Delve shows it.
			vs = append(s.returnValue(fr.tid), vs...)
		}
	case scopeArgs:
		vs, err = ctx.Args()
	case scopeGlobals:
		vs, err = ctx.Globals("")
	case scopeRegisters:
		vs = ctx.Registers()
	default:
		if filter == "named" && isIndexed(ref.v) {
			return nil, nil // an array has no named children
		}
		return ref.v.Children(max(start, 0), count)
	}
	if err != nil {
		return nil, err
	}
	start = min(max(start, 0), len(vs))
	end := len(vs)
	if count > 0 {
		end = min(start+count, end)
	}
	return vs[start:end], nil
}

// returnValue is the "(return value)" local of a thread held after a step
// out (one per result of a Go function): none otherwise, or when the
// function returns nothing; the reason as its value when it cannot be
// read.
func (s *session) returnValue(tid int) []*eval.Variable {
	dbg, err := s.debuggee()
	if err != nil {
		return nil
	}
	vs, err := dbg.ReturnValues(tid, eval.Print{})
	if err != nil {
		return []*eval.Variable{{Name: eval.ReturnValueName, Value: "<not shown: " + err.Error() + ">"}}
	}
	for _, v := range vs {
		v.Expr = "" // not an expression: evaluating or watching it would find nothing
	}
	return vs
}

// setFormat makes the values a request lists from now on in frameID's
// context follow the client's valueFormatting (hex, or natural again).
func (s *session) setFormat(frameID int, f *dap.ValueFormat) error {
	ctx, _, err := s.context(frameID)
	if err != nil {
		return err
	}
	return ctx.SetPrint(printFor(f))
}

// printFor is DAP's ValueFormat as eval's printing: hex is gdb's /x.
func printFor(f *dap.ValueFormat) eval.Print {
	if f != nil && f.Hex {
		return eval.Print{Format: 'x'}
	}
	return eval.Print{}
}

func isIndexed(v *eval.Variable) bool {
	switch v.Kind {
	case eval.KindArray, eval.KindSlice:
		return true
	}
	return false
}

// toVariable describes an eval variable for the client, handing out a
// reference for its children if it has any.
func (s *session) toVariable(tid, frame int, v *eval.Variable) dap.Variable {
	dv := dap.Variable{Name: v.Name, Value: v.Value, Type: v.Type, EvaluateName: v.Expr}
	if v.Shadowed {
		// Two entries of one name would confuse clients (and hide which
		// is which): the outer one says it is hidden.
		dv.Name = v.Name + " (shadowed)"
	}
	if v.Addr != 0 {
		dv.MemoryReference = fmt.Sprintf("%#x", v.Addr)
	}
	if v.HasChildren {
		dv.VariablesReference = s.handles.varID(tid, &varRef{tid: tid, frame: frame, v: v})
		if v.NumChildren > 0 {
			if isIndexed(v) {
				dv.IndexedVariables = v.NumChildren
			} else {
				dv.NamedVariables = v.NumChildren
			}
		}
	}
	if v.Unavailable {
		dv.PresentationHint = &dap.VariablePresentationHint{Attributes: []string{"readOnly"}}
	}
	return dv
}

func (s *session) onVariables(r *dap.VariablesRequest) (dap.ResponseMessage, error) {
	ref, err := s.handles.variable(r.Arguments.VariablesReference)
	if err != nil {
		return nil, err
	}
	if err := s.setFormat(ref.frame, r.Arguments.Format); err != nil {
		return nil, err
	}
	vs, err := s.list(ref, r.Arguments.Filter, r.Arguments.Start, r.Arguments.Count)
	if err != nil {
		return nil, err
	}
	out := make([]dap.Variable, 0, len(vs))
	for _, v := range vs {
		out = append(out, s.toVariable(ref.tid, ref.frame, v))
	}
	return &dap.VariablesResponse{Body: dap.VariablesResponseBody{Variables: out}}, nil
}

// onEvaluate evaluates in a frame. "repl" runs statements (an assignment
// writes the program); "watch", "hover" and the rest only read.
func (s *session) onEvaluate(r *dap.EvaluateRequest) (dap.ResponseMessage, error) {
	a := r.Arguments
	if cmd, ok := strings.CutPrefix(a.Expression, "-exec "); ok && a.Context == "repl" {
		return s.execCommand(a.FrameId, cmd)
	}
	if a.FrameId == 0 {
		return s.evaluateGlobal(a.Expression)
	}
	ctx, fr, err := s.context(a.FrameId)
	if err != nil {
		return nil, err
	}
	if err := ctx.SetPrint(printFor(a.Format)); err != nil {
		return nil, err
	}
	var v *eval.Variable
	if a.Context == "repl" {
		v, err = s.assign(fr, a.Expression)
	} else {
		v, err = ctx.Eval(a.Expression)
	}
	if err != nil {
		return nil, err
	}
	dv := s.toVariable(fr.tid, a.FrameId, v)
	return &dap.EvaluateResponse{Body: dap.EvaluateResponseBody{Result: dv.Value, Type: dv.Type,
		VariablesReference: dv.VariablesReference, IndexedVariables: dv.IndexedVariables,
		NamedVariables: dv.NamedVariables, MemoryReference: dv.MemoryReference}}, nil
}

// named finds the variable a container holds under a name (the one in
// scope, not a shadowed one), as setVariable and dataBreakpointInfo name
// them.
func (s *session) named(ref *varRef, name string) (*eval.Variable, error) {
	vs, err := s.list(ref, "", 0, 0)
	if err != nil {
		return nil, err
	}
	var found *eval.Variable
	for _, v := range vs {
		if v.Name == name && !v.Shadowed {
			found = v
		}
	}
	if found == nil {
		return nil, fmt.Errorf("no variable %q here", name)
	}
	return found, nil
}

// onSetVariable assigns to a variable through its expression (eval's Expr:
// "p->x", "$rax", "a[3]"), so it writes exactly what the client shows.
func (s *session) onSetVariable(r *dap.SetVariableRequest) (dap.ResponseMessage, error) {
	a := r.Arguments
	ref, err := s.handles.variable(a.VariablesReference)
	if err != nil {
		return nil, err
	}
	fr, _, err := s.handles.frame(ref.frame)
	if err != nil {
		return nil, err
	}
	target, err := s.named(ref, a.Name)
	if err != nil {
		return nil, err
	}
	if target.Expr == "" {
		return nil, fmt.Errorf("%s cannot be assigned (no expression names it)", a.Name)
	}
	if strings.TrimSpace(a.Value) == "" {
		return nil, errors.New("no value to assign")
	}
	v, err := s.assign(fr, target.Expr+" = "+a.Value)
	if err != nil {
		return nil, err
	}
	dv := s.toVariable(ref.tid, ref.frame, v)
	return &dap.SetVariableResponse{Body: dap.SetVariableResponseBody{Value: dv.Value, Type: dv.Type,
		VariablesReference: dv.VariablesReference, IndexedVariables: dv.IndexedVariables, NamedVariables: dv.NamedVariables}}, nil
}

// evaluateGlobal evaluates without a frame (the Debug Console while every
// thread runs, a watch with none selected): in the scope of the program's
// main function with no registers, so globals and constants can be read,
// and anything that needs a frame says so. Memory is read as it is, while
// the threads run; nothing is written.
func (s *session) evaluateGlobal(src string) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	ctx, err := dbg.GlobalContext()
	if err != nil {
		return nil, err
	}
	v, err := ctx.Eval(src)
	if err != nil {
		return nil, fmt.Errorf("%w (without a frame only globals can be read: select a stopped thread's frame for the rest)", err)
	}
	// No children: a variables reference lives with a stopped thread's
	// frame, and there is none.
	body := dap.EvaluateResponseBody{Result: v.Value, Type: v.Type}
	if v.Addr != 0 {
		body.MemoryReference = fmt.Sprintf("%#x", v.Addr)
	}
	return &dap.EvaluateResponse{Body: body}, nil
}

// execCommand runs a terminal command typed in the Debug Console after
// "-exec " (cpptools' prefix for gdb commands) on the frame's thread, or
// the main thread without a frame; its output is the result.
func (s *session) execCommand(frameID int, cmd string) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	tid, frame := dbg.Pid(), 0
	if frameID != 0 {
		fr, _, err := s.handles.frame(frameID)
		if err != nil {
			return nil, err
		}
		tid, frame = fr.tid, fr.index
		if tid < 0 {
			return nil, fmt.Errorf("goroutine %d is not on a stopped thread: terminal commands need one", -tid)
		}
	}
	out := strings.TrimRight(terminal.Exec(dbg, tid, frame, cmd), "\n")
	return &dap.EvaluateResponse{Body: dap.EvaluateResponseBody{Result: out}}, nil
}
