package target

import (
	"golang.org/x/sys/unix"
)

// handleWait turns one wait4 result into thread state changes and events.
func (p *Process) handleWait(wpid int, ws unix.WaitStatus) {
	t := p.threads[wpid]
	if t == nil {
		p.handleUnknown(wpid, ws)
		return
	}
	if ws.Exited() || ws.Signaled() {
		p.threadGone(t, exitStatusOf(ws))
		return
	}
	if !ws.Stopped() {
		return
	}
	if t.state == tsNew {
		// The first stop of a thread announced by its clone event.
		p.firstStop(t)
		return
	}
	t.state = tsStopped
	t.regsValid, t.regsDirty, t.siginfo = false, false, nil
	t.parkedAt, t.parkStale, t.trapMoved = 0, false, false
	p.syncDebugRegs(t)
	stepping := t.stepping
	t.stepping = false
	sig := int(ws.StopSignal())
	cause := int(ws >> 16)
	if cause != unix.PTRACE_EVENT_STOP {
		t.interruptConsumed()
	}
	switch cause {
	case 0:
		if sig == int(unix.SIGTRAP)|0x80 {
			p.syscallStop(t)
			return
		}
		p.signalStop(t, sig, stepping)
	case unix.PTRACE_EVENT_STOP:
		p.eventStop(t, sig)
	case unix.PTRACE_EVENT_CLONE, unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK:
		t.stopKind = map[int]EventKind{unix.PTRACE_EVENT_CLONE: EventThreadStart,
			unix.PTRACE_EVENT_FORK: EventFork, unix.PTRACE_EVENT_VFORK: EventVfork}[cause]
		msg, err := ptraceGetEventMsg(t.tid)
		if err != nil {
			p.resume(t)
			return
		}
		p.newChild(t, cause, int(msg))
	case unix.PTRACE_EVENT_VFORK_DONE:
		p.stopEvent(t, Event{Kind: EventVforkDone, Pid: t.pid, Tid: t.tid})
	case unix.PTRACE_EVENT_EXEC:
		p.execEvent(t)
	case unix.PTRACE_EVENT_EXIT:
		// The thread is on its way out; let it go and wait for its death.
		t.state = tsExiting
		_ = ptraceCont(t.tid, 0)
	default:
		p.resume(t)
	}
}

// signalStop handles a signal-delivery-stop.
func (p *Process) signalStop(t *thread, sig int, stepping bool) {
	t.stopKind = EventSignal
	t.interruptWant = false
	if sig == int(unix.SIGTRAP) {
		if stepping {
			// A requested step ended, unless the stepped instruction was an
			// int3 or the trap was a real SIGTRAP: only siginfo tells.
			var si SigInfo
			if err := ptraceGetSiginfo(t.tid, &si); err == nil {
				t.siginfo = &si
				switch {
				case si.IsStep():
					p.stopEvent(t, Event{Kind: EventStep, Pid: t.pid, Tid: t.tid})
					return
				case si.IsBreakpoint():
					p.stopEvent(t, Event{Kind: EventTrap, Pid: t.pid, Tid: t.tid})
					return
				}
			}
		} else {
			// The hot path: an int3 hit. No siginfo read here; the layer
			// above knows its breakpoints and asks only when in doubt.
			p.stopEvent(t, Event{Kind: EventTrap, Pid: t.pid, Tid: t.tid})
			return
		}
	}
	t.resumeSig = sig
	p.stopEvent(t, Event{Kind: EventSignal, Pid: t.pid, Tid: t.tid, Sig: sig})
}

// eventStop handles PTRACE_EVENT_STOP: an interrupt we asked for, a group
// stop, or a stale interrupt nobody wants any more.
func (p *Process) eventStop(t *thread, sig int) {
	wanted := t.interruptWant
	t.interruptSent, t.interruptWant = false, false
	switch unix.Signal(sig) {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		t.stopKind = EventGroupStop
		p.stopEvent(t, Event{Kind: EventGroupStop, Pid: t.pid, Tid: t.tid, Sig: sig})
		return
	}
	if wanted {
		t.stopKind = EventInterrupt
		p.stopEvent(t, Event{Kind: EventInterrupt, Pid: t.pid, Tid: t.tid})
		return
	}
	// A stale interrupt (the thread stopped for another reason first), or
	// the wake-up of a listening thread by SIGCONT: nothing to report.
	_ = p.contRaw(t)
}

// stopEvent dispatches a stop and resumes the thread unless told to hold it.
func (p *Process) stopEvent(t *thread, ev Event) {
	t.stopKind = ev.Kind
	if p.dispatch(ev) == Resume && t.state == tsStopped {
		p.resume(t)
	} else if p.guard != nil && t.state == tsStopped {
		// A held thread's pc must be right in the kernel too (on the
		// breakpoint, not past it) should we die now, and on a parking
		// stub if that is an int3: see guardian.go and park.go.
		_ = p.flushRegs(t)
		p.parkCheck = true
	}
}

// resume continues a stopped thread as its stop requires: a group-stopped
// thread listens, others continue with their pending signal.
func (p *Process) resume(t *thread) error {
	if t.state != tsStopped {
		return nil
	}
	if err := p.flushRegs(t); err != nil {
		return err
	}
	if t.stopKind == EventGroupStop {
		if err := ptraceListen(t.tid); err != nil {
			return p.opErr(t, err)
		}
		t.state = tsListening
		return p.reinterrupt(t)
	}
	return p.contRaw(t)
}

// contRaw issues PTRACE_CONT with the thread's pending signal.
func (p *Process) contRaw(t *thread) error {
	sig := t.resumeSig
	if sig != 0 && t.resumeInfo != nil {
		_ = ptraceSetSiginfo(t.tid, t.resumeInfo)
	}
	if sig == 0 && len(t.heldSignals) > 0 {
		// A signal that arrived while we injected a system call.
		si := t.heldSignals[0]
		t.heldSignals = t.heldSignals[1:]
		_ = ptraceSetSiginfo(t.tid, &si)
		sig = si.Signo()
	}
	cont := ptraceCont
	if p.sysTrace {
		cont = ptraceSyscall // stop at the next system call's entry or exit
	}
	if err := cont(t.tid, sig); err != nil {
		return p.opErr(t, err)
	}
	t.resumeSig, t.resumeInfo = 0, nil
	t.state = tsRunning
	return p.reinterrupt(t)
}

// The kernel clears a pending PTRACE_INTERRUPT at any ptrace stop of the
// thread, not only at the interrupt's own PTRACE_EVENT_STOP: a clone or
// exec event, a breakpoint trap or a signal stop that comes first uses it
// up, and no interrupt stop follows. A stop that was wanted and not
// satisfied by that one (interruptWant still set: event stops do not
// satisfy it) gets a new interrupt when the thread resumes. Without this,
// StopAll waited forever for the interrupt of a thread whose clone event
// had used it up, and a pause could be lost the same way.

// interruptConsumed records that the kernel dropped the thread's pending
// interrupt at the stop just seen.
func (t *thread) interruptConsumed() { t.interruptSent = false }

// reinterrupt sends a resumed thread the interrupt it still needs.
func (p *Process) reinterrupt(t *thread) error {
	if !t.interruptWant || t.interruptSent {
		return nil
	}
	if err := ptraceInterrupt(t.tid); err != nil {
		return p.opErr(t, err)
	}
	t.interruptSent = true
	return nil
}

// handleUnknown handles a wait result for a PID we have no thread for: the
// first stop of a new thread or child whose creation event has not arrived
// yet, or the death of something we already forgot.
func (p *Process) handleUnknown(wpid int, ws unix.WaitStatus) {
	if !ws.Stopped() {
		delete(p.early, wpid)
		return
	}
	if int(ws>>16) == unix.PTRACE_EVENT_EXIT {
		// A thread whose clone event never came (its parent was killed
		// first, as when a seccomp filter kills the process) is dying:
		// holding it would keep the group leader's exit from being
		// reported, and us waiting for it forever.
		delete(p.early, wpid)
		_ = ptraceCont(wpid, 0)
		return
	}
	if fi, ok := p.forks[wpid]; ok {
		fi.haveChild = true
		p.forks[wpid] = fi
		p.forkReady(wpid)
		return
	}
	p.early[wpid] = ws
}

// newChild handles a clone, fork or vfork event of thread t.
func (p *Process) newChild(t *thread, cause, child int) {
	switch cause {
	case unix.PTRACE_EVENT_CLONE:
		nt := &thread{tid: child, pid: t.pid, state: tsNew}
		p.threads[child] = nt
		p.newParent[child] = t.tid
		// The parent goes on at once: nothing about a clone needs it held.
		p.resume(t)
		if _, ok := p.early[child]; ok {
			delete(p.early, child)
			p.firstStop(nt)
		}
	default:
		fi := forkInfo{parentTid: t.tid, vfork: cause == unix.PTRACE_EVENT_VFORK}
		if _, ok := p.early[child]; ok {
			delete(p.early, child)
			fi.haveChild = true
		}
		p.forks[child] = fi
		if fi.haveChild {
			p.forkReady(child)
		}
	}
}

// firstStop handles the first stop of a new thread: it is reported stopped.
func (p *Process) firstStop(t *thread) {
	parent := p.newParent[t.tid]
	delete(p.newParent, t.tid)
	t.state = tsStopped
	t.stopKind = EventInterrupt
	// The kernel does not copy debug registers at clone.
	if t.pid == p.pid && p.watches != ([NumWatchpoints]Watch{}) {
		t.dregsStale = true
	}
	p.syncDebugRegs(t)
	// Under StopAll, dispatch collects the event and holds the thread.
	if p.dispatch(Event{Kind: EventThreadStart, Pid: t.pid, Tid: parent, NewTid: t.tid}) == Resume && t.state == tsStopped {
		p.resume(t)
	}
}

// forkReady runs once both the fork event of the parent and the first stop
// of the child have arrived. The child is a thread of its own process while
// the handler sees it; then a fork child is detached and a vfork child stays
// traced until it execs or exits.
func (p *Process) forkReady(child int) {
	fi := p.forks[child]
	delete(p.forks, child)
	parent := p.threads[fi.parentTid]
	ct := &thread{tid: child, pid: child, state: tsStopped, stopKind: EventInterrupt}
	p.threads[child] = ct
	kind := EventFork
	if fi.vfork {
		kind = EventVfork
	}
	ev := Event{Kind: kind, Pid: p.pid, Tid: fi.parentTid, ChildPid: child}
	act := p.dispatch(ev)
	if !fi.vfork {
		_ = p.flushRegs(ct)
		_ = ptraceDetach(child, 0)
		delete(p.threads, child)
	} else if ct.state == tsStopped {
		p.resume(ct)
	}
	if parent != nil && act == Resume && parent.state == tsStopped {
		p.resume(parent)
	}
}

// execEvent handles PTRACE_EVENT_EXEC. After an exec only the exec'ing
// thread is left and it has the leader's thread ID.
func (p *Process) execEvent(t *thread) {
	if t.pid != p.pid {
		// A vfork child replaced its image: it no longer shares our memory,
		// and holds no breakpoint. Let it go.
		_ = ptraceDetach(t.tid, 0)
		delete(p.threads, t.tid)
		return
	}
	former, _ := ptraceGetEventMsg(t.tid)
	for tid, o := range p.threads {
		if o.pid == p.pid && tid != t.tid {
			delete(p.threads, tid)
			if tid != int(former) {
				p.dispatch(Event{Kind: EventThreadExit, Pid: p.pid, Tid: tid, Status: ExitStatus{Unknown: true}})
			}
		}
	}
	if int(former) != t.tid && former != 0 {
		p.dispatch(Event{Kind: EventThreadExit, Pid: p.pid, Tid: int(former), Status: ExitStatus{Unknown: true}})
	}
	p.syscallPC = 0
	p.park = nil // the page went with the old image
	p.reopenMem()
	p.stopEvent(t, Event{Kind: EventExec, Pid: p.pid, Tid: t.tid})
}

// threadGone handles the death of a thread.
func (p *Process) threadGone(t *thread, st ExitStatus) {
	delete(p.threads, t.tid)
	if t.pid != p.pid {
		return // a vfork child that exited; its parent gets VFORK_DONE
	}
	if t.tid == p.pid {
		// The leader is reported last, once the whole group is dead.
		p.finishExit(st)
		return
	}
	p.dispatch(Event{Kind: EventThreadExit, Pid: t.pid, Tid: t.tid, Status: st})
}
