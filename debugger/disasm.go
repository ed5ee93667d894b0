package debugger

import (
	"encoding/hex"
	"errors"
	"strings"

	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// Instruction is one instruction of the program as the disassembly shows
// it: decoded by x86.Analyze, the same length walk the breakpoints trust,
// from memory with our int3s hidden.
type Instruction struct {
	Addr uint64
	// Bytes are the instruction's bytes; for one that does not decode, its
	// first byte; none where memory cannot be read.
	Bytes []byte
	// Text is the instruction in AT&T syntax, as gdb and objdump print
	// it; "(bad)" when it does not decode (Err says why), "??" when it
	// cannot be read.
	Text string
	Err  error
}

// Decoded tells whether the bytes at Addr are a known instruction.
func (in Instruction) Decoded() bool { return in.Err == nil && len(in.Bytes) > 0 }

// Len is how far the next instruction is: at least one byte, so that a
// walk over bad or unreadable memory goes on.
func (in Instruction) Len() int { return max(1, len(in.Bytes)) }

// HexBytes is the instruction's bytes as two-digit hex, space-separated,
// as objdump and gdb print them.
func (in Instruction) HexBytes() string {
	var sb strings.Builder
	for i, c := range in.Bytes {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}

var errUnreadable = errors.New("memory cannot be read")

// Disassembler decodes the program's code. It is for one request of a
// front end: it keeps the memory it read (each read goes through the
// ptrace thread to hide our int3s, so it reads pages, not instructions),
// and what it keeps goes stale as the program runs.
type Disassembler struct {
	s    *Session
	base uint64
	win  []byte
}

// Disassembler returns a new Disassembler of the program's memory.
func (s *Session) Disassembler() *Disassembler { return &Disassembler{s: s} }

// At decodes the instruction at pc.
func (d *Disassembler) At(pc uint64) Instruction {
	b := d.bytesAt(pc)
	if len(b) == 0 {
		return Instruction{Addr: pc, Text: "??", Err: errUnreadable}
	}
	in, err := x86.Analyze(b, pc)
	if err != nil {
		return Instruction{Addr: pc, Bytes: b[:1], Text: "(bad)", Err: err}
	}
	return Instruction{Addr: pc, Bytes: in.Bytes, Text: in.Text}
}

// Range decodes the instructions that start in [lo, hi), one after the
// other from lo, up to the first byte that cannot be read (the rest of
// the range would be read and refused byte by byte).
func (d *Disassembler) Range(lo, hi uint64) []Instruction {
	var out []Instruction
	for pc := lo; pc < hi; {
		in := d.At(pc)
		if in.Bytes == nil {
			break
		}
		out = append(out, in)
		pc += uint64(in.Len())
	}
	return out
}

// Before returns the n instructions that end at addr, and false when no
// decoding lands on addr. x86 has no fixed instruction size, so they are
// found by decoding forward from some bytes earlier and keeping a start
// from which decoding lands exactly on addr: code almost always
// resynchronises within a few instructions. The farthest start is tried
// first: the more instructions decoded before addr, the surer the
// synchronisation.
func (d *Disassembler) Before(addr uint64, n int) ([]Instruction, bool) {
	// Read the whole stretch once; if its start is not mapped, from the
	// page addr is in.
	for _, lo := range []uint64{addr - min(addr, uint64(n)*15), addr &^ 0xfff} {
		buf := make([]byte, addr+16-lo)
		if got, _ := d.s.ReadMemory(lo, buf); got > 0 {
			d.base, d.win = lo, buf[:got]
			break
		}
	}
	for back := uint64(n) * 15; back >= uint64(n); back-- {
		if back > addr {
			continue
		}
		var seq []Instruction
		pc := addr - back
		for pc < addr {
			in := d.At(pc)
			if !in.Decoded() {
				break
			}
			seq = append(seq, in)
			pc += uint64(in.Len())
		}
		if pc == addr && len(seq) >= n {
			return seq[len(seq)-n:], true
		}
	}
	return nil, false
}

// bytesAt returns up to 16 bytes of memory at pc (fewer at the end of
// what can be read).
func (d *Disassembler) bytesAt(pc uint64) []byte {
	if pc < d.base || pc+16 > d.base+uint64(len(d.win)) {
		buf := make([]byte, 4096)
		n, _ := d.s.ReadSome(pc, buf)
		d.base, d.win = pc, buf[:n]
	}
	off := pc - d.base
	if off >= uint64(len(d.win)) {
		return nil
	}
	return d.win[off:min(off+16, uint64(len(d.win)))]
}
