package target

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw ptrace requests that golang.org/x/sys/unix does not wrap with the
// arguments we need (SEIZE with options, DETACH and CONT with a signal,
// LISTEN, GETSIGINFO/SETSIGINFO, GETREGSET). All of them must run on the
// ptrace thread.

func ptrace(req int, pid int, addr, data uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(pid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// ptraceOptions are set on every thread we trace. The kernel copies them to
// auto-attached threads and children.
const ptraceOptions = unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK |
	unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEVFORKDONE |
	unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_TRACEEXIT |
	unix.PTRACE_O_TRACESYSGOOD // system call stops say so (syscalls.go)

func ptraceSeize(tid int, options int) error {
	return ptrace(unix.PTRACE_SEIZE, tid, 0, uintptr(options))
}

func ptraceCont(tid, sig int) error     { return ptrace(unix.PTRACE_CONT, tid, 0, uintptr(sig)) }
func ptraceSyscall(tid, sig int) error  { return ptrace(unix.PTRACE_SYSCALL, tid, 0, uintptr(sig)) }
func ptraceStep(tid, sig int) error     { return ptrace(unix.PTRACE_SINGLESTEP, tid, 0, uintptr(sig)) }
func ptraceDetach(tid, sig int) error   { return ptrace(unix.PTRACE_DETACH, tid, 0, uintptr(sig)) }
func ptraceInterrupt(tid int) error     { return ptrace(unix.PTRACE_INTERRUPT, tid, 0, 0) }
func ptraceListen(tid int) error        { return ptrace(unix.PTRACE_LISTEN, tid, 0, 0) }
func ptraceSetOptions(tid, o int) error { return ptrace(unix.PTRACE_SETOPTIONS, tid, 0, uintptr(o)) }

func ptraceGetEventMsg(tid int) (uint64, error) {
	var msg uint64
	err := ptrace(unix.PTRACE_GETEVENTMSG, tid, 0, uintptr(unsafe.Pointer(&msg)))
	return msg, err
}

func ptraceGetSiginfo(tid int, si *SigInfo) error {
	return ptrace(unix.PTRACE_GETSIGINFO, tid, 0, uintptr(unsafe.Pointer(&si.raw)))
}

func ptraceSetSiginfo(tid int, si *SigInfo) error {
	return ptrace(unix.PTRACE_SETSIGINFO, tid, 0, uintptr(unsafe.Pointer(&si.raw)))
}

func ptraceGetRegs(tid int, r *unix.PtraceRegs) error {
	return ptrace(unix.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(r)))
}

func ptraceSetRegs(tid int, r *unix.PtraceRegs) error {
	return ptrace(unix.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(r)))
}

// ptraceGetRegSet reads one register set (NT_X86_XSTATE for the extended
// state) into buf and returns how many bytes the kernel filled.
func ptraceGetRegSet(tid int, note int, buf []byte) (int, error) {
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	if err := ptrace(unix.PTRACE_GETREGSET, tid, uintptr(note), uintptr(unsafe.Pointer(&iov))); err != nil {
		return 0, err
	}
	return int(iov.Len), nil
}

// wait4 waits for any tracee of this OS thread. __WNOTHREAD keeps it from
// reaping children that other goroutines' threads started (an os/exec
// command of the program embedding us would otherwise lose its exit status);
// our tracees and helpers all belong to the ptrace thread itself.
func wait4(pid int, status *unix.WaitStatus, options int) (int, error) {
	for {
		wpid, err := unix.Wait4(pid, status, options|unix.WALL|unix.WNOTHREAD, nil)
		if err == syscall.EINTR {
			continue
		}
		return wpid, err
	}
}
