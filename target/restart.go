package target

import "golang.org/x/sys/unix"

// A thread stopped inside a blocking system call (paused there, or stopped
// by a signal) is on its way out of the call with a restart code in rax:
// when it resumes, the kernel restarts the call by moving the pc back two
// bytes onto the syscall instruction and putting the call's number back
// into rax. That rewind is relative to whatever the pc is by then, so a
// debugger that moves the pc first (into an out-of-line slot, past an
// emulated instruction) sends the thread two bytes before wherever it put
// it. The functions here let the layers above see the restart coming and
// make it explicit first.

// Restart codes the kernel leaves in rax for an interrupted system call
// (include/linux/errno.h; never seen by the program).
const (
	errRestartSys          = 512
	errRestartNoIntr       = 513
	errRestartNoHand       = 514
	errRestartRestartBlock = 516
)

// RestartPending reports whether registers read at a stop are those of a
// thread leaving an interrupted system call that the kernel restarts when
// the thread resumes without a signal handler to run.
func RestartPending(regs unix.PtraceRegs) bool {
	if int64(regs.Orig_rax) < 0 {
		return false
	}
	switch -int64(regs.Rax) {
	case errRestartSys, errRestartNoIntr, errRestartNoHand, errRestartRestartBlock:
		return true
	}
	return false
}

// RestartSyscall makes the restart of an interrupted system call explicit
// for a stopped thread that will resume without a signal to deliver: the pc
// goes back onto the syscall instruction and rax holds the call's number
// again (restart_syscall for calls the kernel resumes from a saved state),
// exactly as the kernel would do on resuming, and the kernel's own restart
// is cancelled. Afterwards the pc may be moved freely. It reports whether
// there was a restart to make; a thread with a signal to deliver is left
// alone (whether its call restarts depends on the handler's SA_RESTART,
// which only the kernel applies), and so is a thread with a signal queued
// that it does not block; both report false.
func (c *Ctl) RestartSyscall(tid int) (bool, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return false, err
	}
	if t.resumeSig != 0 {
		return false, nil
	}
	regs, err := c.Regs(tid)
	if err != nil || !RestartPending(regs) {
		return false, err
	}
	if signalQueued(t.pid, tid) {
		// A signal the thread has not dequeued yet comes first when it
		// resumes, and the kernel applies its handler's SA_RESTART.
		return false, nil
	}
	if -int64(regs.Rax) == errRestartRestartBlock {
		regs.Rax = unix.SYS_RESTART_SYSCALL
	} else {
		regs.Rax = regs.Orig_rax
	}
	regs.Orig_rax = ^uint64(0) // no restart of the kernel's on top of ours
	regs.Rip -= 2              // syscall, sysenter and int 0x80 are all two bytes
	return true, c.SetRegs(tid, regs)
}
