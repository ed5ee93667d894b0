package x86

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// SlotSize is the size of one slot: the longest instruction (15 bytes) plus
// a jmp rel32 (5) fits, and 32 keeps slots aligned to half a cache line.
const SlotSize = 32

// Cond is the condition of a jcc: the low nibble of its opcode
// (0 o, 1 no, 2 b, 3 ae, 4 e, 5 ne, 6 be, 7 a, 8 s, 9 ns, a p, b np, c l,
// d ge, e le, f g).
type Cond uint8

var condNames = [16]string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}

func (c Cond) String() string { return condNames[c&15] }

// Insn is one analysed instruction.
type Insn struct {
	Addr  uint64 // where it is in the target
	Len   int    // exact length, from the package's own length walk
	Bytes []byte // the Len bytes

	Class  Class
	Reason string // why, from the classification table (always set for Refuse)

	Op   x86asm.Op // from x86asm; 0 where x86asm does not know it
	Text string    // GNU syntax for display; RIP-relative operands get "# 0x<target>"

	// RIPDispOff is the offset in Bytes of the 32-bit field that is
	// relative to the next ip and must be rebased when the instruction
	// runs elsewhere: the disp32 of a [rip+disp32] operand (legacy, VEX,
	// EVEX; immediates may follow it), or the rel32 of xbegin. -1 if none.
	RIPDispOff int
	// RIPTarget is the address the RIP-relative field refers to
	// (Addr+Len+disp); valid when RIPDispOff >= 0.
	RIPTarget uint64

	// For Emulate: what to do, the absolute target, the jcc condition.
	Branch Branch
	Target uint64
	Cond   Cond
	// AddrSize is 64, or 32 with a 67 prefix: then loop/jrcxz count in
	// ecx and a [rip+disp32] operand is [eip+disp32].
	AddrSize int

	// Hints for a runtime that ever runs the instruction other than
	// boosted.
	PushesFlags bool // pushf: a single-step leaks TF into the pushed word
	RepString   bool // rep/repne string op: a single-step stops after one iteration
	Syscall     bool // syscall: a clone child starts in the slot, rcx = slot's next ip

	eipRel bool // the RIP-relative field is an [eip+disp32] operand (67 prefix)
}

// Analyze decodes the instruction at the start of code, which is at addr in
// the target. code may run past the instruction (15 bytes are always
// enough). An error means the length walk cannot size it (truncated,
// longer than 15 bytes, XOP, APX, unknown VEX/EVEX map); such an
// instruction is never run out of line.
func Analyze(code []byte, addr uint64) (*Insn, error) {
	d, err := walk(code)
	if err != nil {
		return nil, fmt.Errorf("xol: analyze %#x: %w", addr, err)
	}
	in := &Insn{
		Addr:       addr,
		Len:        d.length,
		Bytes:      append([]byte(nil), code[:d.length]...),
		Class:      Boost,
		RIPDispOff: d.ripDispOff,
		AddrSize:   64,
	}
	if d.p67 {
		in.AddrSize = 32
	}
	next := addr + uint64(d.length)
	if r := classify(&d); r != nil {
		in.Class, in.Reason, in.Branch = r.class, r.why, r.branch
		if r.rel {
			in.RIPDispOff = d.immOff
		}
	}
	if in.RIPDispOff >= 0 {
		in.RIPTarget = next + uint64(int64(int32(binary.LittleEndian.Uint32(in.Bytes[in.RIPDispOff:]))))
		if in.RIPDispOff == d.ripDispOff && d.p67 {
			// [eip+disp32]: the address is computed in 32 bits.
			in.eipRel = true
			in.RIPTarget = uint64(uint32(in.RIPTarget))
		}
	}
	if in.Branch != NoBranch {
		var rel int64
		switch d.relLen {
		case 1:
			rel = int64(int8(in.Bytes[d.immOff]))
		case 2:
			rel = int64(int16(binary.LittleEndian.Uint16(in.Bytes[d.immOff:])))
		case 4:
			rel = int64(int32(binary.LittleEndian.Uint32(in.Bytes[d.immOff:])))
		}
		in.Target = next + uint64(rel)
		in.Cond = Cond(d.opcode & 15)
	}
	if d.kind == encLegacy {
		switch {
		case d.m == map1 && d.opcode == 0x9c:
			in.PushesFlags = true
		case d.m == map1 && d.rep != 0 && (d.opcode >= 0xa4 && d.opcode <= 0xa7 || d.opcode >= 0xaa && d.opcode <= 0xaf || d.opcode >= 0x6c && d.opcode <= 0x6f):
			in.RepString = true
		case d.m == map0F && d.opcode == 0x05:
			in.Syscall = true
		}
	}
	in.Op, in.Text = describe(&d, in)
	return in, nil
}

// Length is the length of the instruction at the start of code, by the
// same walk as Analyze, without the analysis and the text: checking that
// an address starts an instruction decodes whole functions (a million
// instructions for a trace of every one), where Analyze's formatting would
// cost most of the time.
func Length(code []byte) (int, error) {
	d, err := walk(code)
	if err != nil {
		return 0, err
	}
	return d.length, nil
}

// describe gives the mnemonic and display text. x86asm does the formatting;
// it sees exactly Len bytes so that it cannot swallow a following byte
// (as it does after vzeroupper), and it is ignored when its length differs
// from the walk's, when it returns Op 0 (endbr64, adcx/adox in v0.32), and
// for EVEX maps 5 and 6 (AVX512-FP16), which it decodes as map 1.
func describe(d *decoded, in *Insn) (x86asm.Op, string) {
	inst, err := x86asm.Decode(in.Bytes, 64)
	if err != nil || inst.Len != in.Len || inst.Op == 0 || d.kind == encEVEX && d.m >= mapE5 {
		text := fallbackName(d)
		if in.RIPDispOff >= 0 && in.RIPDispOff == d.ripDispOff {
			text += fmt.Sprintf(" # %#x", in.RIPTarget)
		}
		return 0, text
	}
	text := x86asm.GNUSyntax(inst, in.Addr, nil)
	if in.RIPDispOff >= 0 && in.RIPDispOff == d.ripDispOff {
		if d.kind != encLegacy {
			// x86asm drops the RIP base of VEX/EVEX memory
			// operands and prints the bare displacement: put
			// the base back where that is unambiguous.
			disp := int32(binary.LittleEndian.Uint32(in.Bytes[in.RIPDispOff:]))
			var ds string
			if disp < 0 {
				ds = fmt.Sprintf("-%#x", -int64(disp))
			} else {
				ds = fmt.Sprintf("%#x", disp)
			}
			if strings.Count(text, ds) == 1 && !strings.Contains(text, ds+"(") {
				text = strings.Replace(text, ds, ds+"(%rip)", 1)
			}
		}
		text += fmt.Sprintf(" # %#x", in.RIPTarget) // like objdump
	}
	return inst.Op, text
}

func fallbackName(d *decoded) string {
	switch {
	case d.kind == encLegacy && d.m == map0F && d.opcode == 0x1e && d.pF3 && d.modrm == 0xfa:
		return "endbr64"
	case d.kind == encLegacy && d.m == map0F && d.opcode == 0x1e && d.pF3 && d.modrm == 0xfb:
		return "endbr32"
	case d.kind == encLegacy && d.m == map0F38 && d.opcode == 0xf6 && d.rep == 0xf3:
		return "adox"
	case d.kind == encLegacy && d.m == map0F38 && d.opcode == 0xf6 && d.p66 && d.rep == 0:
		return "adcx"
	case d.kind == encVEX && d.m == map0F && d.opcode == 0x77 && d.vexL == 0:
		return "vzeroupper"
	case d.kind == encVEX && d.m == map0F && d.opcode == 0x77:
		return "vzeroall"
	}
	kind := [...]string{encLegacy: "", encVEX: "vex ", encEVEX: "evex "}[d.kind]
	return fmt.Sprintf("(unknown %s%s%02x)", kind, d.m, d.opcode)
}

// errClass is returned by SlotBytes and Emulate for the wrong class.
var errClass = errors.New("wrong class")

// SlotBytes returns the code for a slot at slotAddr: the instruction with
// its RIP-relative field rebased so that it refers to the same address,
// and, for Boost, a jmp rel32 back to Addr+Len. The result is at most
// SlotSize bytes; the caller may pad the rest of the slot (int3 is a good
// filler: nothing should ever run there). Errors: Emulate and Refuse have
// no slot code, and a rebased field or the jmp back may not fit in 32
// bits (the slot is too far from the code).
func (in *Insn) SlotBytes(slotAddr uint64) ([]byte, error) {
	switch in.Class {
	case Boost, BoostLeave, StepFixup:
	default:
		return nil, fmt.Errorf("xol: %#x: %s instruction has no slot code: %w", in.Addr, in.Class, errClass)
	}
	out := make([]byte, in.Len, SlotSize)
	copy(out, in.Bytes)
	if off := in.RIPDispOff; off >= 0 && off+4 <= in.Len {
		newNext := slotAddr + uint64(in.Len)
		disp := int64(in.RIPTarget - newNext)
		if in.eipRel {
			// [eip+disp32]: the address is computed modulo 2^32,
			// so a displacement taken modulo 2^32 reaches the same
			// place from anywhere.
			disp = int64(int32(uint32(in.RIPTarget) - uint32(newNext)))
		}
		if disp < math.MinInt32 || disp > math.MaxInt32 {
			return nil, fmt.Errorf("xol: %#x: slot %#x is too far from %#x for a 32-bit displacement", in.Addr, slotAddr, in.RIPTarget)
		}
		binary.LittleEndian.PutUint32(out[off:], uint32(int32(disp)))
	}
	if in.Class == Boost {
		from := slotAddr + uint64(in.Len) + 5
		rel := int64(in.Addr + uint64(in.Len) - from)
		if rel < math.MinInt32 || rel > math.MaxInt32 {
			return nil, fmt.Errorf("xol: %#x: slot %#x is too far for a jmp rel32 back", in.Addr, slotAddr)
		}
		out = append(out, 0xe9, 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(out[in.Len+1:], uint32(int32(rel)))
	}
	return out, nil
}

// OrigPC maps a pc inside the slot at slotAddr, which holds in, back to the
// original code: the slot start means the instruction has not run (or was
// interrupted, like a rep string op, and will run again from Addr); at or
// after the copied instruction (on the jmp back) it has run, and the thread
// belongs at Addr+Len. A pc outside the slot is returned unchanged.
//
// The runtime must remember that Addr holds its int3: resuming a thread at
// Addr traps again, which is a continuation, not a new hit.
func OrigPC(in *Insn, slotAddr, pc uint64) uint64 {
	if pc < slotAddr || pc >= slotAddr+SlotSize {
		return pc
	}
	if pc < slotAddr+uint64(in.Len) {
		return in.Addr
	}
	return in.Addr + uint64(in.Len)
}
