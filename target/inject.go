package target

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/procmaps"
	"golang.org/x/sys/unix"
)

// InjectSyscall makes a stopped thread execute one system call with the
// given arguments and returns its raw result (a negative errno on failure),
// leaving the thread's registers as they were. It is how the layers above
// map memory in the target (mmap) without linking anything into it.
//
// The thread executes a `syscall` instruction found in the vDSO (always
// mapped, never written by us), single-stepped so it stops right after.
// Signals that arrive meanwhile are kept and delivered on the next resume.
func (c *Ctl) InjectSyscall(tid int, nr uint64, args ...uint64) (uint64, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return 0, err
	}
	if len(args) > 6 {
		return 0, fmt.Errorf("inject syscall %d: %d arguments, at most 6", nr, len(args))
	}
	if c.p.syscallPC == 0 {
		pc, err := findSyscallInsn(t.pid, c.p)
		if err != nil {
			return 0, err
		}
		c.p.syscallPC = pc
	}
	if insideSyscall(t.stopKind) {
		if err := c.finishSyscall(t); err != nil {
			return 0, err
		}
	}
	saved, err := c.Regs(tid)
	if err != nil {
		return 0, err
	}
	// A signal the thread stopped with must survive the step we do now
	// (stepping with signal 0 would discard it).
	if t.resumeSig != 0 && t.resumeInfo == nil && t.stopKind == EventSignal {
		var si SigInfo
		if ptraceGetSiginfo(tid, &si) == nil && si.Signo() == t.resumeSig {
			t.resumeInfo = &si
		}
	}
	keepSig, keepInfo, keepKind := t.resumeSig, t.resumeInfo, t.stopKind

	r := saved
	r.Rip = c.p.syscallPC
	r.Rax = nr
	// orig_rax -1: the kernel must not apply syscall-restart logic of the
	// stop we interrupted to our call.
	r.Orig_rax = ^uint64(0)
	regs := []*uint64{&r.Rdi, &r.Rsi, &r.Rdx, &r.R10, &r.R8, &r.R9}
	for i, a := range args {
		*regs[i] = a
	}
	t.regs, t.regsDirty = r, true
	if err := c.p.flushRegs(t); err != nil {
		return 0, err
	}
	var result uint64
	for {
		if err := ptraceStep(tid, 0); err != nil {
			return 0, c.p.opErr(t, err)
		}
		ws, err := c.p.waitInjected(t)
		if err != nil {
			return 0, fmt.Errorf("injected system call %d: %w", nr, err)
		}
		var si SigInfo
		if ws>>16 == 0 && ptraceGetSiginfo(tid, &si) == nil {
			if si.IsStep() {
				var out unix.PtraceRegs
				if err := ptraceGetRegs(tid, &out); err != nil {
					return 0, c.p.opErr(t, err)
				}
				if out.Rip != c.p.syscallPC+2 {
					// The step ended at the exit of the system call the
					// thread was stopped in, before ours ran.
					continue
				}
				result = out.Rax
				break
			}
			// A signal for the program: keep it for later, step again.
			t.heldSignals = append(t.heldSignals, si)
			continue
		}
		// An event stop (interrupt, group stop): step again.
	}
	t.regs, t.regsDirty, t.regsValid = saved, true, true
	if err := c.p.flushRegs(t); err != nil {
		return 0, err
	}
	if c.p.guard != nil {
		c.p.parkCheck = true // a parked thread is not any more
	}
	t.resumeSig, t.resumeInfo, t.stopKind = keepSig, keepInfo, keepKind
	t.state = tsStopped
	return result, nil
}

// waitInjected waits for the next stop of a thread we made run alone (an
// injected call, or the end of one it was in), and returns an error if it
// dies instead. The program may die at any moment, in our call too (a
// seccomp filter that kills it for an executable mmap): a dying thread
// reports PTRACE_EVENT_EXIT and then waits for us, and a dying group
// leader's own death is reported only after every other thread's, which
// only the main loop reaps. So a wait for this thread alone must neither
// hold it at its exit nor block until its death: the thread is let go on
// to its death, which the main loop then sees like any other.
func (p *Process) waitInjected(t *thread) (unix.WaitStatus, error) {
	var ws unix.WaitStatus
	for idle := time.Duration(0); ; {
		wpid, err := wait4(t.tid, &ws, unix.WNOHANG)
		if err != nil {
			return ws, p.opErr(t, err)
		}
		switch {
		case wpid == 0:
			if !threadAlive(t.pid, t.tid) {
				t.state = tsExiting
				return ws, fmt.Errorf("thread %d is dying: %w", t.tid, ErrNoThread)
			}
			// Polled: injected calls are rare (mapping an XOL area), and
			// most finish within microseconds.
			time.Sleep(idle)
			idle = min(idle+10*time.Microsecond, time.Millisecond)
			continue
		case ws.Exited() || ws.Signaled():
			p.threadGone(t, exitStatusOf(ws))
			return ws, fmt.Errorf("thread %d died during an injected system call: %w", t.tid, ErrNoThread)
		case ws.Stopped() && int(ws>>16) == unix.PTRACE_EVENT_EXIT:
			t.state = tsExiting
			_ = ptraceCont(t.tid, 0)
			return ws, fmt.Errorf("thread %d is exiting (the program was killed during an injected system call?): %w", t.tid, ErrNoThread)
		case ws.Stopped():
			t.interruptConsumed() // any stop uses up a pending interrupt
			return ws, nil
		}
	}
}

// threadAlive reports whether a thread exists and is neither a zombie nor
// dead.
func threadAlive(pid, tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/stat", pid, tid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// insideSyscall reports whether a stop of this kind happens inside a system
// call, before its return value is stored: registers set there would be
// overwritten by that value on the way out.
func insideSyscall(k EventKind) bool {
	switch k {
	case EventExec, EventFork, EventVfork, EventVforkDone, EventThreadStart:
		return true
	}
	return false
}

// finishSyscall lets a thread stopped inside a system call complete it: a
// single step from there stops at the call's exit, before any instruction
// runs. The thread is then in an ordinary stop with the call's result.
func (c *Ctl) finishSyscall(t *thread) error {
	if err := c.p.flushRegs(t); err != nil {
		return err
	}
	for {
		if err := ptraceStep(t.tid, 0); err != nil {
			return c.p.opErr(t, err)
		}
		ws, err := c.p.waitInjected(t)
		if err != nil {
			return err
		}
		var si SigInfo
		if ws.Stopped() && ws>>16 == 0 && ptraceGetSiginfo(t.tid, &si) == nil {
			if si.IsStep() {
				break
			}
			t.heldSignals = append(t.heldSignals, si)
		}
	}
	t.stopKind = EventStep
	t.regsValid = false
	return nil
}

// findSyscallInsn finds the bytes 0f 05 (syscall) in the vDSO's text.
func findSyscallInsn(pid int, p *Process) (uint64, error) {
	ms, err := procmaps.Read(pid)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if m.Path != "[vdso]" {
			continue
		}
		buf := make([]byte, m.End-m.Start)
		n, _ := readMemory(pid, m.Start, buf)
		if i := bytes.Index(buf[:n], []byte{0x0f, 0x05}); i >= 0 {
			return m.Start + uint64(i), nil
		}
	}
	return 0, fmt.Errorf("no syscall instruction found in the vDSO of process %d", pid)
}
