package target

import (
	"syscall"
	"unsafe"
)

// A launched program gets the signal dispositions and mask that ubpdbg
// itself was started with, as it would have if ubpdbg had exec'd it
// directly: a SIGHUP ignored under nohup, a SIGPIPE or SIGTRAP ignored by a
// parent, a blocked signal. Without this the program would get what the
// Go runtime of the launch helper leaves: every signal at its default
// except SIGHUP and SIGINT, and the runtime's own mask.

// sigState is a set of ignored and a set of blocked signals, one bit per
// signal (bit 0 is signal 1), as /proc/PID/status shows SigIgn and SigBlk.
type sigState struct {
	Ignored uint64
	Blocked uint64
}

func sigBit(sig int) uint64 { return 1 << (sig - 1) }

// inheritedSignals is what this process was started with (see
// capturedSignals for how it is read).
var inheritedSignals, inheritedSignalsKnown = capturedSignals()

// restoreSignals makes the calling thread's dispositions and mask st, for
// an execve that follows at once. Only the ignored/default choice survives
// an execve, so every signal is set to SIG_IGN or SIG_DFL. It is called by
// the launch helper on the thread that execs, which no Go code uses after.
func restoreSignals(st sigState) {
	for sig := 1; sig <= 64; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		handler := uintptr(0) // SIG_DFL
		if st.Ignored&sigBit(sig) != 0 {
			handler = 1 // SIG_IGN
		}
		act := kernelSigaction{handler: handler}
		// Errors only for signals that cannot be changed; nothing to do.
		_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	}
	mask := st.Blocked
	_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2 /* SIG_SETMASK */, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0)
}

// kernelSigaction is the x86-64 kernel's struct sigaction.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}
