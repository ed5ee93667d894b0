package target

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// System call stops, for catchpoints on system calls. While syscall
// tracing is on, every thread resumes with PTRACE_SYSCALL instead of
// PTRACE_CONT, and stops at the entry and at the exit of each system call
// it makes (PTRACE_O_TRACESYSGOOD tells those stops from a SIGTRAP). That
// costs two stops per call in every thread, so it is only on while a front
// end asks for it. Which stop is which, and the call's number and result,
// come from PTRACE_GET_SYSCALL_INFO (Linux 5.3), not from counting stops:
// a thread attached in the middle of a call would make a count wrong.

// Syscall is what a system call stop says.
type Syscall struct {
	Entry bool // entering the call; else leaving it
	Nr    int  // the call's number (x86-64 numbering)
	Args  [6]uint64
	Ret   int64 // on exit: the result, a negative errno for a failure
}

// ptraceSyscallInfo is struct ptrace_syscall_info of <linux/ptrace.h>
// (x/sys/unix does not have it): op, 3 pad bytes, arch, ip, sp, then the
// entry (nr, args[6]) or exit (rval, is_error) union.
type ptraceSyscallInfo struct {
	Op    uint8
	_     [3]uint8
	Arch  uint32
	IP    uint64
	SP    uint64
	Union [7]uint64
}

const (
	ptraceGetSyscallInfo = 0x420e
	syscallInfoEntry     = 1
	syscallInfoExit      = 2
)

func getSyscallInfo(tid int) (ptraceSyscallInfo, error) {
	var info ptraceSyscallInfo
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, ptraceGetSyscallInfo, uintptr(tid),
		unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info)), 0, 0)
	if e != 0 {
		return info, e
	}
	return info, nil
}

// SetSyscallTrace turns system call stops on or off for every thread. A
// running thread is interrupted (unseen by the Handler) so that it resumes
// the new way at once: one blocked in a call would otherwise go on
// unwatched until its next stop.
func (c *Ctl) SetSyscallTrace(on bool) error {
	p := c.p
	if p.state != psAlive {
		return p.goneErrOnLoop()
	}
	if p.sysTrace == on {
		return nil
	}
	p.sysTrace = on
	for _, t := range p.threads {
		if t.pid == p.pid {
			p.nudge(t)
		}
	}
	return nil
}

// syscallStop handles a system call stop: an EventSyscall for the
// Handler, or, when tracing was turned off meanwhile, nothing.
func (p *Process) syscallStop(t *thread) {
	t.stopKind = EventSyscall
	t.resumeSig = 0
	if !p.sysTrace {
		_ = p.contRaw(t)
		return
	}
	info, err := getSyscallInfo(t.tid)
	if err != nil || (info.Op != syscallInfoEntry && info.Op != syscallInfoExit) {
		// Not a stop we can describe (a seccomp stop, an old kernel).
		_ = p.contRaw(t)
		return
	}
	sc := Syscall{Entry: info.Op == syscallInfoEntry}
	if sc.Entry {
		sc.Nr = int(info.Union[0])
		copy(sc.Args[:], info.Union[1:])
	} else {
		// The exit's info has no number; orig_rax still holds it.
		sc.Ret = int64(info.Union[0])
		if err := ptraceGetRegs(t.tid, &t.regs); err != nil {
			_ = p.contRaw(t)
			return
		}
		t.regsValid = true
		sc.Nr = int(int64(t.regs.Orig_rax))
	}
	p.stopEvent(t, Event{Kind: EventSyscall, Pid: t.pid, Tid: t.tid, Syscall: sc})
}
