package debugger

import (
	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/target"
	"golang.org/x/sys/unix"
)

// The session's internal breakpoints (breakpoints.Internal): they are
// built here for a step of one thread or goroutine, and decided here when
// hit, by kind.

// internalFor makes a stepping breakpoint owned by the thread (or, in Go
// code, the goroutine) tid is running; minSP and cfa are stack addresses
// of the thread now (0: no check).
func (s *Session) internalFor(c *target.Ctl, tid int, kind breakpoints.InternalKind, minSP, cfa uint64) *breakpoints.Internal {
	ib := &breakpoints.Internal{Tid: tid, Kind: kind}
	regs, err := c.Regs(tid)
	if err != nil {
		return ib
	}
	if g := s.goroutineOf(regs); g != 0 {
		ib.Tid, ib.G = 0, g
		if th := s.threads[tid]; th != nil && th.step != nil {
			th.step.g = g
		}
	}
	if minSP != 0 {
		ib.MinSP = s.stackKey(c, regs, minSP)
	}
	if cfa != 0 {
		ib.CFA = s.stackKey(c, regs, cfa)
	}
	return ib
}

// stepOwner returns the thread whose step an internal breakpoint belongs
// to, if the hit by tid is for it; 0 otherwise.
func (s *Session) stepOwner(ib *breakpoints.Internal, tid int, regs regsT) int {
	if ib.Tid != 0 {
		if ib.Tid == tid {
			return tid
		}
		return 0
	}
	if ib.G == 0 || s.goroutineOf(regs) != ib.G {
		return 0
	}
	for id, th := range s.threads {
		if th.step != nil && th.step.g == ib.G {
			return id
		}
	}
	return 0
}

// internalHit decides on a trap at a site that has internal breakpoints.
func (s *Session) internalHit(c *target.Ctl, tid int, st *breakpoints.Site, regs regsT) (stop bool, reason, desc string) {
	for _, ib := range st.Internals() {
		if ib.Kind == breakpoints.Libraries {
			s.librariesChanged(c)
			continue
		}
		if ib.Kind == breakpoints.GoPause {
			if s.goPauseHit(c, tid, ib, regs) {
				s.endStep(c, tid)
				return true, ReasonPause, "paused"
			}
			continue
		}
		if ib.Kind == breakpoints.WatchScope {
			if stop, desc := s.watchScopeHit(c, tid, ib, regs); stop {
				s.endStep(c, tid)
				return true, ReasonDataBreakpoint, desc
			}
			continue
		}
		if isGoFailure(ib.Kind) {
			e := s.goFailure(c, tid, ib.Kind)
			s.endStep(c, tid) // a step that ran into it ends here
			s.thread(tid).exception = e
			return true, ReasonException, e.Description
		}
		owner := s.stepOwner(ib, tid, regs)
		if owner == 0 {
			continue
		}
		th := s.threads[owner]
		if th == nil || th.step == nil {
			continue
		}
		if owner != tid {
			// A goroutine that moved to another thread mid-step: the
			// step goes on with it. Its internal breakpoints are the
			// goroutine's (Internal.G), so they stay; only the step
			// state moves. (Ending the old thread's step here removed
			// them and dropped the state, so a step out that finished
			// on the new thread read a nil step.)
			moved := th.step
			th.step = nil
			th = s.thread(tid)
			th.step = moved
		}
		switch ib.Kind {
		case breakpoints.StepStmt:
			frames, err := s.unwindRegs(c, regs, 1)
			if err == nil && len(frames) > 0 && s.stackKey(c, regs, frames[0].CFA) == ib.CFA {
				s.endStep(c, tid)
				return true, ReasonStep, "step"
			}
		case breakpoints.StepEntry:
			s.endStep(c, tid)
			return true, ReasonStep, "step"
		case breakpoints.StepOut:
			if s.stackKey(c, regs, regs.Rsp) >= ib.MinSP {
				th.returned = th.step.from
				s.endStep(c, tid)
				return true, ReasonStep, "step out"
			}
		case breakpoints.StepReturn:
			if s.stackKey(c, regs, regs.Rsp) < ib.MinSP {
				continue // a deeper recursive call returning
			}
			// Back in the caller, usually in the middle of a line: stop if
			// a statement starts here, else step on to the next one there.
			kind := th.step.kind
			s.endStep(c, tid)
			if info, ok := s.syms.StepInfo(regs.Rip); ok && info.IsStmt(regs.Rip) {
				return true, ReasonStep, "step"
			}
			c.SetRegs(tid, regs)
			frames, _ := s.unwindRegs(c, regs, maxInlineDepth)
			if err := s.placeNext(c, tid, kind, regs, frames); err != nil {
				return true, ReasonStep, "step"
			}
			return false, "", ""
		}
	}
	return false, "", ""
}

// signalReturned recognises the trap of a signal-return breakpoint of this
// thread: the breakpoint goes, and the step goes on from here. It reports
// whether the thread was sent on.
func (s *Session) signalReturned(c *target.Ctl, tid int, st *breakpoints.Site, regs unix.PtraceRegs) bool {
	th := s.threads[tid]
	if th == nil || th.step == nil {
		return false
	}
	for _, ib := range st.Internals() {
		if ib.Kind != breakpoints.StepSignalReturn || s.stepOwner(ib, tid, regs) != tid || s.stackKey(c, regs, regs.Rsp) < ib.MinSP {
			continue
		}
		s.sites.RemoveInternal(c, func(x *breakpoints.Internal) bool { return x == ib })
		// A replay marker for this int3 (the signal came while the
		// instruction was to run out of line) is used up by this trap.
		s.xol.Replay(st.Addr, regs.Rsp)
		if err := s.stepInsn(c, tid); err != nil {
			s.endStep(c, tid)
			s.userStop(c, tid, ReasonStep, err.Error(), nil, 0)
		}
		return true
	}
	return false
}
