package eval

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// locKind says where a value lives.
type locKind uint8

const (
	lMem  locKind = iota // in target memory at addr
	lImm                 // its bytes are in buf (registers, DWARF-computed values, results)
	lNone                // nowhere: optimized out
)

// value is a typed value during evaluation. Memory values are read only
// when needed, so that a large array costs nothing until it is looked at.
type value struct {
	typ  godwarf.Type
	kind locKind
	addr uint64
	buf  []byte
	lost []bool // lImm: bytes that are not available (partly optimized out)

	// A bitfield: bitSize bits starting bitOff bits into the bytes at
	// addr or buf (little-endian bit numbering).
	bitSize, bitOff int

	// reg is the DWARF register a whole value came from (-1 if none), and
	// regFrame the frame whose register it is: assignments write it back
	// in frame 0.
	reg, regFrame int

	untyped bool    // a Go untyped constant (adapts to the other operand)
	str     *string // a string constant, compared with Go strings
	expr    string  // how to reach it, for children's evaluateName
}

var errNoDebugInfo = errors.New("no debugging information for this frame")

func immValue(t godwarf.Type, b []byte) *value {
	return &value{typ: t, kind: lImm, buf: b, reg: -1}
}

func memValue(t godwarf.Type, addr uint64) *value {
	return &value{typ: t, kind: lMem, addr: addr, reg: -1}
}

func lostValue(t godwarf.Type) *value {
	return &value{typ: t, kind: lNone, reg: -1}
}

// locate makes the value of a variable DIE from its location expression
// (prog, or progErr if finding it failed) or DW_AT_const_value.
func (f *frameEnv) locate(e godwarf.Entry, t godwarf.Type, prog []byte, progErr error) (*value, error) {
	size := int(sizeOf(t))
	if progErr != nil {
		if cv := e.Val(dwarf.AttrConstValue); cv != nil {
			return constValue(t, cv, size), nil
		}
		if errors.Is(progErr, errOptimizedOut) {
			return lostValue(t), nil
		}
		return nil, progErr
	}
	pieces, err := f.runLocation(prog, 0)
	if errors.Is(err, errOptimizedOut) {
		return lostValue(t), nil
	}
	if err != nil {
		return nil, err
	}
	return f.assemble(t, size, pieces)
}

func constValue(t godwarf.Type, cv any, size int) *value {
	switch x := cv.(type) {
	case int64:
		b := make([]byte, max(size, 8))
		binary.LittleEndian.PutUint64(b, uint64(x))
		return immValue(t, b[:max(size, 1)])
	case []byte:
		return immValue(t, x)
	}
	return lostValue(t)
}

// assemble turns the pieces of a location into a value.
func (f *frameEnv) assemble(t godwarf.Type, size int, pieces []piece) (*value, error) {
	if len(pieces) == 1 && (pieces[0].bitSize == 0 || pieces[0].bitSize >= size*8) && pieces[0].bitOff == 0 {
		p := pieces[0]
		switch p.kind {
		case pieceMem:
			return memValue(t, p.addr), nil
		case pieceLost:
			return lostValue(t), nil
		case pieceImm:
			return immValue(t, pad(p.bytes, size)), nil
		case pieceReg:
			b, ok := f.regBytes(p.reg)
			if !ok {
				return lostValue(t), nil
			}
			v := immValue(t, pad(b, size))
			v.reg, v.regFrame = p.reg, f.idx
			return v, nil
		}
	}
	// A composite: gather the bits, remembering which are missing.
	buf := make([]byte, size)
	lost := make([]bool, size)
	bit := 0
	for _, p := range pieces {
		n := p.bitSize
		if n == 0 {
			n = size*8 - bit
		}
		var src []byte
		ok := true
		switch p.kind {
		case pieceMem:
			src = make([]byte, (p.bitOff+n+7)/8)
			ok = f.c.readFull(p.addr, src) == nil
		case pieceReg:
			src, ok = f.regBytes(p.reg)
		case pieceImm:
			src = p.bytes
		case pieceLost:
			ok = false
		}
		for i := 0; i < n && bit+i < size*8; i++ {
			d := bit + i
			s := p.bitOff + i
			if !ok || s/8 >= len(src) {
				lost[d/8] = true
				continue
			}
			if src[s/8]&(1<<(s%8)) != 0 {
				buf[d/8] |= 1 << (d % 8)
			}
		}
		bit += n
	}
	for i := bit / 8; i < size; i++ {
		lost[i] = true
	}
	v := immValue(t, buf)
	v.lost = lost
	for _, l := range lost {
		if !l {
			return v, nil
		}
	}
	return lostValue(t), nil
}

func pad(b []byte, size int) []byte {
	if len(b) >= size {
		return b[:size]
	}
	out := make([]byte, size)
	copy(out, b)
	return out
}

// bytes returns the value's contents: sizeOf(typ) bytes, or the bytes
// holding a bitfield. It fails with errOptimizedOut if any is missing.
func (c *Context) bytes(v *value) ([]byte, error) {
	n := int(sizeOf(v.typ))
	if v.bitSize > 0 {
		n = (v.bitOff + v.bitSize + 7) / 8
	}
	switch v.kind {
	case lNone:
		return nil, errOptimizedOut
	case lImm:
		if n > len(v.buf) {
			return nil, errOptimizedOut
		}
		for i := 0; i < n && i < len(v.lost); i++ {
			if v.lost[i] {
				return nil, errOptimizedOut
			}
		}
		return v.buf[:n], nil
	}
	if n > 1<<24 {
		return nil, fmt.Errorf("value of %d bytes is too large to read", n)
	}
	b := make([]byte, n)
	if err := c.readFull(v.addr, b); err != nil {
		return nil, err
	}
	return b, nil
}

// sub returns the part of v at byte offset off with type t: a field or an
// element.
func (v *value) sub(off int64, t godwarf.Type) *value {
	switch v.kind {
	case lMem:
		return memValue(t, v.addr+uint64(off))
	case lImm:
		n := sizeOf(t)
		if off < 0 || off+n > int64(len(v.buf)) {
			return lostValue(t)
		}
		s := immValue(t, v.buf[off:off+n])
		if v.lost != nil {
			s.lost = v.lost[off : off+n]
		}
		if off == 0 && v.reg >= 0 {
			s.reg, s.regFrame = v.reg, v.regFrame
		}
		return s
	}
	return lostValue(t)
}

// scalar is a number or address taken out of a value.
type scalar struct {
	cls  class
	bits uint64 // integers (sign- or zero-extended to 64 bits), pointers, bools
	f    float64
}

// scalarOf reads a scalar value.
func (c *Context) scalarOf(v *value) (scalar, error) {
	cls := classOf(v.typ)
	if !cls.isScalar() && cls != clsFunc {
		return scalar{}, fmt.Errorf("%s is not a number", typeName(v.typ, c.lang))
	}
	b, err := c.bytes(v)
	if err != nil {
		return scalar{}, err
	}
	var w [8]byte
	copy(w[:], b)
	raw := binary.LittleEndian.Uint64(w[:])
	size := len(b)
	if v.bitSize > 0 {
		raw = (raw >> uint(v.bitOff)) & (1<<uint(v.bitSize) - 1)
		size = 0
		if isSigned(v.typ) {
			raw = signExtend(raw, v.bitSize)
		}
	} else if size < 8 {
		raw &= 1<<(8*uint(size)) - 1
		if isSigned(v.typ) {
			raw = signExtend(raw, 8*size)
		}
	}
	s := scalar{cls: cls, bits: raw}
	if cls == clsFloat {
		switch len(b) {
		case 4:
			s.f = float64(math.Float32frombits(uint32(raw)))
		case 8:
			s.f = math.Float64frombits(raw)
		default:
			return scalar{}, fmt.Errorf("%d-byte floating point values are not supported", len(b))
		}
	}
	if cls == clsFunc {
		s.cls = clsPtr
	}
	return s, nil
}

// bytesOf encodes a scalar in a type's representation.
func encodeScalar(t godwarf.Type, s scalar) []byte {
	size := sizeOf(t)
	b := make([]byte, 8)
	if classOf(t) == clsFloat {
		if size == 4 {
			binary.LittleEndian.PutUint32(b, math.Float32bits(float32(s.f)))
		} else {
			binary.LittleEndian.PutUint64(b, math.Float64bits(s.f))
		}
	} else {
		binary.LittleEndian.PutUint64(b, s.bits)
	}
	if size > 8 {
		return pad(b, int(size))
	}
	return b[:max(size, 1)]
}
