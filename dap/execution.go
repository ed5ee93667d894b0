package dap

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// Execution requests. In stop mode "thread" (non-stop, the default) every
// one of them acts on the one thread it names, as gdb's non-stop mode
// does: continue resumes that thread and no other (a thread stopped
// elsewhere stays stopped), and the continued event says
// allThreadsContinued false. In stop mode "all" continue resumes every
// thread unless singleThread is set.

// runErr explains an engine refusal in the client's terms.
func runErr(tid int, err error) error {
	if errors.Is(err, debugger.ErrNotStopped) {
		return fmt.Errorf("thread %d is running (or gone): only a stopped thread can do this", tid)
	}
	return err
}

func (s *session) onContinue(r *dap.ContinueRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	tid, single := r.Arguments.ThreadId, r.Arguments.SingleThread
	all := dbg.Mode() == debugger.StopAll && !single
	// Drop what the client was handed for this stop before the thread
	// moves, so no variables request can read a running thread's frame.
	if all {
		s.handles.dropAll()
		s.stops.bumpAll()
	} else {
		s.handles.dropThread(tid)
		s.stops.bump(tid)
	}
	if err := dbg.Continue(tid, single); err != nil {
		return nil, runErr(tid, err)
	}
	return &dap.ContinueResponse{Body: dap.ContinueResponseBody{AllThreadsContinued: all}}, nil
}

// step runs one of the engine's steps. Granularity "instruction" steps one
// machine instruction whatever the step (the disassembly view's next and
// step in); "statement" and "line" are both a source line.
func (s *session) step(tid int, granularity dap.SteppingGranularity, f func(*debugger.Session, int) error) error {
	dbg, err := s.debuggee()
	if err != nil {
		return err
	}
	s.handles.dropThread(tid)
	s.stops.bump(tid)
	if dbg.Mode() == debugger.StopAll {
		// The engine lets the other threads run during a step in
		// all-stop mode (as gdb does); their values are stale too.
		s.handles.dropAll()
	}
	if granularity == "instruction" {
		f = (*debugger.Session).StepInstruction
	}
	return runErr(tid, f(dbg, tid))
}

func (s *session) onNext(r *dap.NextRequest) (dap.ResponseMessage, error) {
	if err := s.step(r.Arguments.ThreadId, r.Arguments.Granularity, (*debugger.Session).Next); err != nil {
		return nil, err
	}
	return &dap.NextResponse{}, nil
}

func (s *session) onStepIn(r *dap.StepInRequest) (dap.ResponseMessage, error) {
	if err := s.step(r.Arguments.ThreadId, r.Arguments.Granularity, (*debugger.Session).StepIn); err != nil {
		return nil, err
	}
	return &dap.StepInResponse{}, nil
}

// onStepOut finishes the current function; an instruction granularity
// makes no sense for it and is ignored.
func (s *session) onStepOut(r *dap.StepOutRequest) (dap.ResponseMessage, error) {
	if err := s.step(r.Arguments.ThreadId, "", (*debugger.Session).StepOut); err != nil {
		return nil, err
	}
	return &dap.StepOutResponse{}, nil
}

// onPause stops one thread (every thread in stop mode "all"); the stopped
// event follows when it has stopped.
func (s *session) onPause(r *dap.PauseRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	tid := r.Arguments.ThreadId
	mark := s.stops.mark(tid)
	if err := dbg.Pause(tid); err != nil {
		return nil, fmt.Errorf("pause thread %d: %w", tid, err)
	}
	go s.repause(dbg, tid, mark)
	return &dap.PauseResponse{}, nil
}

// repause works around a lost pause in the engine: target counts any stop
// of a thread as the answer to an interrupt, so an interrupt that meets a
// logpoint or false-condition hit (which the engine sends straight on)
// is used up and the thread never stops. Until the thread reports a stop,
// or the client tells it to run, the pause is asked again.
func (s *session) repause(dbg *debugger.Session, tid int, mark uint64) {
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		if s.stops.since(tid, mark) {
			return
		}
		if err := dbg.Pause(tid); err != nil {
			return
		}
	}
}

// stopCounter counts, per thread, what settles a pause: reported stops
// and the client's requests to run. The event pump and the request loop
// bump it; repause watches it.
type stopCounter struct {
	mu sync.Mutex
	n  map[int]uint64
	// all counts stops of every thread at once (all-stop mode).
	all uint64
}

func (c *stopCounter) bump(tid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[int]uint64{}
	}
	c.n[tid]++
}

func (c *stopCounter) bumpAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all++
}

func (c *stopCounter) mark(tid int) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[tid] + c.all
}

func (c *stopCounter) since(tid int, mark uint64) bool {
	return c.mark(tid) != mark
}
