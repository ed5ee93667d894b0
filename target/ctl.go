package target

import (
	"fmt"
	"sort"

	"golang.org/x/sys/unix"
)

// Ctl is the ptrace thread's handle on a process, given to Handlers and to
// functions run by Process.Do. It must not be kept or used elsewhere.
type Ctl struct{ p *Process }

// Process returns the process this Ctl controls.
func (c *Ctl) Process() *Process { return c.p }

// ThreadState is what a Ctl reports about one thread.
type ThreadState struct {
	Tid      int
	Pid      int  // differs from the process's PID for a vfork child
	Stopped  bool // in a stop we have not answered (registers can be read)
	StopKind EventKind
	Exiting  bool // past its exit event, about to be gone
}

// Threads lists every known thread, sorted by thread ID.
func (c *Ctl) Threads() []ThreadState {
	out := make([]ThreadState, 0, len(c.p.threads))
	for _, t := range c.p.threads {
		if t.state == tsNew {
			continue
		}
		out = append(out, ThreadState{Tid: t.tid, Pid: t.pid, Stopped: t.state == tsStopped,
			StopKind: t.stopKind, Exiting: t.state == tsExiting})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tid < out[j].Tid })
	return out
}

// Stopped reports whether tid is stopped; false for unknown threads.
func (c *Ctl) Stopped(tid int) bool {
	t := c.p.threads[tid]
	return t != nil && t.state == tsStopped
}

// stopped returns the thread if it exists and is stopped.
func (c *Ctl) stopped(tid int) (*thread, error) {
	if c.p.state != psAlive {
		return nil, c.p.goneErrOnLoop()
	}
	t := c.p.threads[tid]
	if t == nil || t.state == tsNew {
		return nil, fmt.Errorf("thread %d: %w", tid, ErrNoThread)
	}
	if t.state != tsStopped {
		return nil, fmt.Errorf("thread %d: %w", tid, ErrRunning)
	}
	return t, nil
}

// goneErrOnLoop says why requests fail after the process is gone, from
// p.state: on the ptrace thread, which owns it (elsewhere, goneErr).
func (p *Process) goneErrOnLoop() error {
	if p.state == psExited {
		return ErrExited
	}
	return ErrDetached
}

// opErr wraps an errno from a ptrace request on t. ESRCH means the thread
// died under us (SIGKILL): its death will be reported by wait4.
func (p *Process) opErr(t *thread, err error) error {
	if err == unix.ESRCH {
		return fmt.Errorf("thread %d: %w (it is exiting)", t.tid, ErrNoThread)
	}
	return fmt.Errorf("thread %d: %w", t.tid, err)
}

// Cont resumes a stopped thread, delivering its pending signal if it stopped
// for one (see SetSignal). A thread in a group stop keeps waiting for SIGCONT.
func (c *Ctl) Cont(tid int) error {
	t, err := c.stopped(tid)
	if err != nil {
		return err
	}
	return c.p.resume(t)
}

// ContAll resumes every stopped thread.
func (c *Ctl) ContAll() error {
	var first error
	for _, t := range c.p.threads {
		if t.state == tsStopped {
			if err := c.p.resume(t); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Step single-steps a stopped thread; EventStep reports the end (or another
// stop comes first, such as a signal). A pending signal is delivered first,
// as the kernel does: the step then ends at the handler's first instruction.
func (c *Ctl) Step(tid int) error {
	t, err := c.stopped(tid)
	if err != nil {
		return err
	}
	if err := c.p.startStep(t); err != nil {
		return err
	}
	t.stepping = true
	t.state = tsRunning
	return nil
}

// startStep issues PTRACE_SINGLESTEP with the thread's registers written
// back and its pending signal delivered.
func (p *Process) startStep(t *thread) error {
	if err := p.flushRegs(t); err != nil {
		return err
	}
	if err := ptraceStep(t.tid, t.resumeSig); err != nil {
		return p.opErr(t, err)
	}
	t.resumeSig, t.resumeInfo = 0, nil
	return nil
}

// Interrupt asks a running thread to stop; EventInterrupt reports it (or the
// thread reports another stop first, which satisfies the request). A stopped
// or exiting thread is left alone.
func (c *Ctl) Interrupt(tid int) error {
	if c.p.state != psAlive {
		return c.p.goneErrOnLoop()
	}
	t := c.p.threads[tid]
	if t == nil {
		return fmt.Errorf("thread %d: %w", tid, ErrNoThread)
	}
	return c.p.interrupt(t)
}

// InterruptOnResume asks a stopped thread to stop again as soon as it is
// resumed (EventInterrupt): for a stop wanted by somebody that the stop the
// thread is in does not answer. The kernel drops a pending interrupt at any
// ptrace stop, so an interrupt sent before such a stop is lost with it.
func (c *Ctl) InterruptOnResume(tid int) {
	if t := c.p.threads[tid]; t != nil && t.state == tsStopped {
		t.interruptWant = true // resume sends it (reinterrupt)
	}
}

// nudge interrupts a running thread that nobody wants stopped: its stop is
// a stale interrupt, resumed at once unseen by the Handler, and what
// changed for every thread (debug registers, system call stops) takes
// effect on the way. A thread that cannot be interrupted is left alone.
func (p *Process) nudge(t *thread) {
	if (t.state == tsRunning || t.state == tsListening) && !t.interruptSent {
		if ptraceInterrupt(t.tid) == nil {
			t.interruptSent = true
		}
	}
}

func (p *Process) interrupt(t *thread) error {
	switch t.state {
	case tsRunning, tsListening:
	case tsNew:
		t.interruptWant = true // its first stop will do
		return nil
	default:
		return nil
	}
	t.interruptWant = true
	if t.interruptSent {
		return nil
	}
	if err := ptraceInterrupt(t.tid); err != nil {
		return p.opErr(t, err)
	}
	t.interruptSent = true
	return nil
}

// SetSignal sets the signal a stopped thread gets when it resumes: 0
// suppresses the signal it stopped with. The original siginfo is kept when
// the signal is unchanged.
func (c *Ctl) SetSignal(tid, sig int) error {
	t, err := c.stopped(tid)
	if err != nil {
		return err
	}
	if sig != t.resumeSig {
		t.resumeInfo = nil
	}
	t.resumeSig = sig
	return nil
}

// Signal returns the signal a stopped thread will get when it resumes.
func (c *Ctl) Signal(tid int) int {
	if t := c.p.threads[tid]; t != nil {
		return t.resumeSig
	}
	return 0
}

// SigInfo reads the siginfo of the current stop of a stopped thread.
func (c *Ctl) SigInfo(tid int) (*SigInfo, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return nil, err
	}
	if t.siginfo == nil {
		var si SigInfo
		if err := ptraceGetSiginfo(tid, &si); err != nil {
			return nil, c.p.opErr(t, err)
		}
		t.siginfo = &si
	}
	return t.siginfo, nil
}

// StopAll stops every thread of the process and waits until they are all
// stopped. Events that happen meanwhile (a breakpoint hit, a signal, a new
// thread, an exit) are not dispatched but returned, in order, and their
// threads are left stopped; interrupts that StopAll itself caused are not
// reported. It returns ErrExited if the process exits meanwhile (the events
// then end with EventExit).
func (c *Ctl) StopAll() ([]Event, error) {
	p := c.p
	if p.state != psAlive {
		return nil, p.goneErrOnLoop()
	}
	var evs []Event
	p.stopAll = &evs
	defer func() { p.stopAll = nil }()
	for {
		waiting := false
		for _, t := range p.threads {
			switch t.state {
			case tsRunning, tsListening:
				if err := p.interrupt(t); err != nil {
					continue // it is dying; its death will come through wait4
				}
				waiting = true
			case tsNew:
				waiting = true
			}
		}
		if !waiting || p.state != psAlive {
			break
		}
		var ws unix.WaitStatus
		wpid, err := p.waitSpin(&ws) // stops already reaped come first
		if err != nil {
			p.processVanished()
			break
		}
		if p.bellRang(wpid, ws) {
			continue // requests are served after StopAll returns
		}
		p.handleWait(wpid, ws)
	}
	// Interrupt stops that StopAll caused are not news for the caller.
	out := evs[:0]
	for _, ev := range evs {
		if ev.Kind != EventInterrupt {
			out = append(out, ev)
		}
	}
	if p.state != psAlive {
		return out, p.goneErrOnLoop()
	}
	return out, nil
}

// StepWait single-steps a stopped thread and waits for that step alone to
// finish, without handling other threads' events (they wait in the kernel).
// It is for short in-place steps while every other thread is stopped. If a
// signal arrives instead, the thread is left at that signal stop and the
// signal will be delivered when it resumes.
func (c *Ctl) StepWait(tid int) error {
	t, err := c.stopped(tid)
	if err != nil {
		return err
	}
	if err := c.p.startStep(t); err != nil {
		return err
	}
	var ws unix.WaitStatus
	for {
		if _, err := wait4(tid, &ws, 0); err != nil {
			return c.p.opErr(t, err)
		}
		if ws.Exited() || ws.Signaled() {
			c.p.threadGone(t, exitStatusOf(ws))
			return fmt.Errorf("thread %d: %w (it exited)", tid, ErrNoThread)
		}
		if ws.Stopped() {
			t.interruptConsumed() // any stop uses up a pending interrupt
			break
		}
	}
	t.state = tsStopped
	t.regsValid, t.siginfo = false, nil
	t.stopKind = EventStep
	if sig := int(ws.StopSignal()); ws>>16 == 0 && sig != int(unix.SIGTRAP) {
		t.resumeSig = sig
		t.stopKind = EventSignal
	}
	return nil
}
