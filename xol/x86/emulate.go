package x86

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Flag bits of rflags that jcc and loope/loopne read.
const (
	flagCF = 1 << 0
	flagPF = 1 << 2
	flagZF = 1 << 6
	flagSF = 1 << 7
	flagOF = 1 << 11
)

// Taken reports whether a jcc with condition c jumps under rflags.
func (c Cond) Taken(rflags uint64) bool {
	cf := rflags&flagCF != 0
	pf := rflags&flagPF != 0
	zf := rflags&flagZF != 0
	sf := rflags&flagSF != 0
	of := rflags&flagOF != 0
	var t bool
	switch c >> 1 {
	case 0:
		t = of
	case 1:
		t = cf
	case 2:
		t = zf
	case 3:
		t = cf || zf
	case 4:
		t = sf
	case 5:
		t = pf
	case 6:
		t = sf != of
	case 7:
		t = zf || sf != of
	}
	return t != (c&1 != 0) // odd conditions are the negations
}

// Emulate carries out an Emulate-class instruction on regs: it sets Rip
// (the target or Addr+Len), decrements the count register for loop*, and
// for call moves Rsp down by 8 and returns the return address (Addr+Len)
// that the caller must store at the new Rsp. push is nil for everything
// but call. Flags are never changed (none of these instructions does).
func (in *Insn) Emulate(regs *unix.PtraceRegs) (push *uint64, err error) {
	if in.Class != Emulate {
		return nil, fmt.Errorf("xol: %#x: Emulate on a %s instruction: %w", in.Addr, in.Class, errClass)
	}
	next := in.Addr + uint64(in.Len)
	taken := false
	switch in.Branch {
	case BranchJmp:
		taken = true
	case BranchCall:
		ret := next
		regs.Rsp -= 8
		regs.Rip = in.Target
		return &ret, nil
	case BranchJcc:
		taken = in.Cond.Taken(regs.Eflags)
	case BranchLoop, BranchLoope, BranchLoopne:
		// The count is rcx, or ecx with a 67 prefix; a 32-bit
		// write zero-extends into rcx as every 32-bit register
		// write does in 64-bit mode (checked on a real CPU by
		// TestRunForReal).
		var count uint64
		if in.AddrSize == 32 {
			count = uint64(uint32(regs.Rcx) - 1)
		} else {
			count = regs.Rcx - 1
		}
		regs.Rcx = count
		zf := regs.Eflags&flagZF != 0
		taken = count != 0 && (in.Branch == BranchLoop || in.Branch == BranchLoope && zf || in.Branch == BranchLoopne && !zf)
	case BranchJrcxz:
		if in.AddrSize == 32 {
			taken = uint32(regs.Rcx) == 0
		} else {
			taken = regs.Rcx == 0
		}
	default:
		return nil, fmt.Errorf("xol: %#x: no branch to emulate", in.Addr)
	}
	if taken {
		regs.Rip = in.Target
	} else {
		regs.Rip = next
	}
	return nil, nil
}

// FixupAfterStep finishes a StepFixup instruction (an indirect call) after
// the runtime single-stepped it in the slot at slotAddr: the call pushed
// slotAddr+Len, and the program must see Addr+Len, so the caller stores the
// returned value at regs.Rsp. It returns nil when nothing is to be written:
// the wrong class, or the step did not complete the call (rip still at the
// slot start: the memory operand faulted, and the fault is the program's).
func (in *Insn) FixupAfterStep(regs *unix.PtraceRegs, slotAddr uint64) (writeAtRsp *uint64) {
	if in.Class != StepFixup || regs.Rip == slotAddr {
		return nil
	}
	ret := in.Addr + uint64(in.Len)
	return &ret
}
