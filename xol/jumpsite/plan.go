// Package jumpsite decides where a breakpoint's int3 can become a 5-byte
// jmp rel32 into a trampoline, the in-process fast path, and by which
// tactic; everywhere else a breakpoint keeps its int3 and XOL slot. It
// reads code only: nothing here writes to a program.
//
// The tactics, in the order they are tried:
//   - Single: the instruction at the site is 5 bytes or more; the jmp
//     replaces it alone.
//   - Punned: the instruction is shorter. The jmp's rel32 runs on into
//     the next instruction's bytes, which stay as they are (they are still
//     that instruction for every path that reaches it), so only its low
//     bytes are ours: the trampoline must be mapped at an address in the
//     range the fixed bytes allow. The technique is E9Patch's.
//   - Multi: the instructions from the site up to 5 bytes are relocated
//     together into the trampoline. Only where nothing can arrive between
//     them: no branch anywhere in the program targets their inside, the
//     function has no indirect jump (a jump table may target anything), no
//     line-table row and no landing pad lies inside, and only the last may
//     be a call or transfer control.
package jumpsite

import (
	"fmt"
	"sort"

	"golang.org/x/arch/x86/x86asm"

	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// Tactic is how a site gets its jmp.
type Tactic int

const (
	Int3 Tactic = iota // no jmp: the int3 and the XOL slot
	Single
	Punned
	Multi
)

func (t Tactic) String() string {
	switch t {
	case Int3:
		return "int3"
	case Single:
		return "single"
	case Punned:
		return "punned"
	case Multi:
		return "multi"
	}
	return fmt.Sprintf("Tactic(%d)", int(t))
}

// JmpLen is the length of a jmp rel32.
const JmpLen = 5

// Code is one function's code and what the planner must know of the
// program around it.
type Code struct {
	Start uint64
	Bytes []byte // the function's bytes: [Start, Start+len(Bytes))
	// Rows are the line-table row addresses in the function: a stop may
	// be asked for at each, so each must stay an instruction start of
	// the original code.
	Rows []uint64
	// Pads are the exception landing pads in the function.
	Pads []uint64
	// Targeted reports whether a direct branch anywhere in the program
	// goes to an address in [lo, hi): the cold part of a split function
	// jumps back into the middle of its hot part.
	Targeted func(lo, hi uint64) bool
	// Fixed is the program's bytes past the function (padding, the next
	// function), for a punned jmp at the function's last instructions.
	Fixed []byte
}

// Function is a function decoded once, to plan any number of its sites.
type Function struct {
	code     Code
	insns    []insn // in address order
	indirect bool   // has an indirect jmp
	err      error  // why it could not be decoded
}

type insn struct {
	addr   uint64
	len    int
	class  x86.Class
	branch x86.Branch
	op     x86asm.Op
	reason string
}

// Decode decodes a function from its start to its end.
func Decode(c Code) *Function {
	f := &Function{code: c}
	for off := 0; off < len(c.Bytes); {
		in, err := x86.Analyze(c.Bytes[off:], c.Start+uint64(off))
		if err != nil {
			f.err = fmt.Errorf("cannot decode at %#x: %v", c.Start+uint64(off), err)
			return f
		}
		f.insns = append(f.insns, insn{addr: in.Addr, len: in.Len, class: in.Class, branch: in.Branch, op: in.Op, reason: in.Reason})
		if in.Class == x86.BoostLeave && in.Op == x86asm.JMP {
			f.indirect = true
		}
		off += in.Len
	}
	return f
}

// Plan is the decision for one site.
type Plan struct {
	Tactic Tactic
	// Len is how many bytes of the original code the jmp covers
	// (Single, Multi), or the instruction's own length (Punned: the rest
	// of the jmp is the next instruction's bytes).
	Len   int
	Insns int // instructions relocated into the trampoline
	// TargetLo and TargetHi bound where a punned jmp can go: the
	// trampoline must start in [TargetLo, TargetHi].
	TargetLo, TargetHi uint64
	// Why is, for Int3, why no tactic applies; for the others, empty.
	Why string
}

// Plan decides the tactic for a site. free reports whether a trampoline
// can be mapped somewhere in [lo, hi] (for a punned jmp); nil: nowhere.
func (f *Function) Plan(site uint64, free func(lo, hi uint64) bool) Plan {
	if f.err != nil {
		return Plan{Why: f.err.Error()}
	}
	i := sort.Search(len(f.insns), func(i int) bool { return f.insns[i].addr >= site })
	if i == len(f.insns) || f.insns[i].addr != site {
		return Plan{Why: fmt.Sprintf("%#x does not start an instruction", site)}
	}
	first := f.insns[i]
	if why := relocatable(first, true); why != "" {
		return Plan{Why: why}
	}
	if f.code.Targeted != nil && f.code.Targeted(site+1, site+uint64(first.len)) {
		return Plan{Why: "a branch goes inside the instruction"}
	}
	if first.len >= JmpLen {
		return Plan{Tactic: Single, Len: first.len, Insns: 1}
	}
	var whyNot []string
	if lo, hi, ok := f.punRange(first); ok {
		if free != nil && free(lo, hi) {
			return Plan{Tactic: Punned, Len: first.len, Insns: 1, TargetLo: lo, TargetHi: hi}
		}
		whyNot = append(whyNot, fmt.Sprintf("punned: no room for a trampoline in [%#x, %#x]", lo, hi))
	} else {
		whyNot = append(whyNot, "punned: the bytes after it are not known")
	}
	p, why := f.multi(i)
	if why == "" {
		return p
	}
	whyNot = append(whyNot, "multi: "+why)
	return Plan{Why: fmt.Sprintf("%d-byte instruction; %s", first.len, joinWhy(whyNot))}
}

func joinWhy(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}

// relocatable says why an instruction cannot run in a trampoline, or "".
// Only the last of a group may transfer control.
func relocatable(in insn, last bool) string {
	switch in.class {
	case x86.Refuse:
		return "not run out of line: " + in.reason
	case x86.StepFixup:
		return "an indirect call (its return address would be the trampoline's)"
	case x86.BoostLeave, x86.Emulate:
		if !last {
			return "a control transfer before the last relocated instruction"
		}
	}
	return ""
}

// punRange is where a jmp at in's address can go when only in's own bytes
// after the opcode are ours.
func (f *Function) punRange(in insn) (lo, hi uint64, ok bool) {
	var rel [4]byte
	fixedFrom := in.len - 1 // rel32 bytes [0, fixedFrom) are ours
	for k := fixedFrom; k < 4; k++ {
		b, ok := f.byteAt(in.addr + 1 + uint64(k))
		if !ok {
			return 0, 0, false
		}
		rel[k] = b
	}
	// Our low bytes range over every value; the fixed high bytes give
	// the sign, so the span is contiguous.
	var min, max uint32
	for k := 0; k < 4; k++ {
		if k < fixedFrom {
			max |= 0xff << (8 * k)
		} else {
			min |= uint32(rel[k]) << (8 * k)
			max |= uint32(rel[k]) << (8 * k)
		}
	}
	next := in.addr + JmpLen
	return next + uint64(int64(int32(min))), next + uint64(int64(int32(max))), true
}

// byteAt is the program's byte at addr, from the function or past it.
func (f *Function) byteAt(addr uint64) (byte, bool) {
	c := f.code
	if addr >= c.Start && addr < c.Start+uint64(len(c.Bytes)) {
		return c.Bytes[addr-c.Start], true
	}
	end := c.Start + uint64(len(c.Bytes))
	if addr >= end && addr < end+uint64(len(c.Fixed)) {
		return c.Fixed[addr-end], true
	}
	return 0, false
}

// multi plans relocating the instructions from f.insns[i] on.
func (f *Function) multi(i int) (Plan, string) {
	if f.indirect {
		return Plan{}, "the function has an indirect jump"
	}
	site := f.insns[i].addr
	n, k := 0, i
	for ; k < len(f.insns) && n < JmpLen; k++ {
		n += f.insns[k].len
	}
	if n < JmpLen {
		return Plan{}, "the function ends first"
	}
	for j := i; j < k; j++ {
		if why := relocatable(f.insns[j], j == k-1); why != "" {
			return Plan{}, fmt.Sprintf("%#x: %s", f.insns[j].addr, why)
		}
	}
	end := site + uint64(n)
	inside := func(addrs []uint64) (uint64, bool) {
		j := sort.Search(len(addrs), func(j int) bool { return addrs[j] > site })
		if j < len(addrs) && addrs[j] < end {
			return addrs[j], true
		}
		return 0, false
	}
	if a, ok := inside(f.code.Rows); ok {
		return Plan{}, fmt.Sprintf("a line-table row at %#x is inside", a)
	}
	if a, ok := inside(f.code.Pads); ok {
		return Plan{}, fmt.Sprintf("a landing pad at %#x is inside", a)
	}
	if f.code.Targeted != nil && f.code.Targeted(site+1, end) {
		return Plan{}, "a branch goes inside"
	}
	return Plan{Tactic: Multi, Len: n, Insns: k - i}, ""
}

// Targets lists the direct branch targets of decoded functions, for
// Code.Targeted.
type Targets struct{ addrs []uint64 }

// Add adds the direct branch targets of the code at start.
func (t *Targets) Add(start uint64, code []byte) {
	for off := 0; off < len(code); {
		in, err := x86.Analyze(code[off:], start+uint64(off))
		if err != nil {
			return
		}
		if in.Branch != x86.NoBranch {
			t.addrs = append(t.addrs, in.Target)
		}
		off += in.Len
	}
}

// Done sorts the targets; call it once after the last Add.
func (t *Targets) Done() { sort.Slice(t.addrs, func(i, j int) bool { return t.addrs[i] < t.addrs[j] }) }

// In reports whether a target lies in [lo, hi).
func (t *Targets) In(lo, hi uint64) bool {
	j := sort.Search(len(t.addrs), func(j int) bool { return t.addrs[j] >= lo })
	return j < len(t.addrs) && t.addrs[j] < hi
}
