package dap

import (
	"errors"
	"fmt"

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
	single := r.Arguments.SingleThread
	all := dbg.Mode() == debugger.StopAll && !single
	tid, err := s.threadOf(dbg, r.Arguments.ThreadId, "continue")
	if err != nil && all {
		// All-stop: continue resumes every thread, whichever is named.
		tid, err = dbg.Pid(), nil
	}
	if err != nil {
		return nil, err
	}
	// Drop what the client was handed for this stop before the thread
	// moves, so no variables request can read a running thread's frame.
	if all {
		s.handles.dropAll()
	} else {
		s.handles.dropThread(tid)
	}
	if err := dbg.Continue(tid, single); err != nil {
		return nil, runErr(tid, err)
	}
	return &dap.ContinueResponse{Body: dap.ContinueResponseBody{AllThreadsContinued: all}}, nil
}

// step runs one of the engine's steps. Granularity "instruction" steps one
// machine instruction whatever the step (the disassembly view's next and
// step in); "statement" and "line" are both a source line.
func (s *session) step(id int, granularity dap.SteppingGranularity, f func(*debugger.Session, int) error) error {
	dbg, err := s.debuggee()
	if err != nil {
		return err
	}
	tid, err := s.threadOf(dbg, id, "step")
	if err != nil {
		return err
	}
	s.handles.dropThread(tid)
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
	tid, goid, err := s.osThread(dbg, r.Arguments.ThreadId)
	if err != nil {
		return nil, err
	}
	if tid == 0 {
		// A parked goroutine: it stops when it is next scheduled.
		if _, err := dbg.PauseGoroutine(goid); err != nil {
			return nil, fmt.Errorf("pause goroutine %d: %w", goid, err)
		}
		return &dap.PauseResponse{}, nil
	}
	if err := dbg.Pause(tid); err != nil {
		return nil, fmt.Errorf("pause thread %d: %w", tid, err)
	}
	return &dap.PauseResponse{}, nil
}
