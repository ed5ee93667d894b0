package target

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Detach lets the process go. Every thread is stopped first (PTRACE_DETACH
// needs a stopped tracee), cached registers are written back, and a signal
// a thread stopped with is passed on, so the process goes on exactly as if
// we had never been there. Breakpoints and other changes made by layers
// above must be undone before (see Ctl.Detach).
func (p *Process) Detach() error {
	return p.Do(func(c *Ctl) error { return c.Detach() })
}

// Detach is Process.Detach on the ptrace thread; a Handler or Do function
// uses it after undoing its own changes. Nothing of the process can be
// used afterwards.
func (c *Ctl) Detach() error {
	p := c.p
	if p.state != psAlive {
		return p.goneErrOnLoop()
	}
	evs, err := c.StopAll()
	if err != nil {
		return err
	}
	// Signals that arrived while stopping are the program's: pass them on.
	for _, ev := range evs {
		_ = ev // their threads keep resumeSig; ptraceDetach delivers it
	}
	var first error
	for tid, t := range p.threads {
		if t.state == tsStopped {
			_ = p.flushRegs(t)
			p.clearDebugRegs(t)
			sig := t.resumeSig
			if sig != 0 && t.resumeInfo != nil {
				_ = ptraceSetSiginfo(tid, t.resumeInfo)
			}
			if err := ptraceDetach(tid, sig); err != nil && err != unix.ESRCH && first == nil {
				first = p.opErr(t, err)
			}
		}
		// Threads still exiting are detached by their death.
	}
	p.threads = map[int]*thread{}
	p.state = psDetached
	p.endGuard()
	p.closeMem()
	if p.launched {
		p.reapDetached()
	}
	if p.queue != nil {
		p.queue.Close()
	}
	p.quit = true
	return first
}

// Kill kills the process with SIGKILL and waits for it to be gone. Events
// up to and including EventExit are delivered as usual.
func (p *Process) Kill() error {
	err := p.Do(func(c *Ctl) error { return c.Kill() })
	if err != nil && err != ErrExited {
		return err
	}
	<-p.loopDone
	return nil
}

// Kill sends SIGKILL to the process; its death arrives as EventExit.
func (c *Ctl) Kill() error {
	if c.p.state != psAlive {
		return c.p.goneErrOnLoop()
	}
	if err := unix.Kill(c.p.pid, unix.SIGKILL); err != nil && err != unix.ESRCH {
		return err
	}
	// Vfork children still traced die with us as well.
	for _, t := range c.p.threads {
		if t.pid != c.p.pid {
			_ = unix.Kill(t.pid, unix.SIGKILL)
		}
	}
	return nil
}

// reapDetached waits for a launched process we detached from: it is still
// our child (the ptrace thread's), and without a wait it would stay a
// zombie when it ends, and Wait would never return. Any thread of ours may
// wait for it (no __WNOTHREAD), so a goroutine does, after the ptrace
// thread is gone.
func (p *Process) reapDetached() {
	pid := p.pid
	go func() {
		<-p.loopDone
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(pid, &ws, unix.WALL, nil)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				p.exitStatus = ExitStatus{Unknown: true}
			} else {
				p.exitStatus = exitStatusOf(ws)
			}
			break
		}
		close(p.exitedCh)
	}()
}

// A thread that executes an int3 has its SIGTRAP queued at once, but if a
// PTRACE_INTERRUPT is pending too, it reports the interrupt first, with
// the SIGTRAP still queued: StopAll sees an interrupt stop, not a trap.
// Detached like that, the thread dequeues the SIGTRAP with no tracer to
// suppress it and dies of it (rip one past an int3 that is no longer
// there). So before a detach every such trap must be taken.

const ptracePeekSiginfo = 0x4209 // PTRACE_PEEKSIGINFO

// peekSiginfoArgs is struct ptrace_peeksiginfo_args.
type peekSiginfoArgs struct {
	off   uint64
	flags uint32 // 0: the thread's own queue, where an int3's SIGTRAP goes
	nr    int32
}

// pendingBreakpointTrap reports whether a stopped thread has an int3's
// SIGTRAP (SI_KERNEL) queued and not yet reported.
func pendingBreakpointTrap(tid int) bool {
	var buf [8]unix.Siginfo
	args := peekSiginfoArgs{nr: int32(len(buf))}
	n, _, e := unix.Syscall6(unix.SYS_PTRACE, ptracePeekSiginfo, uintptr(tid),
		uintptr(unsafe.Pointer(&args)), uintptr(unsafe.Pointer(&buf[0])), 0, 0)
	if e != 0 {
		return false
	}
	for i := 0; i < int(n) && i < len(buf); i++ {
		if buf[i].Signo == int32(unix.SIGTRAP) && buf[i].Code == siKernel {
			return true
		}
	}
	return false
}

// TakePendingTrap makes a stopped thread report an int3's SIGTRAP that is
// queued for it but not yet reported (see above), and reports whether
// there was one. The thread is then stopped at that trap as at any
// EventTrap, with rip one past the int3: the caller rewinds it if the int3
// was ours, as for any trap of an int3 it has taken out; the SIGTRAP itself
// is suppressed. A thread stopped with a signal to deliver is left alone:
// resuming it would run the signal's handler first.
func (c *Ctl) TakePendingTrap(tid int) (bool, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return false, err
	}
	if t.resumeSig != 0 || !pendingBreakpointTrap(tid) {
		return false, nil
	}
	if err := c.p.flushRegs(t); err != nil {
		return false, err
	}
	if err := ptraceCont(tid, 0); err != nil {
		return false, c.p.opErr(t, err)
	}
	for {
		var ws unix.WaitStatus
		if _, err := wait4(tid, &ws, 0); err != nil {
			return false, c.p.opErr(t, err)
		}
		if ws.Exited() || ws.Signaled() {
			c.p.threadGone(t, exitStatusOf(ws))
			return false, fmt.Errorf("thread %d: %w (it exited)", tid, ErrNoThread)
		}
		if !ws.Stopped() {
			continue
		}
		// The queued SIGTRAP is dequeued before any instruction runs, so
		// this stop is it; any other stop (an event) just comes first.
		if ws>>16 == 0 && ws.StopSignal() == unix.SIGTRAP {
			break
		}
		if err := ptraceCont(tid, 0); err != nil {
			return false, c.p.opErr(t, err)
		}
	}
	t.state, t.stopKind = tsStopped, EventTrap
	t.regsValid, t.regsDirty, t.siginfo = false, false, nil
	t.resumeSig, t.resumeInfo = 0, nil
	return true, nil
}
