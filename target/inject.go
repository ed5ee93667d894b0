package target

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

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
		var ws unix.WaitStatus
		if _, err := wait4(tid, &ws, 0); err != nil {
			return 0, c.p.opErr(t, err)
		}
		if ws.Exited() || ws.Signaled() {
			c.p.threadGone(t, exitStatusOf(ws))
			return 0, fmt.Errorf("thread %d died during an injected system call: %w", tid, ErrNoThread)
		}
		if !ws.Stopped() {
			continue
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
	t.resumeSig, t.resumeInfo, t.stopKind = keepSig, keepInfo, keepKind
	t.state = tsStopped
	return result, nil
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
		var ws unix.WaitStatus
		if _, err := wait4(t.tid, &ws, 0); err != nil {
			return c.p.opErr(t, err)
		}
		if ws.Exited() || ws.Signaled() {
			c.p.threadGone(t, exitStatusOf(ws))
			return fmt.Errorf("thread %d died: %w", t.tid, ErrNoThread)
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
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasSuffix(line, "[vdso]") {
			continue
		}
		var lo, hi uint64
		rng := strings.Fields(line)[0]
		a, b, _ := strings.Cut(rng, "-")
		lo, _ = strconv.ParseUint(a, 16, 64)
		hi, _ = strconv.ParseUint(b, 16, 64)
		buf := make([]byte, hi-lo)
		n, _ := readMemory(pid, lo, buf)
		if i := bytes.Index(buf[:n], []byte{0x0f, 0x05}); i >= 0 {
			return lo + uint64(i), nil
		}
	}
	return 0, fmt.Errorf("no syscall instruction found in the vDSO of process %d", pid)
}
