package debugger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// ErrNotStopped is returned for requests that need a stopped thread.
var ErrNotStopped = errors.New("thread is running")

// resume lets a held thread run. A thread stopped on one of our breakpoints
// (its pc at the int3) first executes the instruction there out of line,
// unless the hit there has not been counted yet: a hit undone by StopAll,
// or a pass interrupted in its slot (Fix left a replay marker). Those
// execute the int3 again.
func (s *Session) resume(c *target.Ctl, tid int) error {
	th := s.thread(tid)
	th.held, th.reason, th.pending, th.exception, th.returned = false, "", false, nil, 0
	st, regs, err := s.siteAt(c, tid)
	if err != nil {
		return err
	}
	// An undone hit stays undone until the thread traps on its int3: a
	// thread stopped again before it got there (another stop of every
	// thread) must still execute the int3, not pass over it.
	rehit := th.rehitAt != 0 && th.rehitAt == regs.Rip
	if st != nil && !rehit && !s.xol.Pending(regs.Rip, regs.Rsp) {
		in, err := s.sites.Insn(c, st)
		if err == nil {
			err = s.xol.Pass(c, tid, in, regs)
		}
		if err != nil {
			return s.stepInPlace(c, tid, st, false)
		}
		return nil
	}
	return c.Cont(tid)
}

// siteAt returns the site a stopped thread is about to execute, if any,
// with its registers. A thread paused inside a system call that is to be
// restarted is first put back on the syscall instruction (see
// target.RestartSyscall): the kernel's own restart would rewind whatever
// pc we gave the thread, a slot address included. With a signal to deliver
// the kernel keeps that decision, and the thread gets no site: it must
// resume where it is, and meets the int3 there, if any, after the handler.
func (s *Session) siteAt(c *target.Ctl, tid int) (*breakpoints.Site, regsT, error) {
	if _, err := c.RestartSyscall(tid); err != nil {
		return nil, regsT{}, err
	}
	regs, err := c.Regs(tid)
	if err != nil {
		return nil, regs, err
	}
	if target.RestartPending(regs) {
		return nil, regs, nil
	}
	return s.sites.At(regs.Rip), regs, nil
}

// Continue resumes one thread (non-stop), or every thread in all-stop mode
// unless singleThread is set.
func (s *Session) Continue(tid int, singleThread bool) error {
	if s.cfg.StopMode == StopAll && !singleThread {
		return s.ContinueAll()
	}
	return s.proc.Do(func(c *target.Ctl) error {
		if !c.Stopped(tid) || !s.thread(tid).held {
			return fmt.Errorf("thread %d: %w", tid, ErrNotStopped)
		}
		if err := s.resume(c, tid); err != nil {
			return err
		}
		s.allHeld = false
		s.emit(Event{Kind: Continued, Tid: tid})
		return nil
	})
}

// ContinueAll resumes every stopped thread (in all-stop mode, unless a
// stop that another thread made meanwhile is still to be reported: then
// that stop is reported, and nothing runs).
func (s *Session) ContinueAll() error {
	return s.proc.Do(func(c *target.Ctl) error {
		if s.reportPending(c) {
			return nil
		}
		var first error
		for _, t := range c.Threads() {
			if t.Stopped && t.Pid == s.proc.Pid() {
				if err := s.resume(c, t.Tid); err != nil && first == nil {
					first = err
				}
			}
		}
		s.allHeld = false
		s.emit(Event{Kind: Continued, All: true})
		return first
	})
}

// Pause stops one thread; the stop arrives as a Stopped event. In
// all-stop mode every thread stops.
func (s *Session) Pause(tid int) error {
	return s.proc.Do(func(c *target.Ctl) error {
		th := s.threads[tid]
		if th == nil {
			return fmt.Errorf("no thread %d", tid)
		}
		if c.Stopped(tid) {
			if th.held {
				return nil
			}
		}
		th.pauseWant = true
		return c.Interrupt(tid)
	})
}

// PauseAll stops every thread and reports one Stopped event for them all.
func (s *Session) PauseAll() error {
	return s.proc.Do(func(c *target.Ctl) error {
		s.stopOthers(c)
		var first int
		for _, t := range c.Threads() {
			if first == 0 {
				first = t.Tid
			}
		}
		s.emit(Event{Kind: Stopped, Tid: first, Reason: ReasonPause, Description: "paused", AllStopped: true, All: true})
		return nil
	})
}

// stepState is a step in progress on one thread.
type stepState struct {
	kind   string // "next", "in", "out", "instr"
	single bool   // advancing by single instructions
	info   symbols.StepInfo
	cfa    uint64 // of the frame the step started in
	g      uint64 // the goroutine being stepped (Go code), 0 otherwise
	from   uint64 // step out: a pc of the function being left, for its return value
}

// StepInstruction executes one instruction of a stopped thread.
func (s *Session) StepInstruction(tid int) error {
	return s.startStep(tid, func(c *target.Ctl, th *thread) error {
		th.step = &stepState{kind: "instr", single: true}
		return s.stepInsn(c, tid)
	})
}

// Next steps one source line of a stopped thread, over calls; other
// threads keep running (they do not stop at the line either).
func (s *Session) Next(tid int) error {
	return s.startStep(tid, func(c *target.Ctl, th *thread) error {
		return s.planNext(c, tid, "next")
	})
}

// StepOut runs a stopped thread until its current function returns.
func (s *Session) StepOut(tid int) error {
	return s.startStep(tid, func(c *target.Ctl, th *thread) error {
		frames, err := s.unwind(c, tid, maxInlineDepth)
		if err != nil {
			return err
		}
		if len(frames) > 0 && frames[0].Inlined {
			return s.leaveInlined(c, tid, frames)
		}
		if len(frames) < 2 {
			return errors.New("no caller to step out to")
		}
		return s.runToReturn(c, tid, frames, frames[0].PC)
	})
}

// leaveInlined steps out of an inlined call: the thread runs until it
// reaches a statement of the out-of-line function outside the inlined
// code, in the same frame, or that function returns.
func (s *Session) leaveInlined(c *target.Ctl, tid int, frames []symbols.Frame) error {
	regs, err := c.Regs(tid)
	if err != nil {
		return err
	}
	info, ok := s.syms.StepInfo(regs.Rip)
	inlined := s.syms.InlinedRanges(regs.Rip)
	if !ok || inlined == nil {
		return errors.New("no line information for the inlined call")
	}
	s.thread(tid).step = &stepState{kind: "out", info: info, cfa: frames[0].CFA}
	for _, a := range info.Stmts {
		if inRanges(a, inlined) {
			continue
		}
		if err := s.sites.AddInternal(c, a, s.internalFor(c, tid, breakpoints.StepStmt, 0, frames[0].CFA)); err != nil {
			s.logf("step out: internal breakpoint at %#x: %v", a, err)
		}
	}
	if caller, ok := physicalCaller(frames); ok {
		if err := s.sites.AddInternal(c, caller.PC, s.internalFor(c, tid, breakpoints.StepOut, frames[0].CFA, 0)); err != nil {
			s.logf("step out: return breakpoint at %#x: %v", caller.PC, err)
		}
	}
	return s.resume(c, tid)
}

func inRanges(a uint64, rs [][2]uint64) bool {
	for _, r := range rs {
		if a >= r[0] && a < r[1] {
			return true
		}
	}
	return false
}

// runToReturn lets thread tid run until the frame frames[0] returns to
// frames[1] (a deeper recursive call returning there does not count).
// from, if not 0, is a pc of the function left, whose return value the
// stop then offers (ReturnValue).
func (s *Session) runToReturn(c *target.Ctl, tid int, frames []symbols.Frame, from uint64) error {
	s.thread(tid).step = &stepState{kind: "out", cfa: frames[0].CFA, from: from}
	if err := s.sites.AddInternal(c, frames[1].PC, s.internalFor(c, tid, breakpoints.StepOut, frames[0].CFA, 0)); err != nil {
		return err
	}
	return s.resume(c, tid)
}

// StepIn steps one source line, into called functions that have line
// information.
func (s *Session) StepIn(tid int) error {
	return s.startStep(tid, func(c *target.Ctl, th *thread) error {
		regs, err := c.Regs(tid)
		if err != nil {
			return err
		}
		info, ok := s.syms.StepInfo(regs.Rip)
		if !ok {
			th.step = &stepState{kind: "instr", single: true}
			return s.stepInsn(c, tid)
		}
		th.step = &stepState{kind: "in", single: true, info: info}
		return s.stepInsn(c, tid)
	})
}

func (s *Session) startStep(tid int, f func(c *target.Ctl, th *thread) error) error {
	return s.proc.Do(func(c *target.Ctl) error {
		th := s.threads[tid]
		if th == nil || !th.held || !c.Stopped(tid) {
			return fmt.Errorf("thread %d: %w", tid, ErrNotStopped)
		}
		if th.step != nil {
			s.endStep(c, tid)
		}
		th.returned = 0 // steps do not all pass through resume
		if err := f(c, th); err != nil {
			s.endStep(c, tid)
			return err
		}
		th.held = false
		if s.cfg.StopMode == StopAll {
			// All-stop: the others run while this one steps, as in gdb.
			for _, t := range c.Threads() {
				// A thread whose stop is still to be reported stays
				// where it is until it is.
				if th := s.thread(t.Tid); t.Tid != tid && t.Stopped && th.held && !th.pending {
					s.resume(c, t.Tid)
				}
			}
			s.allHeld = false
		}
		s.emit(Event{Kind: Continued, Tid: tid})
		return nil
	})
}

// maxInlineDepth is how many frames a line step unwinds: enough to get
// past the inlined calls at the pc to the out-of-line function's caller.
const maxInlineDepth = 16

// planNext puts internal breakpoints on every statement of the current
// function outside the current line, and on the return address, for the
// stepping thread (or goroutine) only; then lets the thread run.
func (s *Session) planNext(c *target.Ctl, tid int, kind string) error {
	th := s.thread(tid)
	regs, err := c.Regs(tid)
	if err != nil {
		return err
	}
	frames, _ := s.unwind(c, tid, maxInlineDepth)
	if err := s.placeNext(c, tid, kind, regs, frames); err == nil {
		return s.resume(c, tid)
	}
	// No line information here: finish the function instead.
	if len(frames) < 2 {
		th.step = &stepState{kind: "instr", single: true}
		return s.stepInsn(c, tid)
	}
	return s.runToReturn(c, tid, frames, 0)
}

// placeNext places a next's internal breakpoints from where the thread is
// (it does not resume it: a thread stopped on a trap is sent on by the
// trap handler).
func (s *Session) placeNext(c *target.Ctl, tid int, kind string, regs regsT, frames []symbols.Frame) error {
	info, ok := s.syms.StepInfo(regs.Rip)
	if !ok || len(frames) == 0 {
		return errors.New("no line information")
	}
	s.thread(tid).step = &stepState{kind: kind, info: info, cfa: frames[0].CFA}
	for i, a := range info.Stmts {
		if a == regs.Rip || (a >= info.LineLo && a < info.LineHi) || info.Lines[i] == info.Line {
			continue
		}
		if err := s.sites.AddInternal(c, a, s.internalFor(c, tid, breakpoints.StepStmt, 0, frames[0].CFA)); err != nil {
			s.logf("next: internal breakpoint at %#x: %v", a, err)
		}
	}
	if caller, ok := physicalCaller(frames); ok {
		if err := s.sites.AddInternal(c, caller.PC, s.internalFor(c, tid, breakpoints.StepReturn, frames[0].CFA, 0)); err != nil {
			s.logf("next: return breakpoint at %#x: %v", caller.PC, err)
		}
	}
	return nil
}

// physicalCaller returns the frame that the function holding frames[0]
// returns to. Inlined calls have no return of their own: when frames[0] is
// one, frames[1] is its inlining function at the same pc, and a return
// breakpoint there would be behind the thread already; the statements of
// the whole out-of-line function are covered by the step's own
// breakpoints.
func physicalCaller(frames []symbols.Frame) (symbols.Frame, bool) {
	i := 0
	for i < len(frames) && frames[i].Inlined {
		i++
	}
	if i+1 >= len(frames) || frames[i+1].PC == 0 {
		return symbols.Frame{}, false
	}
	return frames[i+1], true
}

// endStep drops a thread's step and its internal breakpoints.
func (s *Session) endStep(c *target.Ctl, tid int) {
	var g uint64
	if th := s.threads[tid]; th != nil {
		if th.step != nil {
			g = th.step.g
		}
		th.step = nil
	}
	s.sites.RemoveInternal(c, func(ib *breakpoints.Internal) bool {
		if ib.Kind == breakpoints.WatchScope || ib.Kind == breakpoints.GoPause {
			return false // a watchpoint's or a pause's, not the step's
		}
		return (ib.Tid == tid && ib.Tid != 0) || (g != 0 && ib.G == g)
	})
}

// Stepping Go code follows the goroutine, not the thread: Go moves
// goroutines between threads (after a blocking call, or when a signal
// preempts one), so a step's internal breakpoints are tied to the
// goroutine's g (in R14 in Go code, by the register ABI) and its stack
// positions are measured from the top of the goroutine's stack, which Go
// may copy elsewhere when it grows.

// goroutineOf returns the g of a thread stopped in Go code, or 0.
func (s *Session) goroutineOf(regs regsT) uint64 {
	if im := s.syms.ImageAt(regs.Rip); im != nil && im.Go {
		return regs.R14
	}
	return 0
}

// stackKey turns a stack address of the thread into a value that orders
// frames (larger: outer) and stays the same if Go moves the stack.
func (s *Session) stackKey(c *target.Ctl, regs regsT, addr uint64) uint64 {
	g := s.goroutineOf(regs)
	if g == 0 {
		return addr
	}
	var b [8]byte
	if _, err := s.proc.ReadMemory(g+8, b[:]); err != nil { // g.stack.hi
		return addr
	}
	hi := binary.LittleEndian.Uint64(b[:])
	if addr > hi {
		return addr
	}
	return 1<<63 - (hi - addr)
}

// stepInsn advances a thread by one instruction, through XOL when it sits
// on one of our int3s. Emulated instructions finish at once: then the step
// logic continues without waiting for an event.
func (s *Session) stepInsn(c *target.Ctl, tid int) error {
	for i := 0; i < 1000; i++ {
		st, regs, err := s.siteAt(c, tid)
		if err != nil {
			return err
		}
		if st == nil {
			return c.Step(tid)
		}
		in, err := s.sites.Insn(c, st)
		if err != nil {
			return err
		}
		done, err := s.xol.Step(c, tid, in, regs)
		if err != nil {
			return s.stepInPlace(c, tid, st, true)
		}
		if !done {
			return nil // EventStep comes
		}
		if finished := s.afterInsn(c, tid); finished {
			return nil
		}
	}
	return errors.New("step did not leave an emulated loop")
}

// onStep handles EventStep: an XOL single-step of ours, or a user step.
func (s *Session) onStep(c *target.Ctl, tid int) target.Action {
	ours, pass, err := s.xol.FinishStep(c, tid)
	if err != nil {
		s.logf("thread %d: XOL step: %v", tid, err)
	}
	// The stepped instruction may have tripped a watchpoint (the trap of
	// both is one SIGTRAP): that decides first, whatever stepped it.
	if hit, act := s.watchTrap(c, tid); hit {
		return act
	}
	if ours && pass {
		return target.Resume // an auto-continued pass; it runs on
	}
	th := s.threads[tid]
	if th == nil || th.step == nil || !th.step.single {
		return target.Resume
	}
	if s.afterInsn(c, tid) {
		return target.Hold
	}
	if err := s.stepInsn(c, tid); err != nil {
		s.endStep(c, tid)
		return s.userStop(c, tid, ReasonStep, err.Error(), nil, 0)
	}
	if c.Stopped(tid) {
		return target.Hold
	}
	return target.Resume
}

// afterInsn decides, after one instruction of a single-stepping thread,
// whether the step is over (and reports the stop) or goes on.
func (s *Session) afterInsn(c *target.Ctl, tid int) (finished bool) {
	th := s.threads[tid]
	st := th.step
	if st.kind == "instr" {
		s.endStep(c, tid)
		s.userStop(c, tid, ReasonStep, "step", nil, 0)
		return true
	}
	regs, err := c.Regs(tid)
	if err != nil {
		s.endStep(c, tid)
		return true
	}
	pc := regs.Rip
	if st.info.InFunc(pc) {
		if l := st.info.LineOf(pc); l != 0 && l != st.info.Line && (pc < st.info.LineLo || pc >= st.info.LineHi) {
			s.endStep(c, tid)
			s.userStop(c, tid, ReasonStep, "step", nil, 0)
			return true
		}
		return false
	}
	// Left the function: a call, or a return.
	info, ok := s.syms.StepInfo(pc)
	if ok && pc == info.FuncRanges[0][0] {
		// Entered a function with line information: run to its first
		// statement after the prologue.
		if addr, ok := s.afterPrologue(pc, info); ok && addr != pc {
			th.step = &stepState{kind: "in"}
			s.sites.AddInternal(c, addr, s.internalFor(c, tid, breakpoints.StepEntry, 0, 0))
			s.resume(c, tid)
			return true
		}
		s.endStep(c, tid)
		s.userStop(c, tid, ReasonStep, "step", nil, 0)
		return true
	}
	if ok && info.IsStmt(pc) {
		s.endStep(c, tid)
		s.userStop(c, tid, ReasonStep, "step", nil, 0)
		return true
	}
	if ok {
		// Returned into the middle of a caller's line: finish that line.
		st.info = info
		return false
	}
	// No line information (a PLT stub, a library without debug info): run
	// to the return address and go on stepping there.
	var b [8]byte
	if _, err := s.proc.ReadMemory(regs.Rsp, b[:]); err != nil {
		s.endStep(c, tid)
		s.userStop(c, tid, ReasonStep, "step", nil, 0)
		return true
	}
	ret := binary.LittleEndian.Uint64(b[:])
	th.step = &stepState{kind: "next", info: st.info, cfa: st.cfa}
	s.sites.AddInternal(c, ret, s.internalFor(c, tid, breakpoints.StepReturn, regs.Rsp+8, 0))
	s.resume(c, tid)
	return true
}

// afterPrologue finds where a breakpoint on the function at entry goes.
func (s *Session) afterPrologue(entry uint64, info symbols.StepInfo) (uint64, bool) {
	pi := s.syms.LookupPC(entry)
	if len(pi.Frames) == 0 {
		return 0, false
	}
	locs, err := s.syms.Resolve(pi.Frames[len(pi.Frames)-1].Function)
	if err != nil {
		return 0, false
	}
	for _, l := range locs {
		if info.InFunc(l.PC) {
			return l.PC, true
		}
	}
	return 0, false
}
