package target

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// EventKind says what happened to a thread or process.
type EventKind int

// Stop events leave the thread stopped until it is resumed; the others are
// notifications and the thread they name is running (or gone) afterwards,
// unless the handler returns Hold.
const (
	// EventTrap: the thread stopped with SIGTRAP that it did not get from a
	// requested single step: normally an int3 (pc is one past it). Target
	// does not read siginfo on this path; Ctl.SigInfo tells the rest apart.
	EventTrap EventKind = iota + 1
	// EventStep: a single step requested with Ctl.Step finished.
	EventStep
	// EventSignal: signal-delivery-stop. Resuming delivers Sig to the program
	// unless the handler changes it with Ctl.SetSignal.
	EventSignal
	// EventInterrupt: the thread stopped because of Ctl.Interrupt.
	EventInterrupt
	// EventGroupStop: the process was stopped by SIGSTOP, SIGTSTP and the
	// like. Resuming the thread keeps it in the group stop (PTRACE_LISTEN)
	// until the process gets SIGCONT, as without a debugger.
	EventGroupStop
	// EventThreadStart: a new thread NewTid was cloned by Tid; it is stopped
	// at its first instruction.
	EventThreadStart
	// EventThreadExit: thread Tid has exited (Status) and is gone.
	EventThreadExit
	// EventFork: Tid forked ChildPid. The child is stopped at its first
	// instruction; after the handler returns it is detached, so a handler
	// must clean the child's memory (remove breakpoints) while handling it.
	EventFork
	// EventVfork: Tid vforked ChildPid, which shares the parent's memory
	// until it execs or exits. The child stays traced (as a thread of its own
	// with Pid ChildPid) until then, so that breakpoints hit in the shared
	// memory do not kill it; it is detached when it execs or exits.
	EventVfork
	// EventVforkDone: the vfork child of Tid has exec'd or exited.
	EventVforkDone
	// EventExec: Tid (now the process's leader) replaced the program image.
	// All other threads are gone; memory and breakpoints are new.
	EventExec
	// EventExit: the process has exited with Status. Nothing more follows.
	EventExit
	// EventSyscall: Tid entered (Syscall.Entry) or is leaving a system
	// call, while Ctl.SetSyscallTrace is on (syscalls.go).
	EventSyscall
)

var eventNames = [...]string{
	EventTrap: "trap", EventStep: "step", EventSignal: "signal",
	EventInterrupt: "interrupt", EventGroupStop: "group-stop",
	EventThreadStart: "thread-start", EventThreadExit: "thread-exit",
	EventFork: "fork", EventVfork: "vfork", EventVforkDone: "vfork-done",
	EventExec: "exec", EventExit: "exit", EventSyscall: "syscall",
}

func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// IsStop reports whether the event leaves its thread stopped.
func (k EventKind) IsStop() bool {
	switch k {
	case EventTrap, EventStep, EventSignal, EventInterrupt, EventGroupStop, EventSyscall:
		return true
	}
	return false
}

// Event is one thing that happened in the traced process.
type Event struct {
	Kind     EventKind
	Pid      int // the process the thread belongs to (the vfork child's PID for its own events)
	Tid      int
	Sig      int        // EventSignal, EventGroupStop
	NewTid   int        // EventThreadStart
	ChildPid int        // EventFork, EventVfork
	Status   ExitStatus // EventThreadExit, EventExit
	Syscall  Syscall    // EventSyscall
}

func (e Event) String() string {
	s := fmt.Sprintf("%s tid=%d", e.Kind, e.Tid)
	switch e.Kind {
	case EventSignal, EventGroupStop:
		s += " sig=" + unix.SignalName(syscall.Signal(e.Sig))
	case EventThreadStart:
		s += fmt.Sprintf(" new=%d", e.NewTid)
	case EventFork, EventVfork:
		s += fmt.Sprintf(" child=%d", e.ChildPid)
	case EventThreadExit, EventExit:
		s += " " + e.Status.String()
	case EventSyscall:
		s += fmt.Sprintf(" nr=%d entry=%v", e.Syscall.Nr, e.Syscall.Entry)
	}
	return s
}

// ExitStatus is how a thread or process ended.
type ExitStatus struct {
	Code       int  // exit code, if Signal is 0
	Signal     int  // the signal that killed it, 0 if it exited
	CoreDumped bool // killed with a core dump
	Unknown    bool // the kernel reported no status (the thread vanished in an exec)
}

// ShellCode is the status as a shell reports it, and as ubpdbg exits
// with: the exit code, or 128 plus the signal that killed it.
func (s ExitStatus) ShellCode() int {
	if s.Signal != 0 {
		return 128 + s.Signal
	}
	return s.Code
}

func (s ExitStatus) String() string {
	switch {
	case s.Unknown:
		return "gone"
	case s.Signal != 0:
		n := unix.SignalName(syscall.Signal(s.Signal))
		if s.CoreDumped {
			return "killed by " + n + " (core dumped)"
		}
		return "killed by " + n
	}
	return fmt.Sprintf("exit status %d", s.Code)
}

func exitStatusOf(ws unix.WaitStatus) ExitStatus {
	if ws.Signaled() {
		return ExitStatus{Signal: int(ws.Signal()), CoreDumped: ws.CoreDump()}
	}
	return ExitStatus{Code: ws.ExitStatus()}
}

// SigInfo is the kernel's siginfo_t for a signal stop.
type SigInfo struct{ raw unix.Siginfo }

// Signo is the signal number.
func (s *SigInfo) Signo() int { return int(s.raw.Signo) }

// Code is si_code: SI_KERNEL (0x80) for int3, TRAP_TRACE (2) for a single
// step, SI_USER (0) / SI_TKILL (-6) for kill and tgkill, and so on.
func (s *SigInfo) Code() int { return int(s.raw.Code) }

// SenderPid is si_pid for signals sent by kill/tgkill/sigqueue.
func (s *SigInfo) SenderPid() int {
	// si_pid is the first field of the union after the three int32 header
	// fields and their padding.
	return int(*(*int32)(unsafe.Pointer(uintptr(unsafe.Pointer(&s.raw)) + 16)))
}

// FromKernel reports whether the kernel raised the signal itself (si_code
// > 0: a fault of the CPU, a timer, a child's end) rather than a process
// sending it (kill, tgkill, raise, abort).
func (s *SigInfo) FromKernel() bool { return s.raw.Code > 0 }

// Addr is si_addr, the faulting address of SIGSEGV, SIGBUS, SIGILL and
// SIGFPE: the first field of the union, like si_pid.
func (s *SigInfo) Addr() uint64 {
	return *(*uint64)(unsafe.Pointer(uintptr(unsafe.Pointer(&s.raw)) + 16))
}

// siginfo codes we test for.
const (
	siKernel  = 0x80
	trapTrace = 2
	trapBrkpt = 1
)

// IsBreakpoint reports whether the SIGTRAP came from an int3 (x86 reports
// those with SI_KERNEL).
func (s *SigInfo) IsBreakpoint() bool {
	return s.raw.Signo == int32(unix.SIGTRAP) && s.raw.Code == siKernel
}

// IsStep reports whether the SIGTRAP came from a single step. A step
// requested while the thread was stopped inside a system call ends at that
// call's exit, before any instruction runs, and x86 reports it as
// TRAP_BRKPT rather than TRAP_TRACE.
func (s *SigInfo) IsStep() bool {
	return s.raw.Signo == int32(unix.SIGTRAP) && (s.raw.Code == trapTrace || s.raw.Code == trapBrkpt)
}
