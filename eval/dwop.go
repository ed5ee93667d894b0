package eval

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/op"
)

// This file is our own DWARF location-expression machine. Delve's
// op.ExecuteStackProgram would fit the simple cases, but gcc at -O2 and
// glibc's debug info need what it lacks: DW_OP_entry_value (resolved from
// the caller's call sites), DW_OP_form_tls_address and
// DW_OP_GNU_push_tls_address (thread-locals), DW_OP_bit_piece,
// DW_OP_implicit_pointer, the typed-stack operators (DW_OP_convert,
// DW_OP_regval_type, ...), DW_OP_addrx, and registers that an outer frame
// did not save. It also indexes an empty stack on malformed input, which
// must be an error here, not a panic. Opcode numbers come from Delve's op
// package.

// GNU spellings of DWARF 5 operators that gcc still emits with -gdwarf-4,
// and the TLS operator, which Delve's table does not name.
const (
	opGNUPushTLSAddress op.Opcode = 0xe0
	opGNUEntryValue     op.Opcode = 0xf3
	opGNUImplicitPtr    op.Opcode = 0xf2
	opGNURegvalType     op.Opcode = 0xf5
	opGNUDerefType      op.Opcode = 0xf6
	opGNUConvert        op.Opcode = 0xf7
	opGNUReinterpret    op.Opcode = 0xf9
	opGNUParameterRef   op.Opcode = 0xfa
	opGNUAddrIndex      op.Opcode = 0xfb
	opGNUConstIndex     op.Opcode = 0xfc
	opGNUConstType      op.Opcode = 0xf4
	opFormTLSAddress    op.Opcode = 0x9b
	opEntryValue        op.Opcode = 0xa3
	opImplicitPointer   op.Opcode = 0xa0
	opAddrx             op.Opcode = 0xa1
	opConstx            op.Opcode = 0xa2
	opConstType         op.Opcode = 0xa4
	opRegvalType        op.Opcode = 0xa5
	opDerefType         op.Opcode = 0xa6
	opConvert           op.Opcode = 0xa8
	opReinterpret       op.Opcode = 0xa9
)

// errOptimizedOut says a value has no location here; it prints as
// "<optimized out>" rather than as an error.
var errOptimizedOut = errors.New("optimized out")

// pieceKind says where one piece of a variable is.
type pieceKind uint8

const (
	pieceMem  pieceKind = iota // in memory at addr
	pieceReg                   // in DWARF register reg
	pieceImm                   // its value is bytes (DW_OP_stack_value, implicit_value)
	pieceLost                  // nowhere: optimized out
)

// piece is one part of a location: the whole variable when a location
// has no DW_OP_piece, else bitSize bits of it.
type piece struct {
	kind    pieceKind
	addr    uint64
	reg     int
	bytes   []byte
	bitSize int // 0: the rest of the variable
	bitOff  int // DW_OP_bit_piece's offset into the register or memory
}

// machine evaluates one location expression in one frame.
type machine struct {
	f     *frameEnv
	prog  []byte
	pc    int
	stack []uint64
	depth int // entry-value nesting, to stop runaway recursion
}

// run evaluates prog and returns its pieces. A location with no
// DW_OP_piece returns one piece with bitSize 0.
func (f *frameEnv) runLocation(prog []byte, depth int) ([]piece, error) {
	m := &machine{f: f, prog: prog, depth: depth}
	return m.exec()
}

// runValue evaluates prog as a DWARF expression that yields a value
// (frame base, call-site values, entry values).
func (f *frameEnv) runValue(prog []byte, depth int) (uint64, error) {
	ps, err := f.runLocation(prog, depth)
	if err != nil {
		return 0, err
	}
	if len(ps) != 1 {
		return 0, fmt.Errorf("DWARF expression yields %d pieces, want a value", len(ps))
	}
	p := ps[0]
	switch p.kind {
	case pieceMem:
		return p.addr, nil
	case pieceReg:
		return f.reg(p.reg)
	case pieceImm:
		var b [8]byte
		copy(b[:], p.bytes)
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	return 0, errOptimizedOut
}

var errBadExpr = errors.New("malformed DWARF expression")

func (m *machine) byte1() (byte, error) {
	if m.pc >= len(m.prog) {
		return 0, errBadExpr
	}
	b := m.prog[m.pc]
	m.pc++
	return b, nil
}

func (m *machine) fixed(n int) (uint64, error) {
	if m.pc+n > len(m.prog) {
		return 0, errBadExpr
	}
	var b [8]byte
	copy(b[:], m.prog[m.pc:m.pc+n])
	m.pc += n
	return binary.LittleEndian.Uint64(b[:]), nil
}

// uleb and sleb decode LEB128 here rather than with Delve's leb128,
// which panics on a truncated number.
func (m *machine) uleb() (uint64, error) {
	v, n, ok := uleb128(m.prog[m.pc:])
	if !ok {
		return 0, errBadExpr
	}
	m.pc += n
	return v, nil
}

func (m *machine) sleb() (int64, error) {
	v, n, ok := uleb128(m.prog[m.pc:])
	if !ok {
		return 0, errBadExpr
	}
	m.pc += n
	if bits := 7 * n; bits < 64 && m.prog[m.pc-1]&0x40 != 0 {
		v |= ^uint64(0) << bits
	}
	return int64(v), nil
}

// uleb128 decodes an unsigned LEB128 number and its length.
func uleb128(b []byte) (v uint64, n int, ok bool) {
	var shift uint
	for n < len(b) {
		c := b[n]
		n++
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			return v, n, true
		}
	}
	return 0, 0, false
}

func (m *machine) push(v uint64) { m.stack = append(m.stack, v) }

func (m *machine) pop() (uint64, error) {
	if len(m.stack) == 0 {
		return 0, op.ErrStackUnderflow
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *machine) exec() ([]piece, error) {
	var pieces []piece
	var cur *piece // a location that must be followed by a piece or the end
	limit := 64 * (len(m.prog) + 1)
	for steps := 0; m.pc < len(m.prog); steps++ {
		if steps > limit {
			return nil, fmt.Errorf("DWARF expression does not terminate")
		}
		o := op.Opcode(m.prog[m.pc])
		m.pc++
		if cur != nil && o != op.DW_OP_piece && o != op.DW_OP_bit_piece {
			return nil, fmt.Errorf("%w: %#x after a register or value", errBadExpr, o)
		}
		var err error
		switch {
		case o >= op.DW_OP_lit0 && o <= op.DW_OP_lit31:
			m.push(uint64(o - op.DW_OP_lit0))
		case o >= op.DW_OP_reg0 && o <= op.DW_OP_reg31:
			cur = &piece{kind: pieceReg, reg: int(o - op.DW_OP_reg0)}
		case o >= op.DW_OP_breg0 && o <= op.DW_OP_breg31:
			err = m.breg(int(o - op.DW_OP_breg0))
		default:
			cur, err = m.step(o, cur, &pieces)
		}
		if err != nil {
			return nil, err
		}
	}
	if cur != nil {
		pieces = append(pieces, *cur)
		return pieces, nil
	}
	if len(pieces) > 0 {
		return pieces, nil
	}
	if len(m.stack) == 0 {
		// An empty expression: the variable has no location.
		return []piece{{kind: pieceLost}}, nil
	}
	return []piece{{kind: pieceMem, addr: m.stack[len(m.stack)-1]}}, nil
}

func (m *machine) breg(r int) error {
	off, err := m.sleb()
	if err != nil {
		return err
	}
	v, err := m.f.reg(r)
	if err != nil {
		return err
	}
	m.push(v + uint64(off))
	return nil
}

// step runs one operator that is not a literal, register or base register.
func (m *machine) step(o op.Opcode, cur *piece, pieces *[]piece) (*piece, error) {
	switch o {
	case op.DW_OP_addr:
		a, err := m.fixed(8)
		if err != nil {
			return nil, err
		}
		m.push(a + m.f.bias)
	case op.DW_OP_deref, op.DW_OP_deref_size, opDerefType, opGNUDerefType:
		n := 8
		if o != op.DW_OP_deref {
			b, err := m.byte1()
			if err != nil {
				return nil, err
			}
			n = int(b)
			if o != op.DW_OP_deref_size {
				if _, err := m.uleb(); err != nil {
					return nil, err
				}
			}
		}
		a, err := m.pop()
		if err != nil {
			return nil, err
		}
		if n < 1 || n > 8 {
			return nil, fmt.Errorf("%w: deref of %d bytes", errBadExpr, n)
		}
		var b [8]byte
		if _, err := m.f.mem.ReadMemory(a, b[:n]); err != nil {
			return nil, err
		}
		m.push(binary.LittleEndian.Uint64(b[:]))
	case op.DW_OP_const1u, op.DW_OP_const2u, op.DW_OP_const4u, op.DW_OP_const8u:
		n := map[op.Opcode]int{op.DW_OP_const1u: 1, op.DW_OP_const2u: 2, op.DW_OP_const4u: 4, op.DW_OP_const8u: 8}[o]
		v, err := m.fixed(n)
		if err != nil {
			return nil, err
		}
		m.push(v)
	case op.DW_OP_const1s, op.DW_OP_const2s, op.DW_OP_const4s, op.DW_OP_const8s:
		n := map[op.Opcode]int{op.DW_OP_const1s: 1, op.DW_OP_const2s: 2, op.DW_OP_const4s: 4, op.DW_OP_const8s: 8}[o]
		v, err := m.fixed(n)
		if err != nil {
			return nil, err
		}
		m.push(signExtend(v, n*8))
	case op.DW_OP_constu:
		v, err := m.uleb()
		if err != nil {
			return nil, err
		}
		m.push(v)
	case op.DW_OP_consts:
		v, err := m.sleb()
		if err != nil {
			return nil, err
		}
		m.push(uint64(v))
	case op.DW_OP_regx:
		r, err := m.uleb()
		if err != nil {
			return nil, err
		}
		return &piece{kind: pieceReg, reg: int(r)}, nil
	case op.DW_OP_bregx:
		r, err := m.uleb()
		if err != nil {
			return nil, err
		}
		return nil, m.breg(int(r))
	case op.DW_OP_fbreg:
		off, err := m.sleb()
		if err != nil {
			return nil, err
		}
		fb, err := m.f.frameBase(m.depth)
		if err != nil {
			return nil, err
		}
		m.push(fb + uint64(off))
	case op.DW_OP_call_frame_cfa:
		if m.f.cfa == 0 {
			return nil, errors.New("the frame's CFA is not known")
		}
		m.push(m.f.cfa)
	case op.DW_OP_stack_value:
		v, err := m.pop()
		if err != nil {
			return nil, err
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		return &piece{kind: pieceImm, bytes: b[:]}, nil
	case op.DW_OP_implicit_value:
		n, err := m.uleb()
		if err != nil {
			return nil, err
		}
		if uint64(len(m.prog)-m.pc) < n {
			return nil, errBadExpr
		}
		b := append([]byte(nil), m.prog[m.pc:m.pc+int(n)]...)
		m.pc += int(n)
		return &piece{kind: pieceImm, bytes: b}, nil
	case opImplicitPointer, opGNUImplicitPtr:
		// A pointer to a variable that exists only in DWARF: gdb shows it
		// as <synthetic pointer>; we have no address to show.
		if _, err := m.fixed(4); err != nil {
			return nil, err
		}
		if _, err := m.sleb(); err != nil {
			return nil, err
		}
		return &piece{kind: pieceLost}, nil
	case op.DW_OP_piece, op.DW_OP_bit_piece:
		size, err := m.uleb()
		if err != nil {
			return nil, err
		}
		bits, off := int(size)*8, 0
		if o == op.DW_OP_bit_piece {
			bits = int(size)
			o2, err := m.uleb()
			if err != nil {
				return nil, err
			}
			off = int(o2)
		}
		if bits <= 0 || bits > 1<<20 {
			return nil, fmt.Errorf("%w: piece of %d bits", errBadExpr, bits)
		}
		p := piece{kind: pieceLost}
		if cur != nil {
			p = *cur
		} else if len(m.stack) > 0 {
			p = piece{kind: pieceMem, addr: m.stack[len(m.stack)-1]}
		}
		p.bitSize, p.bitOff = bits, off
		*pieces = append(*pieces, p)
		m.stack = m.stack[:0]
		return nil, nil
	case op.DW_OP_nop:
	case opFormTLSAddress, opGNUPushTLSAddress:
		off, err := m.pop()
		if err != nil {
			return nil, err
		}
		a, err := m.f.tlsAddr(off)
		if err != nil {
			return nil, err
		}
		m.push(a)
	case opEntryValue, opGNUEntryValue:
		n, err := m.uleb()
		if err != nil {
			return nil, err
		}
		if uint64(len(m.prog)-m.pc) < n {
			return nil, errBadExpr
		}
		sub := m.prog[m.pc : m.pc+int(n)]
		m.pc += int(n)
		v, err := m.f.entryValue(sub, m.depth+1)
		if err != nil {
			return nil, err
		}
		m.push(v)
	case opAddrx, opGNUAddrIndex, opConstx, opGNUConstIndex:
		i, err := m.uleb()
		if err != nil {
			return nil, err
		}
		a, err := m.f.debugAddr(i)
		if err != nil {
			return nil, err
		}
		if o == opAddrx || o == opGNUAddrIndex {
			a += m.f.bias
		}
		m.push(a)
	case opConvert, opGNUConvert, opReinterpret, opGNUReinterpret:
		// Typed DWARF stack: we keep 64-bit generic values, which is what
		// gcc's conversions between integer types of up to 64 bits need.
		if _, err := m.uleb(); err != nil {
			return nil, err
		}
	case opConstType, opGNUConstType:
		if _, err := m.uleb(); err != nil {
			return nil, err
		}
		n, err := m.byte1()
		if err != nil {
			return nil, err
		}
		if n > 8 {
			return nil, fmt.Errorf("typed constant of %d bytes is not supported", n)
		}
		v, err := m.fixed(int(n))
		if err != nil {
			return nil, err
		}
		m.push(v)
	case opRegvalType, opGNURegvalType:
		r, err := m.uleb()
		if err != nil {
			return nil, err
		}
		if _, err := m.uleb(); err != nil {
			return nil, err
		}
		v, err := m.f.reg(int(r))
		if err != nil {
			return nil, err
		}
		m.push(v)
	case opGNUParameterRef:
		return nil, errOptimizedOut
	default:
		return nil, m.arith(o)
	}
	return nil, nil
}

// arith runs stack manipulation, arithmetic and control flow operators.
func (m *machine) arith(o op.Opcode) error {
	n := len(m.stack)
	need := func(k int) error {
		if n < k {
			return op.ErrStackUnderflow
		}
		return nil
	}
	switch o {
	case op.DW_OP_dup:
		if err := need(1); err != nil {
			return err
		}
		m.push(m.stack[n-1])
	case op.DW_OP_drop:
		_, err := m.pop()
		return err
	case op.DW_OP_over:
		if err := need(2); err != nil {
			return err
		}
		m.push(m.stack[n-2])
	case op.DW_OP_pick:
		i, err := m.byte1()
		if err != nil {
			return err
		}
		if int(i) >= n {
			return op.ErrStackIndexOutOfBounds
		}
		m.push(m.stack[n-1-int(i)])
	case op.DW_OP_swap:
		if err := need(2); err != nil {
			return err
		}
		m.stack[n-1], m.stack[n-2] = m.stack[n-2], m.stack[n-1]
	case op.DW_OP_rot:
		if err := need(3); err != nil {
			return err
		}
		m.stack[n-1], m.stack[n-2], m.stack[n-3] = m.stack[n-2], m.stack[n-3], m.stack[n-1]
	case op.DW_OP_abs, op.DW_OP_neg, op.DW_OP_not:
		if err := need(1); err != nil {
			return err
		}
		v := m.stack[n-1]
		switch o {
		case op.DW_OP_abs:
			if int64(v) < 0 {
				v = -v
			}
		case op.DW_OP_neg:
			v = -v
		default:
			v = ^v
		}
		m.stack[n-1] = v
	case op.DW_OP_plus_uconst:
		if err := need(1); err != nil {
			return err
		}
		c, err := m.uleb()
		if err != nil {
			return err
		}
		m.stack[n-1] += c
	case op.DW_OP_skip, op.DW_OP_bra:
		off, err := m.fixed(2)
		if err != nil {
			return err
		}
		if o == op.DW_OP_bra {
			c, err := m.pop()
			if err != nil {
				return err
			}
			if c == 0 {
				return nil
			}
		}
		to := m.pc + int(int16(off))
		if to < 0 || to > len(m.prog) {
			return errBadExpr
		}
		m.pc = to
	default:
		return m.binary(o)
	}
	return nil
}

func (m *machine) binary(o op.Opcode) error {
	switch o {
	case op.DW_OP_and, op.DW_OP_div, op.DW_OP_minus, op.DW_OP_mod, op.DW_OP_mul,
		op.DW_OP_or, op.DW_OP_plus, op.DW_OP_shl, op.DW_OP_shr, op.DW_OP_shra, op.DW_OP_xor,
		op.DW_OP_eq, op.DW_OP_ge, op.DW_OP_gt, op.DW_OP_le, op.DW_OP_lt, op.DW_OP_ne:
	default:
		return fmt.Errorf("DWARF operator %#x is not supported", byte(o))
	}
	b, err := m.pop()
	if err != nil {
		return err
	}
	a, err := m.pop()
	if err != nil {
		return err
	}
	sa, sb := int64(a), int64(b)
	var r uint64
	switch o {
	case op.DW_OP_and:
		r = a & b
	case op.DW_OP_div:
		if b == 0 {
			return errors.New("DWARF expression divides by zero")
		}
		r = uint64(sa / sb)
	case op.DW_OP_minus:
		r = a - b
	case op.DW_OP_mod:
		if b == 0 {
			return errors.New("DWARF expression divides by zero")
		}
		r = a % b
	case op.DW_OP_mul:
		r = a * b
	case op.DW_OP_or:
		r = a | b
	case op.DW_OP_plus:
		r = a + b
	case op.DW_OP_shl:
		r = a << (b & 63)
	case op.DW_OP_shr:
		r = a >> (b & 63)
	case op.DW_OP_shra:
		r = uint64(sa >> (b & 63))
	case op.DW_OP_xor:
		r = a ^ b
	case op.DW_OP_eq:
		r = b2u(sa == sb)
	case op.DW_OP_ge:
		r = b2u(sa >= sb)
	case op.DW_OP_gt:
		r = b2u(sa > sb)
	case op.DW_OP_le:
		r = b2u(sa <= sb)
	case op.DW_OP_lt:
		r = b2u(sa < sb)
	case op.DW_OP_ne:
		r = b2u(sa != sb)
	}
	m.push(r)
	return nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// signExtend sign-extends the low bits of v.
func signExtend(v uint64, bits int) uint64 {
	if bits <= 0 || bits >= 64 {
		return v
	}
	s := 64 - uint(bits)
	return uint64(int64(v<<s) >> s)
}
