package target

import (
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
		return p.goneErr2()
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
		return c.p.goneErr2()
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
