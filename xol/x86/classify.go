package x86

import "fmt"

// Class says how a displaced instruction is carried out. The table below
// (classTable) is the one place that decides it.
type Class int

const (
	// Boost: copy to the slot (a RIP-relative disp32 rebased), followed
	// by a jmp rel32 back to Addr+Len. One trap per hit.
	Boost Class = iota + 1
	// BoostLeave: copy to the slot; the instruction leaves the slot by
	// itself (ret, ret imm16, indirect jmp). No jmp back.
	BoostLeave
	// StepFixup: copy to the slot, single-step it, then fix up: an
	// indirect call pushed slotAddr+Len, which must become Addr+Len.
	StepFixup
	// Emulate: the debugger does it on the registers (relative call,
	// jmp, jcc, loop*, jrcxz). No slot.
	Emulate
	// Refuse: cannot or must not be run out of line; Insn.Reason says
	// why.
	Refuse
)

func (c Class) String() string {
	switch c {
	case Boost:
		return "Boost"
	case BoostLeave:
		return "BoostLeave"
	case StepFixup:
		return "StepFixup"
	case Emulate:
		return "Emulate"
	case Refuse:
		return "Refuse"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Branch says what Emulate does for a relative control transfer.
type Branch int

const (
	NoBranch     Branch = iota
	BranchJmp           // jmp rel8/rel32
	BranchJcc           // jcc rel8/rel32, condition in Insn.Cond
	BranchCall          // call rel32: push Addr+Len
	BranchLoop          // loop: count--, taken if count != 0
	BranchLoope         // loope/loopz: count--, taken if count != 0 && ZF
	BranchLoopne        // loopne/loopnz: count--, taken if count != 0 && !ZF
	BranchJrcxz         // jrcxz/jecxz: taken if count == 0
)

// regs is a set of ModRM.reg values (the /digit of an opcode group); zero
// means any.
type regs uint8

const (
	r0 regs = 1 << iota
	r1
	r2
	r3
	r4
	r5
	r6
	r7
)

// modSel restricts a rule to the memory or the register form of ModRM.
type modSel uint8

const (
	anyMod  modSel = iota
	memOnly        // mod != 3
	regOnly        // mod == 3
)

// pfxSel restricts a rule by prefix.
type pfxSel uint8

const (
	anyPfx pfxSel = iota
	with66        // 16-bit operand size: 66 without REX.W
	noRep         // neither F2 nor F3 (mandatory-prefix-free form)
	noPfx         // none of 66, F2, F3
)

// rule is one row of classTable. A row matches an instruction of its
// encoding kind and map whose opcode is in lo..hi and that meets every
// further restriction given. The first matching row decides; an instruction
// no row matches is Boost.
type rule struct {
	kind   encKind
	m      opMap
	lo, hi byte
	regs   regs   // ModRM.reg in this set (0: any)
	mod    modSel // memory or register form
	modrm  int    // exact ModRM byte (0: any; stored as 0x100|byte)
	pfx    pfxSel
	bad    bool // matches any opcode the layout table marks invalid ('!')
	vexPfx bool // matches any VEX/EVEX that follows 66/F2/F3/F0/REX

	class  Class
	branch Branch
	rel    bool // the rel32 at the immediate is rebased like a RIP-relative disp32
	why    string
}

// exact makes a rule's modrm field for one full ModRM byte.
func exact(b byte) int { return 0x100 | int(b) }

const (
	why66 = "16-bit operand size (66) on a near branch: AMD truncates rip to 16 bits and reads rel16, Intel ignores the prefix; not emulated"
	whyIO = "port I/O: faults unless the process has ioperm/iopl rights; not run out of line"
)

// classTable decides every instruction's Class, in the spirit of the
// kernel's arch/x86/kernel/uprobes.c: one row per opcode group, with the
// reason. Rows are tried in order; the first match wins; the rest is Boost.
//
// Why the default can be Boost: the slot is within +-2 GiB of the code, so
// a RIP-relative disp32 is simply rebased; anything else that does not read
// or write rip behaves the same in the slot as in place. A fault (#UD, #GP,
// #PF) is reported at the slot start, which OrigPC maps back to Addr, just
// as if the instruction had faulted in place. So opcodes this table does
// not know (new extensions) are still safe to boost, unless they transfer
// control or trap after completion: those are listed here by group, and the
// 0F 01 system group is refused except for the forms known to be harmless.
//
// Notes on rows that are Boost on purpose (listed for the record):
//   - push/pop of every kind, including push [rip+x]: the stack is the
//     thread's own; the slot code never touches the red zone.
//   - pushf: boosted, never single-stepped, so no TF leaks into the pushed
//     flags. (Insn.PushesFlags marks it for a runtime that would step it.)
//   - rep string ops: boosted, they run to completion in the slot. If a
//     signal interrupts one mid-way, pc is the slot start with rcx updated;
//     OrigPC maps that to Addr, the CPU semantics of an interrupted rep.
//   - lock and fs/gs prefixes are prefixes: they travel with the copy.
//   - syscall: rcx receives the next ip, which is a slot address; the
//     kernel ABI says rcx is clobbered, so nobody reads it. A clone child
//     starts in the slot (see Insn.Syscall).
//   - x87 (D8-DF), fxsave/xsave: the x87 last-instruction pointer (FIP)
//     records the slot address of an x87 instruction run there. Harmless.
var classTable = []rule{
	// Encodings that raise #UD before anything happens.
	{bad: true, class: Refuse, why: "invalid opcode in 64-bit mode (#UD)"},
	{vexPfx: true, class: Refuse, why: "VEX/EVEX after a 66/F2/F3/F0/REX prefix (#UD)"},

	// One-byte opcodes.
	{m: map1, lo: 0x6c, hi: 0x6f, class: Refuse, why: "ins/outs: " + whyIO},
	{m: map1, lo: 0x70, hi: 0x7f, pfx: with66, class: Refuse, why: "jcc rel8: " + why66},
	{m: map1, lo: 0x70, hi: 0x7f, class: Emulate, branch: BranchJcc, why: "jcc rel8: target is relative to rip"},
	{m: map1, lo: 0x9c, hi: 0x9c, class: Boost, why: "pushf: boosted, so never single-stepped and no TF in the pushed flags"},
	{m: map1, lo: 0xc2, hi: 0xc3, pfx: with66, class: Refuse, why: "ret: " + why66},
	{m: map1, lo: 0xc2, hi: 0xc3, class: BoostLeave, why: "ret, ret imm16: pops its target, leaves the slot by itself"},
	{m: map1, lo: 0xc7, hi: 0xc7, modrm: exact(0xf8), pfx: with66, class: Refuse, why: "xbegin rel16: abort address cannot be rebased in 16 bits"},
	{m: map1, lo: 0xc7, hi: 0xc7, modrm: exact(0xf8), class: Boost, rel: true, why: "xbegin rel32: abort address rebased like a RIP-relative disp32"},
	{m: map1, lo: 0xca, hi: 0xcb, class: Refuse, why: "far ret: loads cs"},
	{m: map1, lo: 0xcc, hi: 0xcc, class: Refuse, why: "int3: a breakpoint of the program's own; would trap in the slot"},
	{m: map1, lo: 0xcd, hi: 0xcd, class: Refuse, why: "int n: software interrupt, traps after completion"},
	{m: map1, lo: 0xcf, hi: 0xcf, class: Refuse, why: "iret: loads rip, cs, rflags, rsp, ss from the stack"},
	{m: map1, lo: 0xe0, hi: 0xe3, pfx: with66, class: Refuse, why: "loop/jrcxz: " + why66},
	{m: map1, lo: 0xe0, hi: 0xe0, class: Emulate, branch: BranchLoopne, why: "loopne rel8: target is relative to rip"},
	{m: map1, lo: 0xe1, hi: 0xe1, class: Emulate, branch: BranchLoope, why: "loope rel8: target is relative to rip"},
	{m: map1, lo: 0xe2, hi: 0xe2, class: Emulate, branch: BranchLoop, why: "loop rel8: target is relative to rip"},
	{m: map1, lo: 0xe3, hi: 0xe3, class: Emulate, branch: BranchJrcxz, why: "jrcxz/jecxz rel8: target is relative to rip"},
	{m: map1, lo: 0xe4, hi: 0xe7, class: Refuse, why: "in/out imm8: " + whyIO},
	{m: map1, lo: 0xe8, hi: 0xe9, pfx: with66, class: Refuse, why: "call/jmp: " + why66},
	{m: map1, lo: 0xe8, hi: 0xe8, class: Emulate, branch: BranchCall, why: "call rel32: target relative to rip, pushes the return address"},
	{m: map1, lo: 0xe9, hi: 0xe9, class: Emulate, branch: BranchJmp, why: "jmp rel32: target is relative to rip"},
	{m: map1, lo: 0xeb, hi: 0xeb, pfx: with66, class: Refuse, why: "jmp rel8: " + why66},
	{m: map1, lo: 0xeb, hi: 0xeb, class: Emulate, branch: BranchJmp, why: "jmp rel8: target is relative to rip"},
	{m: map1, lo: 0xec, hi: 0xef, class: Refuse, why: "in/out dx: " + whyIO},
	{m: map1, lo: 0xf1, hi: 0xf1, class: Refuse, why: "int1/icebp: debug trap after completion"},
	{m: map1, lo: 0xf4, hi: 0xf4, class: Refuse, why: "hlt: privileged"},
	{m: map1, lo: 0xfa, hi: 0xfb, class: Refuse, why: "cli/sti: privileged (IOPL)"},
	{m: map1, lo: 0xfe, hi: 0xfe, regs: r2 | r3 | r4 | r5 | r6 | r7, class: Refuse, why: "FE /2../7: invalid (#UD)"},
	{m: map1, lo: 0xff, hi: 0xff, regs: r2 | r4, pfx: with66, class: Refuse, why: "indirect call/jmp: " + why66},
	{m: map1, lo: 0xff, hi: 0xff, regs: r2, class: StepFixup, why: "indirect call: runs in the slot, the pushed return address is fixed up"},
	{m: map1, lo: 0xff, hi: 0xff, regs: r3 | r5, class: Refuse, why: "far call/jmp: loads cs"},
	{m: map1, lo: 0xff, hi: 0xff, regs: r4, class: BoostLeave, why: "indirect jmp: leaves the slot by itself"},
	{m: map1, lo: 0xff, hi: 0xff, regs: r7, class: Refuse, why: "FF /7: invalid (#UD)"},

	// 0F xx.
	{m: map0F, lo: 0x00, hi: 0x00, regs: r2 | r3, class: Refuse, why: "lldt/ltr: privileged"},
	{m: map0F, lo: 0x00, hi: 0x00, regs: r6 | r7, class: Refuse, why: "0F 00 /6,/7: invalid (#UD)"},
	// 0F 01 holds the system instructions (VMX, SVM, SGX, swapgs,
	// monitor/mwait, clac/stac, uiret, erets...): refused except the
	// user-mode forms below, which neither trap nor touch rip.
	{m: map0F, lo: 0x01, hi: 0x01, mod: memOnly, regs: r0 | r1 | r4, class: Boost, why: "sgdt/sidt/smsw: store only"},
	{m: map0F, lo: 0x01, hi: 0x01, mod: regOnly, regs: r4, class: Boost, why: "smsw reg"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xd0), pfx: noRep, class: Boost, why: "xgetbv"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xd5), pfx: noRep, class: Boost, why: "xend"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xd6), pfx: noRep, class: Boost, why: "xtest"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xe8), pfx: noRep, class: Boost, why: "serialize"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xee), pfx: noRep, class: Boost, why: "rdpkru"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xef), pfx: noRep, class: Boost, why: "wrpkru"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xf9), pfx: noRep, class: Boost, why: "rdtscp"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xfa), pfx: noRep, class: Boost, why: "monitorx"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xfb), pfx: noRep, class: Boost, why: "mwaitx"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xfc), pfx: noRep, class: Boost, why: "clzero"},
	{m: map0F, lo: 0x01, hi: 0x01, modrm: exact(0xfd), pfx: noRep, class: Boost, why: "rdpru"},
	{m: map0F, lo: 0x01, hi: 0x01, class: Refuse, why: "0F 01 system instruction (privileged, VMX/SVM/SGX, or changes control flow)"},
	{m: map0F, lo: 0x05, hi: 0x05, class: Boost, why: "syscall: runs in the slot; rcx gets the slot's next ip (clobbered by the ABI)"},
	{m: map0F, lo: 0x06, hi: 0x06, class: Refuse, why: "clts: privileged"},
	{m: map0F, lo: 0x07, hi: 0x07, class: Refuse, why: "sysret: privileged"},
	{m: map0F, lo: 0x08, hi: 0x09, class: Refuse, why: "invd/wbinvd: privileged"},
	{m: map0F, lo: 0x0b, hi: 0x0b, class: Refuse, why: "ud2: raises #UD on purpose"},
	{m: map0F, lo: 0x0f, hi: 0x0f, class: Refuse, why: "3DNow!: not supported"},
	{m: map0F, lo: 0x1e, hi: 0x1e, modrm: exact(0xfa), class: Boost, why: "endbr64: a nop outside an indirect branch"},
	{m: map0F, lo: 0x20, hi: 0x23, class: Refuse, why: "mov to/from control or debug register: privileged"},
	{m: map0F, lo: 0x30, hi: 0x30, class: Refuse, why: "wrmsr: privileged"},
	{m: map0F, lo: 0x32, hi: 0x32, class: Refuse, why: "rdmsr: privileged"},
	{m: map0F, lo: 0x34, hi: 0x35, class: Refuse, why: "sysenter/sysexit: invalid in 64-bit user mode"},
	{m: map0F, lo: 0x37, hi: 0x37, class: Refuse, why: "getsec: SMX, privileged"},
	{m: map0F, lo: 0x78, hi: 0x79, pfx: noPfx, class: Refuse, why: "vmread/vmwrite: VMX"},
	{m: map0F, lo: 0x80, hi: 0x8f, pfx: with66, class: Refuse, why: "jcc rel32: " + why66},
	{m: map0F, lo: 0x80, hi: 0x8f, class: Emulate, branch: BranchJcc, why: "jcc rel32: target is relative to rip"},
	{m: map0F, lo: 0xa6, hi: 0xa7, class: Refuse, why: "VIA PadLock (xcrypt, xsha, montmul): #UD on Intel and AMD"},
	{m: map0F, lo: 0xaa, hi: 0xaa, class: Refuse, why: "rsm: invalid outside SMM"},
	{m: map0F, lo: 0xb9, hi: 0xb9, class: Refuse, why: "ud1: raises #UD on purpose"},
	{m: map0F, lo: 0xc7, hi: 0xc7, mod: memOnly, regs: r3 | r5 | r6 | r7, class: Refuse, why: "xrstors/xsaves/VMX pointer instructions: privileged"},
	{m: map0F, lo: 0xff, hi: 0xff, class: Refuse, why: "ud0: raises #UD on purpose"},

	// 0F 38 xx.
	{m: map0F38, lo: 0x80, hi: 0x82, class: Refuse, why: "invept/invvpid/invpcid: privileged"},
}

// classify returns the first row of classTable that matches d, or nil for
// the default (Boost).
func classify(d *decoded) *rule {
	for i := range classTable {
		r := &classTable[i]
		if r.matches(d) {
			return r
		}
	}
	return nil
}

func (r *rule) matches(d *decoded) bool {
	switch {
	case r.bad:
		return d.bad
	case r.vexPfx:
		return d.vexPfx
	}
	if r.kind != d.kind || r.m != d.m || d.opcode < r.lo || d.opcode > r.hi {
		return false
	}
	if r.regs != 0 || r.mod != anyMod || r.modrm != 0 {
		if !d.hasModRM {
			return false
		}
		if r.regs != 0 && r.regs&(1<<d.reg()) == 0 {
			return false
		}
		if r.mod == memOnly && d.mod() == 3 || r.mod == regOnly && d.mod() != 3 {
			return false
		}
		if r.modrm != 0 && r.modrm != exact(d.modrm) {
			return false
		}
	}
	switch r.pfx {
	case with66:
		return d.opsize16()
	case noRep:
		return d.rep == 0
	case noPfx:
		return d.rep == 0 && !d.p66
	}
	return true
}
