package eval

import (
	"encoding/binary"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Go's slice expressions, s[i:j] and s[i:j:k], on slices, strings,
// arrays in memory and pointers to them. The result is a new slice or
// string header built here (nothing is written to the target), with
// Go's rules and Go's wording for bounds: j may go up to the capacity of
// a slice, to the length of a string or array.

func (c *Context) evalSlice(x *expr.Slice) (*value, error) {
	if c.lang != expr.Go {
		return nil, errAt(x, "slice expressions are Go's")
	}
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	if v.kind == lNone {
		return nil, c.valueErr(x.X, v, errOptimizedOut)
	}
	if pt, ok := resolve(v.typ).(*godwarf.PtrType); ok && classOf(pt.Type) == clsArray {
		if v, err = c.deref(v, x.X); err != nil {
			return nil, err
		}
	}
	// ptr, n, capacity: what is sliced; limit is how far j may go.
	var ptr uint64
	var n, capacity int64
	var elem godwarf.Type
	what := "capacity"
	switch classOf(v.typ) {
	case clsGoSlice:
		if ptr, n, capacity, err = c.goSlice(v); err != nil {
			return nil, c.valueErr(x.X, v, err)
		}
		elem = sliceElem(v.typ)
	case clsGoString:
		if x.Max != nil {
			return nil, errAt(x.Max, "3-index slice of a string")
		}
		if v.str != nil {
			return nil, errAt(x.X, "cannot slice a string constant")
		}
		if ptr, err = c.uintField(v, "str"); err != nil {
			return nil, c.valueErr(x.X, v, err)
		}
		l, err := c.uintField(v, "len")
		if err != nil {
			return nil, c.valueErr(x.X, v, err)
		}
		n, capacity, what = int64(l), int64(l), "length"
	case clsArray:
		if v.kind != lMem {
			return nil, errAt(x.X, "cannot slice %s: it is not in memory", describe(v))
		}
		at := resolve(v.typ).(*godwarf.ArrayType)
		ptr, n, capacity, elem, what = v.addr, at.Count, at.Count, at.Type, "length"
	default:
		return nil, errAt(x.X, "cannot slice %s (type %s)", describe(v), typeName(v.typ, c.lang))
	}
	bound := func(b expr.Expr, def int64) (int64, error) {
		if b == nil {
			return def, nil
		}
		bv, err := c.eval(b)
		if err != nil {
			return 0, err
		}
		s, err := c.scalarOf(bv)
		if err != nil || !s.cls.isInteger() {
			return 0, errAt(b, "slice index must be an integer")
		}
		if int64(s.bits) < 0 {
			return 0, errAt(b, "invalid slice index %d (must be non-negative)", int64(s.bits))
		}
		return int64(s.bits), nil
	}
	lo, err := bound(x.Low, 0)
	if err != nil {
		return nil, err
	}
	hi, err := bound(x.High, n)
	if err != nil {
		return nil, err
	}
	mx, err := bound(x.Max, capacity)
	if err != nil {
		return nil, err
	}
	switch {
	case mx > capacity:
		return nil, errAt(x.Max, "slice bounds out of range [::%d] with %s %d", mx, what, capacity)
	case hi > mx && x.Max != nil:
		return nil, errAt(x.High, "slice bounds out of range [:%d:%d]", hi, mx)
	case hi > capacity:
		return nil, errAt(x.High, "slice bounds out of range [:%d] with %s %d", hi, what, capacity)
	case lo > hi:
		return nil, errAt(x.Low, "slice bounds out of range [%d:%d]", lo, hi)
	}
	if classOf(v.typ) == clsGoString {
		r, err := headerValue(v.typ, map[string]uint64{"str": ptr + uint64(lo), "len": uint64(hi - lo)})
		if err != nil {
			return nil, errAt(x, "%v", err)
		}
		return r, nil
	}
	st := v.typ
	if classOf(v.typ) == clsArray {
		st = c.sliceTypeOf(elem)
	}
	r, err := headerValue(st, map[string]uint64{
		"array": ptr + uint64(lo*sizeOf(elem)), "len": uint64(hi - lo), "cap": uint64(mx - lo)})
	if err != nil {
		return nil, errAt(x, "%v", err)
	}
	if v.expr != "" {
		// The bounds are evaluated in the same frame: the text names
		// the same elements, and so do its children's.
		r.expr = "(" + expr.Format(x) + ")"
	}
	return r, nil
}

// headerValue builds a slice or string header of type t, its 8-byte
// fields set by name (the names DWARF gives them).
func headerValue(t godwarf.Type, fields map[string]uint64) (*value, error) {
	st, ok := structOf(t)
	if !ok {
		return nil, fmt.Errorf("%s has no header layout", t.String())
	}
	b := make([]byte, sizeOf(t))
	set := 0
	for _, f := range st.Field {
		val, ok := fields[f.Name]
		if !ok {
			continue
		}
		if f.ByteOffset < 0 || f.ByteOffset+8 > int64(len(b)) {
			return nil, fmt.Errorf("field %s of %s is not where a header has it", f.Name, t.String())
		}
		binary.LittleEndian.PutUint64(b[f.ByteOffset:], val)
		set++
	}
	if set != len(fields) {
		return nil, fmt.Errorf("%s does not have the fields of a header", t.String())
	}
	return immValue(t, b), nil
}

// sliceTypeOf is []elem: the program's own type if it has one, otherwise
// one made here with the runtime's layout.
func (c *Context) sliceTypeOf(elem godwarf.Type) godwarf.Type {
	name := "[]" + typeName(elem, expr.Go)
	if t, ok := c.goType(name); ok && classOf(t) == clsGoSlice {
		return t
	}
	intT := fakeInt("int", 8, true)
	return &godwarf.SliceType{
		StructType: godwarf.StructType{
			CommonType: godwarf.CommonType{Name: name, ByteSize: 24},
			StructName: name, Kind: "struct",
			Field: []*godwarf.StructField{
				{Name: "array", Type: fakePtr(elem, expr.Go), ByteOffset: 0},
				{Name: "len", Type: intT, ByteOffset: 8},
				{Name: "cap", Type: intT, ByteOffset: 16},
			},
		},
		ElemType: elem,
	}
}
