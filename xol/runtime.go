package xol

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol/x86"
	"golang.org/x/sys/unix"
)

// Runtime runs displaced instructions out of line for one process.
//
// Known limit: a signal handler that longjmps out after Fix put its thread
// back on an int3 leaves a replay marker behind, which can swallow one
// later hit at the same address with the same stack pointer. All its
// methods run on the ptrace thread (they take the *target.Ctl of the call).
//
// The contract with its caller (the debugger session):
//   - Pass sends a thread that stopped at a breakpoint on past it: the
//     instruction under the int3 is emulated, or runs in the thread's slot
//     and jumps back. The int3 stays in the code.
//   - Fix must be called at every other stop of a thread before anything
//     looks at its registers (a signal to deliver, an interrupt, a stop
//     shown to the user, a detach): it moves a pc inside the slot back to
//     the original code, so that no signal handler, no new thread and no
//     user ever sees a slot address.
//   - When Fix puts a thread back on its breakpoint before the instruction
//     ran, the int3 there will trap again: Replay tells that trap from a new
//     hit.
type Runtime struct {
	areas   []*area
	threads map[int]*xthread
	// markers are the int3s that threads will trap on again because Fix put
	// them back before the displaced instruction ran. They are keyed by
	// address and stack pointer, not by thread: a Go goroutine preempted
	// by a signal in its slot may resume on another thread, and the stack
	// pointer (its own stack) still tells it apart from a new hit by a
	// signal handler, which runs lower on the stack or on another stack.
	markers map[marker]int
	// noAreas, once set, is why the program refuses executable memory
	// (slots.go); no area is asked for again until an exec resets it.
	noAreas error
	Stats   Stats
}

// Stats count what the runtime did, for benchmarks and logs.
type Stats struct {
	Boosted, Emulated, Stepped, SlotWrites, Fixed, Replays uint64
	AreasMapped                                            int
}

type xthread struct {
	slots  []*slot
	active *slot // the slot the thread was last sent into
	fixup  bool  // an x86.StepFixup instruction is being stepped
	stepIn bool  // the thread is single-stepping its slot (Step, not Pass)
}

// marker is an int3 to be trapped on again without counting a hit.
type marker struct{ addr, sp uint64 }

// NewRuntime returns a runtime with no areas; areas are mapped on first use.
func NewRuntime() *Runtime {
	return &Runtime{threads: map[int]*xthread{}, markers: map[marker]int{}}
}

func (r *Runtime) thread(tid int) *xthread {
	t := r.threads[tid]
	if t == nil {
		t = &xthread{}
		r.threads[tid] = t
	}
	return t
}

// ErrRefused is returned by Pass and Step for instructions that cannot run
// out of line (Insn.Reason says why); the caller steps them in place with
// the other threads stopped, or stops the thread.
var ErrRefused = errors.New("instruction cannot run out of line")

// Pass continues thread tid, stopped at the breakpoint at in.Addr (pc at
// in.Addr or one past the int3), past that instruction, and resumes it.
func (r *Runtime) Pass(c *target.Ctl, tid int, in *x86.Insn, regs unix.PtraceRegs) error {
	done, err := r.start(c, tid, in, regs, false)
	if err != nil || done {
		if err == nil {
			return c.Cont(tid)
		}
		return err
	}
	return nil
}

// Step executes the one instruction in at in.Addr for thread tid and
// leaves it stopped after it. It returns true when the instruction was
// emulated (the thread is already past it and no event will come);
// otherwise the thread is single-stepping and its EventStep must be given
// to Stepped.
func (r *Runtime) Step(c *target.Ctl, tid int, in *x86.Insn, regs unix.PtraceRegs) (done bool, err error) {
	return r.start(c, tid, in, regs, true)
}

func (r *Runtime) start(c *target.Ctl, tid int, in *x86.Insn, regs unix.PtraceRegs, step bool) (done bool, err error) {
	switch in.Class {
	case x86.Emulate:
		push, err := in.Emulate(&regs)
		if err != nil {
			return false, err
		}
		if push != nil {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], *push)
			if err := c.WriteMemory(regs.Rsp, b[:]); err != nil {
				return false, fmt.Errorf("emulate %s at %#x: push return address: %w", in.Text, in.Addr, err)
			}
		}
		r.Stats.Emulated++
		if err := c.SetRegs(tid, regs); err != nil {
			return false, err
		}
		return true, nil
	case x86.Boost, x86.BoostLeave, x86.StepFixup:
	default:
		return false, fmt.Errorf("%s at %#x: %s: %w", in.Text, in.Addr, in.Reason, ErrRefused)
	}
	s, err := r.slotFor(c, tid, in)
	if err != nil {
		return false, err
	}
	if s.holds != in {
		code, err := in.SlotBytes(s.addr)
		if err != nil {
			return false, err
		}
		buf := make([]byte, x86.SlotSize)
		copy(buf, code)
		for i := len(code); i < x86.SlotSize; i++ {
			buf[i] = 0xcc // nothing may run past the slot's code
		}
		if err := c.WriteMemory(s.addr, buf); err != nil {
			return false, fmt.Errorf("write XOL slot: %w", err)
		}
		s.holds = in
		r.Stats.SlotWrites++
	}
	thr := r.thread(tid)
	thr.active = s
	regs.Rip = s.addr
	if err := c.SetRegs(tid, regs); err != nil {
		return false, err
	}
	if in.Class == x86.StepFixup || step {
		thr.fixup = in.Class == x86.StepFixup
		thr.stepIn = step
		r.Stats.Stepped++
		return false, c.Step(tid)
	}
	r.Stats.Boosted++
	return false, c.Cont(tid)
}

// Stepped finishes a slot single-step after the thread's EventStep: the
// return address of an indirect call is fixed and the pc leaves the slot.
// It reports whether the step was ours; if it was a Pass (not a Step), the
// thread has been resumed.
func (r *Runtime) Stepped(c *target.Ctl, tid int) (ours bool, err error) {
	ours, pass, err := r.FinishStep(c, tid)
	if ours && pass && err == nil {
		return true, c.Cont(tid)
	}
	return ours, err
}

// FinishStep is Stepped without the resume: pass reports that the step
// was a Pass's, which the caller must resume. A caller that may have to
// hold the thread instead (the step tripped a watchpoint) uses it.
func (r *Runtime) FinishStep(c *target.Ctl, tid int) (ours, pass bool, err error) {
	thr := r.threads[tid]
	if thr == nil || thr.active == nil || (!thr.fixup && !thr.stepIn) {
		return false, false, nil
	}
	pass = !thr.stepIn
	if err := r.Fix(c, tid); err != nil {
		return true, pass, err
	}
	thr.stepIn = false
	return true, pass, nil
}

// Fix moves the pc of a stopped thread out of its slot, as described on
// Runtime, and finishes an indirect call's fixup. Call it at every stop
// that is not the thread's own breakpoint trap.
func (r *Runtime) Fix(c *target.Ctl, tid int) error {
	thr := r.threads[tid]
	if thr == nil || thr.active == nil {
		return nil
	}
	s := thr.active
	in := s.holds
	regs, err := c.Regs(tid)
	if err != nil {
		return err
	}
	if thr.fixup {
		thr.fixup = false
		if w := in.FixupAfterStep(&regs, s.addr); w != nil {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], *w)
			if err := c.WriteMemory(regs.Rsp, b[:]); err != nil {
				return fmt.Errorf("fix return address of %s at %#x: %w", in.Text, in.Addr, err)
			}
		}
	}
	pc := regs.Rip
	if in == nil || pc < s.addr || pc >= s.addr+x86.SlotSize {
		return nil
	}
	orig := x86.OrigPC(in, s.addr, pc)
	if orig == in.Addr {
		// Not run yet (or interrupted, like a rep string op): back onto
		// the int3, which will trap again; that trap is no new hit.
		r.markers[marker{in.Addr, regs.Rsp}]++
	} else if in.Syscall {
		// The syscall ABI left the slot's next ip in rcx; the program
		// would see the original one.
		regs.Rcx = orig
		if target.RestartPending(regs) && c.Signal(tid) == 0 {
			// The kernel will restart the call by moving the pc back two
			// bytes, onto the int3. (When a signal with a handler is
			// delivered instead, the restart depends on the handler's
			// SA_RESTART, which we do not read: then no marker is left,
			// and a restart counts the hit a second time. Reading the
			// disposition with an injected rt_sigaction would settle it.)
			r.markers[marker{in.Addr, regs.Rsp}]++
		}
	}
	regs.Rip = orig
	r.Stats.Fixed++
	return c.SetRegs(tid, regs)
}

// Replay reports whether a trap at the breakpoint addr with stack pointer
// sp is the re-execution of a hit that Fix interrupted, and forgets it if
// so. Such a trap is passed on without counting a hit.
func (r *Runtime) Replay(addr, sp uint64) bool {
	m := marker{addr, sp}
	n := r.markers[m]
	if n == 0 {
		return false
	}
	if n == 1 {
		delete(r.markers, m)
	} else {
		r.markers[m] = n - 1
	}
	r.Stats.Replays++
	return true
}

// Pending reports whether a thread now at addr with stack pointer sp has a
// replay marker there: resumed, it must execute the int3 again (which
// Replay then recognises) rather than be passed over it.
func (r *Runtime) Pending(addr, sp uint64) bool {
	return r.markers[marker{addr, sp}] > 0
}

// ThreadGone releases a dead thread's slots.
func (r *Runtime) ThreadGone(tid int) {
	thr := r.threads[tid]
	if thr == nil {
		return
	}
	for _, s := range thr.slots {
		s.area.free = append(s.area.free, s.index)
	}
	delete(r.threads, tid)
}

// Forked cleans a fork child's copy of our state while the child is
// stopped at its first instruction: its pc leaves the parent's slot (a
// fork done by a syscall instruction run out of line starts there) and the
// areas are unmapped from its address space.
func (r *Runtime) Forked(c *target.Ctl, parentTid, child int) error {
	if err := r.leaveParentSlot(c, parentTid, child); err != nil {
		return err
	}
	return r.unmapIn(c, child)
}

// NewThread gives a thread cloned by parentTid a pc out of the parent's
// slot: clone run out of line starts the child in the slot.
func (r *Runtime) NewThread(c *target.Ctl, parentTid, tid int) error {
	return r.leaveParentSlot(c, parentTid, tid)
}

// leaveParentSlot moves a new thread or child that starts inside its
// parent's slot (after the syscall that made it) to the original code.
func (r *Runtime) leaveParentSlot(c *target.Ctl, parentTid, tid int) error {
	thr := r.threads[parentTid]
	if thr == nil || thr.active == nil || thr.active.holds == nil {
		return nil
	}
	regs, err := c.Regs(tid)
	if err != nil {
		return err
	}
	s := thr.active
	if regs.Rip < s.addr || regs.Rip >= s.addr+x86.SlotSize {
		return nil
	}
	regs.Rip = x86.OrigPC(s.holds, s.addr, regs.Rip)
	if s.holds.Syscall {
		regs.Rcx = regs.Rip
	}
	return c.SetRegs(tid, regs)
}

// Unmap removes every area from the process (before a detach), using the
// stopped thread tid for the munmap calls. Every thread's pc must already be
// out of the slots (Fix).
func (r *Runtime) Unmap(c *target.Ctl, tid int) error {
	err := r.unmapIn(c, tid)
	r.areas = nil
	r.threads = map[int]*xthread{}
	return err
}

func (r *Runtime) unmapIn(c *target.Ctl, tid int) error {
	var first error
	for _, a := range r.areas {
		ret, err := c.InjectSyscall(tid, unix.SYS_MUNMAP, a.base, areaSize)
		if err == nil && int64(ret) < 0 {
			err = fmt.Errorf("munmap XOL area %#x: %w", a.base, unix.Errno(-int64(ret)))
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Reset forgets every area and slot: after an exec the address space is new.
func (r *Runtime) Reset() {
	r.noAreas = nil
	r.areas = nil
	r.threads = map[int]*xthread{}
	r.markers = map[marker]int{}
}

// SlotMemory is how many bytes of the target the areas take.
func (r *Runtime) SlotMemory() int { return len(r.areas) * areaSize }
