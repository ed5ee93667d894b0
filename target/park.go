package target

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Parking keeps a thread that we hold on one of our int3s alive should we
// die without detaching (SIGKILL, the OOM killer). The kernel then resumes
// every thread at the pc in its copy of the registers; a thread held at a
// breakpoint would run straight into the int3, before the guardian could
// take it out, and die of SIGTRAP. So a held thread whose pc is on an
// int3 the guardian knows has, in the kernel only, its pc on a parking
// stub: a loop that waits (at most about a second) for the guardian to
// set a flag once it has written every original byte back, and then jumps
// to the thread's real pc, where the original instruction is back. Our
// own copy of the registers keeps the real pc, so nothing above sees the
// stub, and every resume, step and detach writes the real registers back
// first (they stay marked dirty).
//
// The stubs and the flag live in one page we map in the program (read and
// execute; written through /proc/PID/mem like the int3s). If it cannot be
// mapped (a seccomp filter, no memory), threads are held as before.

const (
	parkPageSize = 4096
	parkStubSize = 64
	parkFlagOff  = 0 // the guardian's byte: nonzero once the sites are restored
	parkFirstOff = parkStubSize
	// parkSpins bounds the wait: PAUSE takes 10 to 150 cycles, so this
	// is well under a second to a few seconds. If the guardian never comes
	// (it was killed too), the thread goes on to its int3 as it would have.
	parkSpins = 1 << 24
)

// parking is the page of an attached process that has a guardian.
type parking struct {
	page   uint64            // its address; 0 if mapping it failed
	failed bool              // mapping failed: do not try again
	stubs  map[uint64]uint64 // real pc -> its stub
	next   uint64            // offset of the next free stub
}

// parkStub assembles the stub for target in a page at page whose flag is
// at flag: it saves rcx and the flags below the red zone (a leaf function
// may keep data in the 128 bytes below rsp), spins on the flag, restores
// them and jumps to target through an absolute address, so the page may
// be anywhere. Written by hand because it is fourteen fixed instructions;
// the test decodes it with x86asm.
func parkStub(stubAddr, flag, target uint64) []byte {
	b := []byte{
		0x48, 0x8d, 0x64, 0x24, 0x80, // lea -0x80(%rsp),%rsp
		0x9c,             // pushfq
		0x51,             // push %rcx
		0xb9, 0, 0, 0, 0, // mov $parkSpins,%ecx
	}
	binary.LittleEndian.PutUint32(b[len(b)-4:], parkSpins)
	spin := len(b)
	b = append(b, 0xf3, 0x90) // pause
	// cmpb $0,flag(%rip): the displacement counts from the end of this
	// 7-byte instruction.
	cmp := len(b)
	b = append(b, 0x80, 0x3d, 0, 0, 0, 0, 0x00)
	binary.LittleEndian.PutUint32(b[cmp+2:], uint32(int32(int64(flag)-int64(stubAddr+uint64(cmp)+7))))
	b = append(b, 0x75, 0x04) // jne done (over dec and jnz)
	b = append(b, 0xff, 0xc9) // dec %ecx
	b = append(b, 0x75, 0)    // jnz spin
	b[len(b)-1] = byte(int8(spin - len(b)))
	b = append(b,
		0x59,                                           // done: pop %rcx
		0x9d,                                           // popfq
		0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00, // lea 0x80(%rsp),%rsp
		0xff, 0x25, 0, 0, 0, 0, // jmp *0(%rip)
	)
	return binary.LittleEndian.AppendUint64(b, target)
}

// parkHeld parks the held threads that need it. It runs on the ptrace
// thread before it waits for events, when something may have changed what
// a held thread needs (a hold, new sites, new registers, an injected
// call).
//
// Two kinds of held thread would die with us. One whose pc is on an int3
// runs into it. And one held in the stop of our own trap (an int3 hit or
// a single step: a signal-delivery stop for SIGTRAP) gets that SIGTRAP
// delivered when the kernel detaches it, as the stop's pending signal,
// wherever its pc is. So such a thread is parked on a stub for its pc and
// then made to move from the signal stop to an interrupt stop (continued
// with no signal, on the stub, where it spins, and interrupted at once):
// an interrupt stop delivers nothing at a detach.
func (p *Process) parkHeld() {
	p.parkCheck = false
	if p.guard == nil || p.state != psAlive || (p.park != nil && p.park.failed) {
		return
	}
	c := &Ctl{p: p}
	for _, t := range p.threads {
		if t.state != tsStopped || t.pid != p.pid || (t.parkedAt != 0 && !t.parkStale) {
			continue
		}
		r, err := c.Regs(t.tid)
		// Orig_rax other than -1: stopped inside a system call, whose
		// restart the kernel would apply to the stub's address.
		if err != nil || r.Orig_rax != ^uint64(0) {
			continue
		}
		ourTrap := (t.stopKind == EventTrap || t.stopKind == EventStep) && t.resumeSig == 0 && !t.trapMoved
		if !ourTrap && !p.guard.has(r.Rip) {
			if t.parkedAt != 0 {
				// Its registers were changed away from any int3: the
				// kernel gets them as they are.
				_ = p.flushRegs(t)
			}
			continue
		}
		stub := p.parkStubFor(t, r.Rip)
		if stub == 0 {
			return
		}
		k := r
		k.Rip = stub
		if ptraceSetRegs(t.tid, &k) != nil {
			continue
		}
		// The kernel has the stub; our copy, the real pc, is written back
		// before the thread next runs.
		t.parkedAt, t.parkStale, t.regsDirty = r.Rip, false, true
		if ourTrap && p.moveToInterruptStop(t) != nil {
			return // it is dying; the main loop will see it
		}
	}
}

// moveToInterruptStop lets a thread parked in a SIGTRAP signal stop of
// ours spin on its stub and interrupts it there. The siginfo of the stop
// is kept for those who ask about it (SigInfo); signals for the program
// that arrive meanwhile are kept for its next resume, as in InjectSyscall.
func (p *Process) moveToInterruptStop(t *thread) error {
	if t.siginfo == nil {
		var si SigInfo
		if ptraceGetSiginfo(t.tid, &si) == nil {
			t.siginfo = &si
		}
	}
	for {
		if err := ptraceCont(t.tid, 0); err != nil {
			return p.opErr(t, err)
		}
		if err := ptraceInterrupt(t.tid); err != nil {
			return p.opErr(t, err)
		}
		ws, err := p.waitInjected(t)
		if err != nil {
			return err
		}
		if int(ws>>16) == unix.PTRACE_EVENT_STOP {
			break
		}
		var si SigInfo
		if ws>>16 == 0 && ptraceGetSiginfo(t.tid, &si) == nil {
			t.heldSignals = append(t.heldSignals, si)
		}
	}
	t.state, t.trapMoved = tsStopped, true
	return nil
}

// parkStubFor returns the stub that leads to pc, making the page (with the
// stopped thread t) and the stub if needed; 0 if it cannot.
func (p *Process) parkStubFor(t *thread, pc uint64) uint64 {
	if p.park == nil {
		p.park = &parking{stubs: map[uint64]uint64{}, next: parkFirstOff}
	}
	k := p.park
	if s, ok := k.stubs[pc]; ok {
		return s
	}
	c := &Ctl{p: p}
	if k.page == 0 {
		ret, err := c.InjectSyscall(t.tid, unix.SYS_MMAP, 0, parkPageSize,
			unix.PROT_READ|unix.PROT_EXEC, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uint64(0), 0)
		if err != nil || int64(ret) < 0 {
			k.failed = true
			return 0
		}
		k.page = ret
		p.guard.record(guardFlag, k.page+parkFlagOff, 0)
		p.guard.flush()
	}
	if k.next+parkStubSize > parkPageSize {
		return 0 // full: more held addresses than stubs; the rest as before
	}
	stub := k.page + k.next
	if c.WriteMemory(stub, parkStub(stub, k.page+parkFlagOff, pc)) != nil {
		return 0
	}
	k.next += parkStubSize
	k.stubs[pc] = stub
	return stub
}
