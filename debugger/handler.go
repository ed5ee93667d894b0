package debugger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol"
	"golang.org/x/sys/unix"
)

// HandleEvent is the session's target.Handler: it runs on the ptrace thread
// for every event, and decides auto-continued hits right here.
func (s *Session) HandleEvent(c *target.Ctl, ev target.Event) target.Action {
	switch ev.Kind {
	case target.EventTrap:
		return s.onTrap(c, ev.Tid, ev.Pid)
	case target.EventStep:
		return s.onStep(c, ev.Tid)
	case target.EventSignal:
		return s.onSignal(c, ev)
	case target.EventInterrupt:
		s.fix(c, ev.Tid)
		th := s.thread(ev.Tid)
		if th.pauseWant {
			th.pauseWant = false
			return s.userStop(c, ev.Tid, ReasonPause, "paused", nil, 0)
		}
		return target.Resume
	case target.EventGroupStop:
		return target.Resume
	case target.EventThreadStart:
		s.threadStarted(c, ev)
		if s.allHeld {
			s.thread(ev.NewTid).held = true
			return target.Hold
		}
		return target.Resume
	case target.EventThreadExit:
		s.threadExited(ev)
		return target.Resume
	case target.EventFork:
		// We do not follow fork children: they must run on without our
		// int3s and outside our slots.
		if err := s.sites.CleanChild(c, ev.ChildPid); err != nil {
			s.logf("fork child %d: %v", ev.ChildPid, err)
		}
		if err := s.xol.Forked(c, ev.Tid, ev.ChildPid); err != nil {
			s.logf("fork child %d: %v", ev.ChildPid, err)
		}
		return target.Resume
	case target.EventVfork, target.EventVforkDone:
		return target.Resume
	case target.EventExec:
		return s.onExec(c, ev.Tid)
	case target.EventExit:
		s.processExited(ev)
		return target.Resume
	}
	return target.Resume
}

// threadStarted, threadExited and processExited record what a
// notification says, whether it was dispatched or collected by StopAll.

func (s *Session) threadStarted(c *target.Ctl, ev target.Event) {
	if err := s.xol.NewThread(c, ev.Tid, ev.NewTid); err != nil {
		s.logf("new thread %d: %v", ev.NewTid, err)
	}
	s.thread(ev.NewTid)
	s.emit(Event{Kind: ThreadStarted, Tid: ev.NewTid})
}

func (s *Session) threadExited(ev target.Event) {
	s.xol.ThreadGone(ev.Tid)
	delete(s.threads, ev.Tid)
	s.emit(Event{Kind: ThreadExited, Tid: ev.Tid, Status: ev.Status})
}

func (s *Session) processExited(ev target.Event) {
	s.exited = true
	s.emit(Event{Kind: Exited, Status: ev.Status})
	s.events.Close()
}

// testPanicAt makes the hit path panic at that address (tests of the
// emergency detach only).
var testPanicAt uint64

// fix moves a thread's pc out of its XOL slot (at any stop that is not its
// own breakpoint trap).
func (s *Session) fix(c *target.Ctl, tid int) {
	if err := s.xol.Fix(c, tid); err != nil {
		s.logf("thread %d: leave XOL slot: %v", tid, err)
	}
}

// onTrap handles an int3 trap: the hot path.
func (s *Session) onTrap(c *target.Ctl, tid, pid int) target.Action {
	regs, err := c.Regs(tid)
	if err != nil {
		return target.Resume
	}
	addr := regs.Rip - 1
	st := s.sites.At(addr)
	if st == nil {
		if s.sites.WasRemoved(addr) {
			// It hit an int3 we took out a moment ago.
			regs.Rip = addr
			c.SetRegs(tid, regs)
			return target.Resume
		}
		// The program's own int3 (or a SIGTRAP sent to it): its business.
		c.SetSignal(tid, int(unix.SIGTRAP))
		return s.userStop(c, tid, ReasonSignal, "signal SIGTRAP", nil, int(unix.SIGTRAP))
	}
	regs.Rip = addr
	if addr == testPanicAt {
		panic("test panic on the hit path")
	}
	if s.xol.Replay(addr, regs.Rsp) || pid != s.proc.Pid() {
		// A replay, or a vfork child running in our memory until it
		// execs: neither is a hit of the debugged process.
		return s.pass(c, tid, st, regs)
	}
	stop, reason, desc := false, "", ""
	if len(st.Internals()) > 0 {
		stop, reason, desc = s.internalHit(c, tid, st, regs)
	}
	var ids []int
	if len(st.Users()) > 0 {
		v := breakpoints.Decide(c, tid, st, s.cfg.Evaluator)
		for _, l := range v.Logs {
			s.emit(Event{Kind: Output, Tid: tid, Category: "console", Text: l + "\n"})
		}
		for _, e := range v.CondErrs {
			s.emit(Event{Kind: Output, Tid: tid, Category: "important", Text: e.Error() + "\n"})
		}
		if v.Stop {
			stop = true
			reason = ReasonBreakpoint
			for _, bp := range v.StopBy {
				ids = append(ids, bp.ID)
			}
			desc = "breakpoint " + joinIDs(ids)
			if th := s.threads[tid]; th != nil && th.step != nil {
				s.endStep(c, tid) // a breakpoint ends a step
			}
		}
	}
	if !stop {
		return s.pass(c, tid, st, regs)
	}
	c.SetRegs(tid, regs)
	// Temporary breakpoints go before the stop is reported, so that a front
	// end that lists breakpoints on the stop no longer sees them.
	var temps []*breakpoints.Breakpoint
	for _, bp := range st.Users() {
		if bp.Spec.Temporary && contains(ids, bp.ID) {
			temps = append(temps, bp)
		}
	}
	for _, bp := range temps {
		s.sites.Unplace(c, bp)
		s.deleteBP(bp.ID)
	}
	return s.userStop(c, tid, reason, desc, ids, 0)
}

// pass sends a thread on past the breakpoint at st through XOL, unless a
// pause was asked for it: the interrupt that pause sent may have been
// answered by this very trap, so the thread stops here instead (on the
// int3, its hit counted; resuming passes over it).
func (s *Session) pass(c *target.Ctl, tid int, st *breakpoints.Site, regs unix.PtraceRegs) target.Action {
	if th := s.threads[tid]; th != nil && th.pauseWant {
		th.pauseWant = false
		c.SetRegs(tid, regs)
		return s.userStop(c, tid, ReasonPause, "paused", nil, 0)
	}
	in, err := s.sites.Insn(c, st)
	if err == nil {
		err = s.xol.Pass(c, tid, in, regs)
	}
	if err == nil {
		return target.Resume
	}
	if errors.Is(err, xol.ErrRefused) {
		s.tellNoAreas(err)
		if err = s.stepInPlace(c, tid, st, false); err == nil {
			return target.Resume
		}
	}
	c.SetRegs(tid, regs)
	s.emit(Event{Kind: Output, Tid: tid, Category: "important",
		Text: fmt.Sprintf("thread %d cannot go past the breakpoint at %#x: %v\n", tid, st.Addr, err)})
	return s.userStop(c, tid, ReasonException, err.Error(), nil, 0)
}

// stepInPlace executes the instruction under an int3 in place, for the few
// instructions XOL refuses (int n, hlt, privileged ones): every other
// thread is stopped, the int3 is taken out for one single step, and put
// back. If stay, the thread stays stopped after it.
func (s *Session) stepInPlace(c *target.Ctl, tid int, st *breakpoints.Site, stay bool) error {
	held := map[int]bool{}
	for _, t := range c.Threads() {
		held[t.Tid] = t.Stopped
	}
	evs, err := c.StopAll()
	if err != nil {
		return err
	}
	if err := c.WriteMemory(st.Addr, []byte{st.Orig()}); err != nil {
		return err
	}
	if err := c.SetPC(tid, st.Addr); err != nil {
		return err
	}
	result := c.StepWait(tid)
	if werr := c.WriteMemory(st.Addr, []byte{0xcc}); werr != nil && result == nil {
		result = werr
	}
	for _, ev := range evs {
		s.settle(c, ev)
	}
	for _, t := range c.Threads() {
		if t.Tid != tid && !held[t.Tid] && t.Stopped {
			c.Cont(t.Tid)
		}
	}
	if result == nil && !stay {
		result = c.Cont(tid)
	}
	return result
}

// settle deals with an event that StopAll collected instead of
// dispatching: the thread stays stopped, and a breakpoint hit is undone (pc
// back on the int3, not counted) so it happens again when the thread runs.
func (s *Session) settle(c *target.Ctl, ev target.Event) {
	switch ev.Kind {
	case target.EventTrap:
		regs, err := c.Regs(ev.Tid)
		if err != nil {
			return
		}
		if a := regs.Rip - 1; s.sites.At(a) != nil || s.sites.WasRemoved(a) {
			regs.Rip = a
			c.SetRegs(ev.Tid, regs)
			s.thread(ev.Tid).rehit = true
		}
	case target.EventStep, target.EventSignal, target.EventInterrupt:
		s.fix(c, ev.Tid)
	case target.EventThreadStart:
		s.threadStarted(c, ev)
	case target.EventThreadExit:
		s.threadExited(ev)
	case target.EventExit:
		s.processExited(ev)
	}
}

// userStop holds a thread for the user and reports it. In all-stop mode
// every other thread is stopped first.
func (s *Session) userStop(c *target.Ctl, tid int, reason, desc string, ids []int, sig int) target.Action {
	th := s.thread(tid)
	th.held, th.reason = true, reason
	all := false
	if s.cfg.StopMode == StopAll && !s.allHeld {
		all = true
		s.stopOthers(c)
	}
	s.emit(Event{Kind: Stopped, Tid: tid, Reason: reason, Description: desc, BreakpointIDs: ids,
		AllStopped: all || s.allHeld, Signal: sig})
	return target.Hold
}

// stopOthers stops every thread (all-stop), settling what happened meanwhile.
func (s *Session) stopOthers(c *target.Ctl) {
	evs, err := c.StopAll()
	if err != nil {
		return
	}
	for _, ev := range evs {
		s.settle(c, ev)
	}
	for _, t := range c.Threads() {
		if t.Stopped {
			s.fix(c, t.Tid)
			th := s.thread(t.Tid)
			th.held = true
			if th.reason == "" {
				th.reason = ReasonPause
			}
		}
	}
	s.allHeld = true
}

// onSignal handles a signal-delivery-stop: faults stop the thread (the
// signal is delivered when it continues), other signals go straight on.
func (s *Session) onSignal(c *target.Ctl, ev target.Event) target.Action {
	s.fix(c, ev.Tid)
	th := s.thread(ev.Tid)
	if th.pauseWant {
		// The pause's interrupt may be answered by this stop: stop here;
		// the signal is delivered when the thread continues.
		th.pauseWant = false
		return s.userStop(c, ev.Tid, ReasonPause, "paused", nil, 0)
	}
	if th.step != nil && th.step.single {
		// A signal while single-stepping: deliver it and keep stepping
		// (the step then ends at the handler's first instruction).
		c.Step(ev.Tid)
		return target.Resume
	}
	switch unix.Signal(ev.Sig) {
	case unix.SIGSEGV, unix.SIGBUS, unix.SIGILL, unix.SIGFPE, unix.SIGABRT, unix.SIGTRAP:
		name := unix.SignalName(unix.Signal(ev.Sig))
		return s.userStop(c, ev.Tid, ReasonException, "signal "+name, nil, ev.Sig)
	}
	return target.Resume
}

// onExec starts over in the new image: breakpoints are resolved again.
func (s *Session) onExec(c *target.Ctl, tid int) target.Action {
	s.sites.Reset()
	s.xol.Reset()
	s.ldNotify = 0
	if tab, err := reloadSymbols(s.proc.Pid()); err == nil {
		s.syms = tab
	}
	s.watchLibraries(c)
	// Every breakpoint is resolved again in the new program.
	for _, id := range s.sortedIDs() {
		s.bps[id].SetUnverified("the program exec'd; resolving again")
	}
	s.placePending(c)
	s.emit(Event{Kind: ModulesChanged})
	return target.Resume
}

func joinIDs(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

func contains(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
