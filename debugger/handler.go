package debugger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol"
	"golang.org/x/sys/unix"
)

// HandleEvent is the session's target.Handler: it runs on the ptrace thread
// for every event, and decides auto-continued hits right here.
func (s *Session) HandleEvent(c *target.Ctl, ev target.Event) target.Action {
	act := s.handleEvent(c, ev)
	if act == target.Resume {
		if th := s.threads[ev.Tid]; th != nil && th.pauseWant {
			// A pause is still wanted, and the interrupt it sent was used
			// up by this stop (the kernel drops a pending interrupt at any
			// ptrace stop): without a new one the thread would never stop.
			// Seen: a trap on an int3 removed a moment before.
			c.InterruptOnResume(ev.Tid)
		}
	}
	return act
}

func (s *Session) handleEvent(c *target.Ctl, ev target.Event) target.Action {
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
		s.threadExited(c, ev)
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
		s.emit(Event{Kind: Forked, Tid: ev.Tid, Child: ev.ChildPid})
		_, act := s.forkCaught(c, ev)
		return act
	case target.EventVfork:
		_, act := s.forkCaught(c, ev)
		return act
	case target.EventVforkDone:
		return target.Resume
	case target.EventSyscall:
		return s.syscallCaught(c, ev)
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

func (s *Session) threadExited(c *target.Ctl, ev target.Event) {
	s.xol.ThreadGone(ev.Tid)
	s.watchesThreadGone(c, ev.Tid)
	delete(s.threads, ev.Tid)
	s.emit(Event{Kind: ThreadExited, Tid: ev.Tid, Status: ev.Status})
}

func (s *Session) processExited(ev target.Event) {
	s.exited = true
	s.emit(Event{Kind: Exited, Status: ev.Status})
	s.events.Close()
}

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
	if th := s.threads[tid]; th != nil {
		th.rehitAt = 0 // the trap of an undone hit, if any, is here
	}
	st := s.sites.At(addr)
	if st == nil {
		if s.sites.WasRemoved(addr) {
			// It hit an int3 we took out a moment ago.
			regs.Rip = addr
			c.SetRegs(tid, regs)
			return target.Resume
		}
		if hit, act := s.watchTrap(c, tid); hit {
			return act
		}
		return s.foreignTrap(c, tid, regs.Rip)
	}
	regs.Rip = addr
	// Conditions and log messages read the registers through c: they see
	// the thread at the breakpoint ({$pc}, $rip), not one past the int3.
	// Registers are written once, when the thread resumes.
	c.SetRegs(tid, regs)
	if len(st.Internals()) > 0 && s.signalReturned(c, tid, st, regs) {
		return target.Resume
	}
	if s.xol.Replay(addr, regs.Rsp) || pid != s.proc.Pid() {
		// A replay, or a vfork child running in our memory until it
		// execs: neither is a hit of the debugged process.
		return s.pass(c, tid, st, regs)
	}
	h := s.decideHit(c, tid, st, regs)
	if !h.stop {
		return s.pass(c, tid, st, regs)
	}
	return s.userStopText(c, tid, h.reason, h.desc, h.text, h.ids, 0)
}

// hit is the decision on one trap at a site.
type hit struct {
	stop               bool
	reason, desc, text string // text: conditions that failed
	ids                []int  // the user breakpoints that stop
}

// decideHit decides a trap at st by thread tid, its pc already back on
// the int3: internal breakpoints (steps), then user breakpoints
// (conditions, hit counts, log messages). Temporary breakpoints that stop
// the thread are deleted here, before the stop is reported, so that a front
// end that lists breakpoints on the stop no longer sees them.
func (s *Session) decideHit(c *target.Ctl, tid int, st *breakpoints.Site, regs unix.PtraceRegs) hit {
	var h hit
	if len(st.Internals()) > 0 {
		h.stop, h.reason, h.desc = s.internalHit(c, tid, st, regs)
	}
	if len(st.Users()) == 0 {
		return h
	}
	stopBy, condErrs := s.decideUsers(c, tid, st)
	var notes []string
	for _, e := range condErrs {
		notes = append(notes, e.Error())
	}
	h.text = strings.Join(notes, "\n")
	if len(stopBy) == 0 {
		return h
	}
	h.stop, h.reason = true, ReasonBreakpoint
	for _, bp := range stopBy {
		h.ids = append(h.ids, bp.ID())
	}
	h.desc = "breakpoint " + joinIDs(h.ids)
	if e := s.cxxException(stopBy, regs); e != nil {
		h.reason, h.desc = ReasonException, e.Description
		s.thread(tid).exception = e
	}
	if th := s.threads[tid]; th != nil && th.step != nil {
		s.endStep(c, tid) // a breakpoint ends a step
	}
	var temps []*breakpoints.Breakpoint
	for _, bp := range st.Users() {
		if bp.Spec().Temporary && slices.Contains(h.ids, bp.ID()) {
			temps = append(temps, bp)
		}
	}
	for _, bp := range temps {
		s.sites.Unplace(c, bp)
		s.deleteBP(bp.ID())
	}
	return h
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
			s.thread(ev.Tid).rehitAt = a
		}
	case target.EventStep, target.EventSignal, target.EventInterrupt, target.EventSyscall:
		s.fix(c, ev.Tid)
	case target.EventThreadStart:
		s.threadStarted(c, ev)
	case target.EventThreadExit:
		s.threadExited(c, ev)
	case target.EventExit:
		s.processExited(ev)
	}
}

// userStop holds a thread for the user and reports it. In all-stop mode
// every other thread is stopped first.
func (s *Session) userStop(c *target.Ctl, tid int, reason, desc string, ids []int, sig int) target.Action {
	return s.userStopText(c, tid, reason, desc, "", ids, sig)
}

// userStopText is userStop with more to say about the stop (Event.Text).
func (s *Session) userStopText(c *target.Ctl, tid int, reason, desc, text string, ids []int, sig int) target.Action {
	th := s.thread(tid)
	th.held, th.reason = true, reason
	all := false
	if s.cfg.StopMode == StopAll && !s.allHeld {
		all = true
		s.stopOthers(c)
	}
	ev := Event{Kind: Stopped, Tid: tid, Reason: reason, Description: desc, Text: text, BreakpointIDs: ids,
		AllStopped: all || s.allHeld, Signal: sig}
	if all && reason == ReasonBreakpoint {
		ev = s.pickStop(ev)
	}
	s.emit(ev)
	return target.Hold
}

// pickStop chooses which of the breakpoint stops taken at once (this one,
// and those that stopOthers kept) is reported first, at random, as gdb
// does: wait4 returns waiting threads in a fixed order, so one thread
// would otherwise win every tie. The others stay pending and are reported
// by the next continues.
func (s *Session) pickStop(ev Event) Event {
	n := len(s.pending)
	if n == 0 {
		return ev
	}
	i := rand.IntN(n + 1)
	if i == n {
		return ev
	}
	chosen := s.pending[i]
	if th := s.threads[chosen.Tid]; th == nil || !th.pending {
		return ev
	}
	s.threads[chosen.Tid].pending = false
	s.thread(ev.Tid).pending = true
	s.pending[i] = ev
	return chosen
}

// stopOthers stops every thread (all-stop), settling what happened meanwhile.
func (s *Session) stopOthers(c *target.Ctl) {
	evs, err := c.StopAll()
	if err != nil {
		return
	}
	for _, ev := range evs {
		if s.cfg.StopMode != StopAll || !(s.keepWatchHit(c, ev) || s.keepHit(c, ev)) {
			s.settle(c, ev)
		}
	}
	for _, t := range c.Threads() {
		if t.Stopped {
			s.fix(c, t.Tid)
			th := s.thread(t.Tid)
			th.held = true
			// A pause asked for it is answered by this stop of them all;
			// left set, it would stop the thread again once resumed.
			th.pauseWant = false
			if th.reason == "" {
				th.reason = ReasonPause
			}
		}
	}
	s.allHeld = true
}

// keepHit decides, in all-stop mode, a breakpoint trap that another
// thread took while every thread was being stopped: rather than undone
// (and raced for again when the threads resume, which the fastest thread
// wins every time), the hit is counted now, and a stop it makes is kept
// in s.pending to be reported before anything runs again, as gdb reports
// its pending events. It reports whether it dealt with ev.
func (s *Session) keepHit(c *target.Ctl, ev target.Event) bool {
	if ev.Kind != target.EventTrap || ev.Pid != s.proc.Pid() {
		return false
	}
	regs, err := c.Regs(ev.Tid)
	if err != nil {
		return false
	}
	addr := regs.Rip - 1
	st := s.sites.At(addr)
	if st == nil || len(st.Users()) == 0 || s.xol.Pending(addr, regs.Rsp) {
		return false
	}
	for _, ib := range st.Internals() {
		if ib.Kind == breakpoints.StepSignalReturn {
			return false // it would resume the thread
		}
	}
	if th := s.threads[ev.Tid]; th != nil {
		th.rehitAt = 0
	}
	regs.Rip = addr
	c.SetRegs(ev.Tid, regs)
	h := s.decideHit(c, ev.Tid, st, regs)
	if h.stop {
		th := s.thread(ev.Tid)
		th.held, th.reason, th.pending = true, h.reason, true
		s.pending = append(s.pending, Event{Kind: Stopped, Tid: ev.Tid, Reason: h.reason, Description: h.desc,
			Text: h.text, BreakpointIDs: h.ids, AllStopped: true})
	}
	// Not a stop: the thread is held with the others, on the int3, and
	// resuming passes over it.
	return true
}

// reportPending reports the next kept stop, if any (all-stop mode): a
// continue then resumes nothing. It reports whether it did.
func (s *Session) reportPending(c *target.Ctl) bool {
	for len(s.pending) > 0 {
		ev := s.pending[0]
		s.pending = s.pending[1:]
		th := s.threads[ev.Tid]
		if th == nil || !th.pending || !c.Stopped(ev.Tid) {
			continue // gone meanwhile
		}
		th.pending = false
		s.emit(Event{Kind: Continued, All: true})
		s.emit(ev)
		return true
	}
	return false
}

// onSignal handles a signal-delivery-stop: ours (a pause's, a step's, a
// SIGTRAP), or the program's, which goes as the signal table says
// (signals.go); a stopped signal is delivered when the thread continues.
func (s *Session) onSignal(c *target.Ctl, ev target.Event) target.Action {
	s.fix(c, ev.Tid)
	th := s.thread(ev.Tid)
	if th.pauseWant {
		// The pause's interrupt may be answered by this stop: stop here;
		// the signal is delivered when the thread continues.
		th.pauseWant = false
		return s.userStop(c, ev.Tid, ReasonPause, "paused", nil, 0)
	}
	if unix.Signal(ev.Sig) == unix.SIGTRAP {
		regs, _ := c.Regs(ev.Tid)
		return s.foreignTrap(c, ev.Tid, regs.Rip)
	}
	if th.step != nil && th.step.single {
		s.stepOverHandler(c, ev.Tid)
		return target.Resume
	}
	return s.signalArrived(c, ev.Tid, unix.Signal(ev.Sig))
}

// foreignTrap handles a SIGTRAP that is not ours: the program's own int3
// (or int 3), or a SIGTRAP sent to it (raise, kill). A program with a
// SIGTRAP handler of its own gets the signal as it would natively, and
// nothing stops. Otherwise the signal would kill it: the thread stops, as
// in gdb and Delve, and continuing does not deliver the signal. Go's
// runtime has a handler, but it crashes the program on SIGTRAP
// (runtime.Breakpoint is meant for debuggers), so Go code counts as having
// none.
func (s *Session) foreignTrap(c *target.Ctl, tid int, pc uint64) target.Action {
	if im := s.syms.ImageAt(pc); (im == nil || !im.Go) && c.CatchesSignal(tid, unix.SIGTRAP) {
		c.SetSignal(tid, int(unix.SIGTRAP))
		return target.Resume
	}
	desc := "signal SIGTRAP"
	if si, err := c.SigInfo(tid); err == nil && si.IsBreakpoint() {
		desc = "breakpoint instruction in the program"
		if s.leaveRuntimeBreakpoint(c, tid, pc) {
			desc = "runtime.Breakpoint()"
		}
	}
	c.SetSignal(tid, 0)
	return s.userStop(c, tid, ReasonSignal, desc, nil, int(unix.SIGTRAP))
}

// leaveRuntimeBreakpoint moves a thread that ran the int3 of Go's
// runtime.breakpoint (an int3 and a ret: what runtime.Breakpoint() calls)
// past that ret, to its caller right after the call, so that the stop
// shows the user's line rather than the runtime's assembly, as Delve
// does. pc is just past the int3. It says whether it moved the thread.
func (s *Session) leaveRuntimeBreakpoint(c *target.Ctl, tid int, pc uint64) bool {
	info := s.syms.LookupPC(pc - 1)
	if info.Image == nil || !info.Image.Go || len(info.Frames) == 0 || info.Frames[0].Function != "runtime.breakpoint" {
		return false
	}
	var ret [1]byte
	regs, err := c.Regs(tid)
	if err != nil || regs.Rip != pc {
		return false
	}
	if _, err := s.proc.ReadMemory(pc, ret[:]); err != nil || ret[0] != 0xc3 {
		return false
	}
	var to [8]byte
	if _, err := s.proc.ReadMemory(regs.Rsp, to[:]); err != nil {
		return false
	}
	regs.Rip = binary.LittleEndian.Uint64(to[:])
	regs.Rsp += 8
	// Built without inlining (-gcflags=all=-l), runtime.Breakpoint is a
	// function of its own around that call, and the thread is now in it:
	// leave it too, through its frame pointer (Go on amd64 keeps one in
	// every function with a frame: saved rbp at [rbp], the return
	// address above it). It has no results and Go has no other
	// callee-saved registers to restore.
	if in := s.syms.LookupPC(regs.Rip); len(in.Frames) > 0 && in.Frames[0].Function == "runtime.Breakpoint" && !in.Frames[0].Inlined {
		var fp [16]byte
		if _, err := s.proc.ReadMemory(regs.Rbp, fp[:]); err == nil {
			regs.Rip = binary.LittleEndian.Uint64(fp[8:])
			regs.Rsp = regs.Rbp + 16
			regs.Rbp = binary.LittleEndian.Uint64(fp[:8])
		}
	}
	return c.SetRegs(tid, regs) == nil
}

// A signal that arrives while a thread single-steps (step into, stepi)
// is delivered, and its handler runs at full speed: the step goes on
// where the handler returns to, as in gdb and Delve, instead of ending in
// the handler (for Go code, the runtime's preemption signals would
// otherwise end most steps in runtime.sigtramp). An internal breakpoint
// of kind breakpoints.StepSignalReturn at the interrupted pc, for this thread (or
// goroutine) at this stack depth or above, marks the return.

// stepOverHandler lets a single-stepping thread run its signal's handler.
func (s *Session) stepOverHandler(c *target.Ctl, tid int) {
	regs, err := c.Regs(tid)
	if err != nil {
		return
	}
	if err := s.sites.AddInternal(c, regs.Rip, s.internalFor(c, tid, breakpoints.StepSignalReturn, regs.Rsp, 0)); err != nil {
		// No breakpoint, no return: step into the handler as before.
		s.logf("thread %d: signal return breakpoint at %#x: %v", tid, regs.Rip, err)
		c.Step(tid)
	}
}

// onExec starts over in the new image: breakpoints are resolved again,
// and follow its libraries from its own dynamic linker on. The old
// locations are kept as unloaded, with their hits.
func (s *Session) onExec(c *target.Ctl, tid int) target.Action {
	s.codeCheck = nil
	s.watchesExec(c)
	s.sites.Reset()
	s.xol.Reset()
	s.ldNotify = 0
	if tab, err := reloadSymbols(s.proc.Pid()); err == nil {
		s.syms.Close()
		s.syms = tab
	} else {
		s.logf("exec: load symbols: %v", err)
	}
	s.watchLibraries(c)
	s.watchGoFailures(c)
	everywhere := func(uint64) bool { return true }
	for _, id := range s.sortedIDs() {
		s.sites.DropLocations(s.bps.get(id), everywhere, "the program exec'd; resolving again")
	}
	s.placePending(c)
	s.emit(Event{Kind: ModulesChanged})
	_, act := s.execCaught(c, tid)
	return act
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
