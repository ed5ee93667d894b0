package dap

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// handles hands out the numbers DAP uses for frames and variable
// containers. They are valid while their thread stays stopped: when it
// runs again (or stops anew) its handles are dropped, and numbers are
// never reused, so a client holding an old one gets "stale", never another
// thread's or another stop's values. In non-stop mode this is per thread:
// thread B running on does not invalidate what was handed out for A.
type handles struct {
	mu       sync.Mutex
	next     int
	frames   map[int]frameRef
	vars     map[int]*varRef
	stacks   map[int][]symbols.Frame // the last stack unwound per thread
	ctxs     map[int]*eval.Context   // evaluation contexts by frame handle
	byThread map[int][]int
}

type frameRef struct {
	tid   int
	index int
}

func newHandles() handles {
	return handles{frames: map[int]frameRef{}, vars: map[int]*varRef{},
		stacks: map[int][]symbols.Frame{}, ctxs: map[int]*eval.Context{}, byThread: map[int][]int{}}
}

func (h *handles) add(tid int) int {
	h.next++
	h.byThread[tid] = append(h.byThread[tid], h.next)
	return h.next
}

func (h *handles) setStack(tid int, frames []symbols.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stacks[tid] = frames
}

// stackOf is the last stack set under key.
func (h *handles) stackOf(key int) (int, []symbols.Frame, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.stacks[key]
	return key, f, ok
}

// dropParked forgets the handles of parked goroutines (negative keys):
// any thread that runs may wake one and change its stack.
func (h *handles) dropParked() {
	h.mu.Lock()
	var keys []int
	for k := range h.byThread {
		if k < 0 {
			keys = append(keys, k)
		}
	}
	for k := range h.stacks {
		if k < 0 {
			keys = append(keys, k)
		}
	}
	h.mu.Unlock()
	for _, k := range keys {
		h.dropThread(k)
	}
}

func (h *handles) frameID(tid, index int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.add(tid)
	h.frames[id] = frameRef{tid, index}
	return id
}

// frame finds a frame handle and the stack it belongs to.
func (h *handles) frame(id int) (frameRef, []symbols.Frame, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.frames[id]
	if !ok {
		return frameRef{}, nil, fmt.Errorf("unknown or stale frame %d (its thread has run since)", id)
	}
	return f, h.stacks[f.tid], nil
}

func (h *handles) context(frameID int) *eval.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ctxs[frameID]
}

func (h *handles) setContext(frameID int, ctx *eval.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.frames[frameID]; ok { // not dropped meanwhile
		h.ctxs[frameID] = ctx
	}
}

// dropContexts forgets a thread's evaluation contexts (after it wrote
// registers or memory) while keeping its frames and references.
func (h *handles) dropContexts(tid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range h.byThread[tid] {
		delete(h.ctxs, id)
	}
}

func (h *handles) varID(tid int, v *varRef) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.add(tid)
	h.vars[id] = v
	return id
}

func (h *handles) variable(id int) (*varRef, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.vars[id]
	if !ok {
		return nil, fmt.Errorf("unknown or stale variables reference %d (its thread has run since)", id)
	}
	return v, nil
}

func (h *handles) dropThread(tid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range h.byThread[tid] {
		delete(h.frames, id)
		delete(h.vars, id)
		delete(h.ctxs, id)
	}
	delete(h.byThread, tid)
	delete(h.stacks, tid)
}

func (h *handles) dropAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.frames)
	clear(h.vars)
	clear(h.stacks)
	clear(h.ctxs)
	clear(h.byThread)
}

// onThreads lists every thread, running or stopped; running threads are
// not stopped to be listed.
func (s *session) onThreads(r *dap.ThreadsRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	if s.goProgram() {
		out, err := s.goroutineThreads(dbg)
		if err != nil {
			return nil, err
		}
		return &dap.ThreadsResponse{Body: dap.ThreadsResponseBody{Threads: out}}, nil
	}
	ts, err := dbg.Threads()
	if err != nil {
		return nil, err
	}
	out := make([]dap.Thread, 0, len(ts))
	for _, t := range ts {
		name := t.Name
		if name == "" {
			name = "thread"
		}
		out = append(out, dap.Thread{Id: t.Tid, Name: fmt.Sprintf("%s [%d]", name, t.Tid)})
	}
	return &dap.ThreadsResponse{Body: dap.ThreadsResponseBody{Threads: out}}, nil
}

// maxStack bounds one unwinding (a runaway recursion has no end).
const maxStack = 4096

func (s *session) onStackTrace(r *dap.StackTraceRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	tid := r.Arguments.ThreadId
	start, levels := max(r.Arguments.StartFrame, 0), r.Arguments.Levels
	want := maxStack
	if levels > 0 {
		// One more than asked tells whether there are more.
		want = min(start+levels+1, maxStack)
	}
	var frames []symbols.Frame
	if s.goProgram() && tid < threadIDBase {
		// A goroutine: its frames live under its thread's TID, or
		// under -ID for a parked one.
		key, err := s.goroutineStack(dbg, tid, want)
		if err != nil {
			return nil, err
		}
		tid = key
		_, frames, _ = s.handles.stackOf(key)
	} else {
		if s.goProgram() {
			tid -= threadIDBase
		}
		frames, err = dbg.Stack(tid, want)
		if err != nil {
			if errors.Is(err, debugger.ErrNotStopped) {
				return nil, fmt.Errorf("thread %d is running: pause it to see its stack", tid)
			}
			return nil, fmt.Errorf("stack of thread %d: %w", tid, err)
		}
		s.handles.setStack(tid, frames)
	}
	end := len(frames)
	if levels > 0 {
		end = min(end, start+levels)
	}
	out := []dap.StackFrame{}
	for i := start; i < end; i++ {
		caller := i > 0 && !frames[i-1].Signal
		out = append(out, s.stackFrame(dbg, tid, i, frames[i], caller))
	}
	// totalFrames is exact when we have the whole stack, else one more
	// than we sent: the client then asks for the next page.
	return &dap.StackTraceResponse{Body: dap.StackTraceResponseBody{StackFrames: out, TotalFrames: len(frames)}}, nil
}

// stackFrame makes frame i of a stack; caller says its pc is a return
// address (not the innermost frame, nor one a signal interrupted).
func (s *session) stackFrame(dbg *debugger.Session, tid, i int, f symbols.Frame, caller bool) dap.StackFrame {
	name := f.Function
	switch {
	case f.Signal:
		name = "<signal handler called>"
	case name == "":
		name = fmt.Sprintf("?? (%#x)", f.PC)
	}
	if f.TailCall {
		name += " (tail call)"
	}
	sf := dap.StackFrame{Id: s.handles.frameID(tid, i), Name: name, InstructionPointerReference: fmt.Sprintf("%#x", f.PC)}
	switch {
	case f.File != "" && f.Line > 0 && sourceAvailable(f.File):
		sf.Source = &dap.Source{Name: filepath.Base(f.File), Path: f.File}
		sf.Line, sf.Column = f.Line, 1
	case f.File != "" && f.Line > 0:
		// The line table names a file that is not here: a listing of
		// the function instead (listing.go). A return address is the
		// instruction after the call: the call is the frame's line.
		pc := f.PC
		if caller && pc > 0 {
			pc--
		}
		if src, line := s.unavailableSource(dbg, f, pc); src != nil {
			sf.Source, sf.Line, sf.Column = src, line, 1
			break
		}
		fallthrough
	default:
		// No source: the client shows disassembly at the pc instead.
		sf.PresentationHint = "subtle"
	}
	if f.Image != nil {
		sf.ModuleId = f.Image.Path
	}
	return sf
}
