package dap

import (
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// continuedEvent is DAP's continued event with allThreadsContinued always
// sent. go-dap's ContinuedEventBody marks it omitempty, so a false (one
// thread continued, the non-stop case) vanishes, and clients read a
// missing value as true: they would mark every thread as running.
type continuedEvent struct {
	dap.Event
	Body continuedBody `json:"body"`
}

type continuedBody struct {
	ThreadID            int  `json:"threadId"`
	AllThreadsContinued bool `json:"allThreadsContinued"`
}

// pump turns the engine's ordered events into DAP events until the
// program exits or we detach, then sends terminated.
func (s *session) pump(dbg *debugger.Session, done chan struct{}) {
	defer close(done)
	// A bug here must not leave int3s in an attached program: Recover
	// detaches (or kills what we launched) before the panic goes on.
	defer dbg.Recover()
	for ev := range dbg.Events() {
		s.event(dbg, ev)
	}
	s.sendTerminated()
}

func (s *session) sendTerminated() {
	s.mu.Lock()
	already := s.terminated
	s.terminated = true
	s.mu.Unlock()
	if !already {
		s.out.send(&dap.TerminatedEvent{Event: newEvent("terminated")})
	}
}

func (s *session) event(dbg *debugger.Session, ev debugger.Event) {
	switch ev.Kind {
	case debugger.Stopped:
		// Values handed out for an earlier stop of this thread describe
		// a state that is gone.
		if ev.AllStopped {
			s.handles.dropAll()
		} else {
			s.handles.dropThread(ev.Tid)
		}
		text := ev.Description
		if ev.Text != "" {
			// Why it stopped (a condition that could not be evaluated):
			// in the stop, and in the console where the user reads it.
			text = ev.Text
			cat := "important"
			if ev.Reason == debugger.ReasonDataBreakpoint {
				cat = "console" // a watchpoint's old and new value: no alarm
			}
			s.out.send(&dap.OutputEvent{Event: newEvent("output"), Body: dap.OutputEventBody{Category: cat, Output: ev.Text + "\n"}})
		}
		s.out.send(&dap.StoppedEvent{Event: newEvent("stopped"), Body: dap.StoppedEventBody{
			Reason: ev.Reason, Description: stopDescription(ev.Reason), Text: text, ThreadId: s.clientThread(dbg, ev.Tid),
			AllThreadsStopped: ev.AllStopped, HitBreakpointIds: ev.BreakpointIDs}})
	case debugger.Continued:
		tid := ev.Tid
		if ev.All {
			s.handles.dropAll()
			if tid == 0 {
				tid = dbg.Pid() // threadId is required; any thread will do
			}
		} else {
			s.handles.dropThread(tid)
		}
		// Any thread that runs may wake a parked goroutine.
		s.handles.dropParked()
		s.out.send(&continuedEvent{Event: newEvent("continued"), Body: continuedBody{ThreadID: s.clientThreadAgain(tid), AllThreadsContinued: ev.All}})
	case debugger.ThreadStarted:
		if !s.goProgram() { // a Go program's threads are its goroutines, which come and go unannounced
			s.out.send(&dap.ThreadEvent{Event: newEvent("thread"), Body: dap.ThreadEventBody{Reason: "started", ThreadId: ev.Tid}})
		}
	case debugger.ThreadExited:
		s.handles.dropThread(ev.Tid)
		if !s.goProgram() {
			s.out.send(&dap.ThreadEvent{Event: newEvent("thread"), Body: dap.ThreadEventBody{Reason: "exited", ThreadId: ev.Tid}})
		}
	case debugger.Output:
		cat := ev.Category
		if cat == "" {
			cat = "console"
		}
		s.out.send(&dap.OutputEvent{Event: newEvent("output"), Body: dap.OutputEventBody{Category: cat, Output: ev.Text}})
	case debugger.BreakpointChanged:
		if info, ok := dbg.Breakpoint(ev.BreakpointID); ok {
			b := s.toDAP(dbg, info, nil)
			s.out.send(&dap.BreakpointEvent{Event: newEvent("breakpoint"),
				Body: dap.BreakpointEventBody{Reason: "changed", Breakpoint: b}})
		}
	case debugger.ModulesChanged:
		s.modulesChanged(dbg)
	case debugger.Exited:
		// The program's last output is still in the pipes: wait for it
		// to be copied so it comes before exited, as the user saw it.
		waited := make(chan struct{})
		go func() { dbg.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
		}
		s.out.send(&dap.ExitedEvent{Event: newEvent("exited"), Body: dap.ExitedEventBody{ExitCode: ev.Status.ShellCode()}})
	case debugger.Detached:
		// terminated follows when the stream closes.
	}
}

// stopDescription is what VS Code shows beside a stopped thread, worded as
// its own debug adapters word it; the engine's more precise words
// ("Breakpoint 1", "signal SIGSEGV") go in the stopped event's text.
func stopDescription(reason string) string {
	switch reason {
	case debugger.ReasonBreakpoint:
		return "Paused on breakpoint"
	case debugger.ReasonStep:
		return "Paused on step"
	case debugger.ReasonPause:
		return "Paused"
	case debugger.ReasonEntry:
		return "Paused on entry"
	case debugger.ReasonException:
		return "Paused on exception"
	case debugger.ReasonSignal:
		return "Paused on signal"
	}
	return "Paused on " + reason
}
