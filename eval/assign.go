package eval

import (
	"encoding/binary"

	"github.com/ubpdbg/ubpdbg/expr"
)

// Assignment: the only way evaluation writes to the target. The left side
// must be in memory or, in frame 0, wholly in a register; the right side
// is converted to the left side's type as the language's assignment
// would (C converts between scalars; Go needs the same type or an untyped
// constant).

func (c *Context) assign(a *expr.Assign) (*value, error) {
	lhs, err := c.eval(a.Lhs)
	if err != nil {
		return nil, err
	}
	rhs, err := c.eval(a.Rhs)
	if err != nil {
		return nil, err
	}
	if lhs.kind == lNone {
		return nil, errAt(a.Lhs, "cannot assign to %s: it is optimized out", describe(lhs))
	}
	conv, err := c.convert(rhs, lhs.typ, a.Rhs, false)
	if err != nil {
		return nil, err
	}
	data, err := c.bytes(conv)
	if err != nil {
		return nil, c.valueErr(a.Rhs, rhs, err)
	}
	if lhs.bitSize > 0 {
		return lhs, c.writeBits(lhs, data, a)
	}
	switch {
	case lhs.kind == lMem:
		if err := c.cfg.Mem.WriteMemory(lhs.addr, data); err != nil {
			return nil, errAt(a, "writing %s: %v", describe(lhs), err)
		}
		return memValue(lhs.typ, lhs.addr), nil
	case lhs.reg >= 0 && physStart(c.cfg.Frames, lhs.regFrame) == 0:
		var w [8]byte
		copy(w[:], data)
		old, _ := c.env.reg(lhs.reg)
		// Keep the register's bytes beyond the variable's size.
		mask := ^uint64(0)
		if len(data) < 8 {
			mask = 1<<(8*uint(len(data))) - 1
		}
		bits := old&^mask | binary.LittleEndian.Uint64(w[:])&mask
		if err := c.writeRegister(lhs.reg, bits, a); err != nil {
			return nil, err
		}
		out := *lhs
		out.buf = pad(data, len(lhs.buf))
		return &out, nil
	}
	return nil, errAt(a.Lhs, "cannot assign to %s: it is not in memory or in a register of frame 0", expr.Format(a.Lhs))
}

// writeBits stores a bitfield with a read-modify-write of the bytes that
// hold it.
func (c *Context) writeBits(lhs *value, data []byte, a *expr.Assign) error {
	if lhs.kind != lMem {
		return errAt(a.Lhs, "cannot assign to a bitfield that is not in memory")
	}
	n := (lhs.bitOff + lhs.bitSize + 7) / 8
	cur := make([]byte, 8)
	if err := c.readFull(lhs.addr, cur[:n]); err != nil {
		return errAt(a.Lhs, "%v", err)
	}
	var v [8]byte
	copy(v[:], data)
	old := binary.LittleEndian.Uint64(cur)
	mask := (uint64(1)<<uint(lhs.bitSize) - 1) << uint(lhs.bitOff)
	nw := old&^mask | (binary.LittleEndian.Uint64(v[:])<<uint(lhs.bitOff))&mask
	binary.LittleEndian.PutUint64(cur, nw)
	if err := c.cfg.Mem.WriteMemory(lhs.addr, cur[:n]); err != nil {
		return errAt(a, "writing %s: %v", describe(lhs), err)
	}
	return nil
}
