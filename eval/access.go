package eval

import (
	"debug/dwarf"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Field, element and pointer access on values.

const attrDataBitOffset dwarf.Attr = 0x6b

// bitOffsets returns each field's offset in bits from the start of the
// struct. godwarf reads only DWARF 2's DW_AT_bit_offset (counted from the
// storage unit's most significant bit); gcc now emits DWARF 4's
// DW_AT_data_bit_offset, which godwarf ignores, so bitfield structs are
// re-read here.
func (ii *imgInfo) bitOffsets(st *godwarf.StructType) []int64 {
	ii.mu.Lock()
	defer ii.mu.Unlock()
	if bo, ok := ii.bitOffs[st.Offset]; ok {
		return bo
	}
	bo := make([]int64, len(st.Field))
	var dbo []any
	hasBits := false
	for _, f := range st.Field {
		if f.BitSize > 0 {
			hasBits = true
		}
	}
	if hasBits && ii.dw != nil && st.Offset != 0 {
		r := ii.dw.Reader()
		r.Seek(st.Offset)
		if e, err := r.Next(); err == nil && e != nil && e.Children {
			for {
				k, err := r.Next()
				if err != nil || k == nil || k.Tag == 0 {
					break
				}
				if k.Tag == dwarf.TagMember {
					dbo = append(dbo, k.Val(attrDataBitOffset))
				}
				if k.Children {
					r.SkipChildren()
				}
			}
		}
	}
	for i, f := range st.Field {
		bo[i] = f.ByteOffset * 8
		if f.BitSize == 0 {
			continue
		}
		if i < len(dbo) {
			if d, ok := dbo[i].(int64); ok {
				bo[i] = d
				continue
			}
		}
		storage := f.ByteSize
		if storage == 0 {
			storage = sizeOf(f.Type)
		}
		bo[i] = f.ByteOffset*8 + storage*8 - f.BitOffset - f.BitSize
	}
	ii.bitOffs[st.Offset] = bo
	return bo
}

// fieldValue returns field i of a struct or union value.
func (c *Context) fieldValue(v *value, st *godwarf.StructType, i int) *value {
	f := st.Field[i]
	if f.BitSize == 0 {
		fv := v.sub(f.ByteOffset, f.Type)
		fv.expr = joinExpr(v.expr, ".", f.Name)
		return fv
	}
	ii := c.ii
	if ii == nil {
		ii = &imgInfo{bitOffs: map[dwarf.Offset][]int64{}}
	}
	abs := ii.bitOffsets(st)[i]
	byteOff := abs / 8
	nbytes := (abs%8 + f.BitSize + 7) / 8
	var fv *value
	switch v.kind {
	case lMem:
		fv = memValue(f.Type, v.addr+uint64(byteOff))
	case lImm:
		if byteOff+nbytes > int64(len(v.buf)) {
			fv = lostValue(f.Type)
		} else {
			fv = immValue(f.Type, v.buf[byteOff:byteOff+nbytes])
			if v.lost != nil {
				fv.lost = v.lost[byteOff : byteOff+nbytes]
			}
		}
	default:
		fv = lostValue(f.Type)
	}
	fv.bitOff, fv.bitSize = int(abs%8), int(f.BitSize)
	fv.expr = joinExpr(v.expr, ".", f.Name)
	return fv
}

func joinExpr(base, sep, name string) string {
	if base == "" {
		return ""
	}
	return base + sep + name
}

// findField finds a field by name, looking into anonymous members (C)
// and embedded structs (Go) as both languages do.
func (c *Context) findField(v *value, name string, depth int) (*value, bool) {
	st, ok := structOf(v.typ)
	if !ok || depth > 8 {
		return nil, false
	}
	for i, f := range st.Field {
		if f.Name == name {
			return c.fieldValue(v, st, i), true
		}
	}
	for i, f := range st.Field {
		if f.Name == "" || f.Embedded {
			if _, ok := resolve(f.Type).(*godwarf.StructType); ok {
				if fv, ok := c.findField(c.fieldValue(v, st, i), name, depth+1); ok {
					return fv, true
				}
			}
		}
	}
	return nil, false
}

// deref follows a pointer.
func (c *Context) deref(v *value, at expr.Node) (*value, error) {
	pt, ok := resolve(v.typ).(*godwarf.PtrType)
	if !ok {
		return nil, errAt(at, "cannot dereference %s (type %s)", describe(v), typeName(v.typ, c.lang))
	}
	s, err := c.scalarOf(v)
	if err != nil {
		return nil, c.valueErr(at, v, err)
	}
	if classOf(pt.Type) == clsVoid {
		return nil, errAt(at, "cannot dereference a void pointer")
	}
	if s.bits == 0 {
		return nil, errAt(at, "%s is a nil pointer", describe(v))
	}
	r := memValue(pt.Type, s.bits)
	if v.expr != "" {
		r.expr = "(*" + v.expr + ")"
	}
	return r, nil
}

// element returns element i of an array or of the memory a pointer
// points to (C pointer arithmetic).
func (c *Context) element(v *value, i int64, at expr.Node) (*value, error) {
	switch t := resolve(v.typ).(type) {
	case *godwarf.ArrayType:
		if t.Count >= 0 && (i < 0 || i >= t.Count) {
			return nil, errAt(at, "index %d out of range [0:%d]", i, t.Count)
		}
		es := sizeOf(t.Type)
		e := v.sub(i*es, t.Type)
		e.expr = joinExpr(v.expr, "", fmt.Sprintf("[%d]", i))
		return e, nil
	case *godwarf.PtrType:
		if classOf(t.Type) == clsVoid {
			return nil, errAt(at, "cannot index a void pointer")
		}
		s, err := c.scalarOf(v)
		if err != nil {
			return nil, c.valueErr(at, v, err)
		}
		if s.bits == 0 {
			return nil, errAt(at, "%s is a nil pointer", describe(v))
		}
		e := memValue(t.Type, s.bits+uint64(i*sizeOf(t.Type)))
		e.expr = joinExpr(v.expr, "", fmt.Sprintf("[%d]", i))
		return e, nil
	}
	return nil, errAt(at, "cannot index %s (type %s)", describe(v), typeName(v.typ, c.lang))
}

// describe names a value in messages: its expression if it has one.
func describe(v *value) string {
	if v.expr != "" {
		return v.expr
	}
	return "value"
}
