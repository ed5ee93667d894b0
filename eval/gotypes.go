package eval

import (
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Go's runtime representations, as the program's own DWARF describes
// them: strings and slices are structs (str/len, array/len/cap),
// interfaces are runtime.iface (tab, data) or runtime.eface (_type,
// data), channels point to runtime.hchan. Field names are looked up in
// the DWARF rather than assumed, so a layout change shows up as a clear
// error instead of garbage.

// field returns the named field of a struct value.
func (c *Context) field(v *value, name string) (*value, error) {
	fv, ok := c.findField(v, name, 0)
	if !ok {
		return nil, fmt.Errorf("%s has no field %s", typeName(v.typ, c.lang), name)
	}
	return fv, nil
}

// uintField reads an integer or pointer field.
func (c *Context) uintField(v *value, name string) (uint64, error) {
	fv, err := c.field(v, name)
	if err != nil {
		return 0, err
	}
	s, err := c.scalarOf(fv)
	return s.bits, err
}

// goString reads up to max bytes of a Go string; n is its length.
func (c *Context) goString(v *value, max int) (s string, n int64, err error) {
	p, err := c.uintField(v, "str")
	if err != nil {
		return "", 0, err
	}
	l, err := c.uintField(v, "len")
	if err != nil {
		return "", 0, err
	}
	n = int64(l)
	if n < 0 {
		return "", n, fmt.Errorf("corrupt string length %d", n)
	}
	k := min(n, int64(max))
	if k == 0 {
		return "", n, nil
	}
	b := make([]byte, k)
	if err := c.readFull(p, b); err != nil {
		return "", n, err
	}
	return string(b), n, nil
}

// goSlice returns a slice's array pointer, length and capacity.
func (c *Context) goSlice(v *value) (ptr uint64, n, capacity int64, err error) {
	if ptr, err = c.uintField(v, "array"); err != nil {
		return
	}
	var l, cp uint64
	if l, err = c.uintField(v, "len"); err != nil {
		return
	}
	if cp, err = c.uintField(v, "cap"); err != nil {
		return
	}
	n, capacity = int64(l), int64(cp)
	if n < 0 || capacity < n {
		err = fmt.Errorf("corrupt slice: len %d, cap %d", n, capacity)
	}
	return
}

func sliceElem(t godwarf.Type) godwarf.Type {
	if st, ok := resolve(t).(*godwarf.SliceType); ok {
		return st.ElemType
	}
	return nil
}

// goSliceElem returns element i of a slice.
func (c *Context) goSliceElem(v *value, i int64) (*value, error) {
	ptr, n, _, err := c.goSlice(v)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= n {
		return nil, fmt.Errorf("index %d out of range [0:%d]", i, n)
	}
	et := sliceElem(v.typ)
	e := memValue(et, ptr+uint64(i*sizeOf(et)))
	e.expr = joinExpr(v.expr, "", fmt.Sprintf("[%d]", i))
	return e, nil
}

// chanLenCap reads a channel's length and capacity from runtime.hchan.
func (c *Context) chanLenCap(v *value) (n, capacity int64, isNil bool, err error) {
	s, err := c.scalarOf(&value{typ: chanPtrType(v.typ), kind: v.kind, addr: v.addr, buf: v.buf, lost: v.lost, reg: -1})
	if err != nil {
		return 0, 0, false, err
	}
	if s.bits == 0 {
		return 0, 0, true, nil
	}
	pt, _ := resolve(chanPtrType(v.typ)).(*godwarf.PtrType)
	if pt == nil {
		return 0, 0, false, fmt.Errorf("channel type without runtime.hchan")
	}
	h := memValue(pt.Type, s.bits)
	q, err := c.uintField(h, "qcount")
	if err != nil {
		return 0, 0, false, err
	}
	d, err := c.uintField(h, "dataqsiz")
	return int64(q), int64(d), false, err
}

// chanPtrType is the *hchan type under a chan typedef.
func chanPtrType(t godwarf.Type) godwarf.Type {
	for i := 0; i < 8 && t != nil; i++ {
		switch tt := t.(type) {
		case *godwarf.ChanType:
			t = tt.Type
		case *godwarf.TypedefType:
			t = tt.Type
		default:
			return t
		}
	}
	return t
}

// ifaceDynamic returns the dynamic value held by an interface, or nil
// for a nil interface.
func (c *Context) ifaceDynamic(v *value) (*value, error) {
	data, err := c.field(v, "data")
	if err != nil {
		return nil, err
	}
	var typAddr uint64
	if tab, err := c.field(v, "tab"); err == nil {
		s, err := c.scalarOf(tab)
		if err != nil {
			return nil, err
		}
		if s.bits == 0 {
			return nil, nil
		}
		pt, ok := resolve(tab.typ).(*godwarf.PtrType)
		if !ok {
			return nil, fmt.Errorf("iface.tab is not a pointer")
		}
		it := memValue(pt.Type, s.bits)
		typAddr, err = c.uintField(it, "Type")
		if err != nil {
			if typAddr, err = c.uintField(it, "_type"); err != nil {
				return nil, err
			}
		}
		if err := c.checkItab(v, it); err != nil {
			return nil, err
		}
	} else {
		if typAddr, err = c.uintField(v, "_type"); err != nil {
			return nil, err
		}
		if typAddr == 0 {
			return nil, nil
		}
	}
	dt, err := c.runtimeType(typAddr)
	if err != nil {
		return nil, err
	}
	ds, err := c.scalarOf(data)
	if err != nil {
		return nil, err
	}
	if c.directIface(typAddr, dt) {
		// Pointer-shaped values are stored in the data word itself.
		r := immValue(dt, pad(encodeScalar(fakeInt("uintptr", 8, false), scalar{bits: ds.bits}), int(sizeOf(dt))))
		return r, nil
	}
	return memValue(dt, ds.bits), nil
}

// checkItab compares the interface type an itab is for with the
// interface's static type, when both can be named: the optimizing
// compiler sometimes describes as a whole interface a location that
// holds only its data word, and the word taken for the itab is then
// anything. A mismatch is an error, never a value of the wrong type.
func (c *Context) checkItab(v, it *value) error {
	inter, err := c.uintField(it, "Inter")
	if err != nil {
		if inter, err = c.uintField(it, "inter"); err != nil {
			return nil // a layout without it: nothing to compare
		}
	}
	want := typeName(v.typ, c.lang)
	t, err := c.runtimeType(inter)
	if err != nil {
		return fmt.Errorf("the type table of %s is not for an interface (debug information describes it wrongly?)", want)
	}
	if got := typeName(t, c.lang); got != want {
		return fmt.Errorf("the type table of %s is for %s (debug information describes it wrongly?)", want, got)
	}
	return nil
}

// directIface reads the type descriptor's flag that says whether values
// are stored in the interface word (TFlag bit 5 since Go 1.26, Kind_ bit
// 5 before); if the descriptor cannot be read, pointer shape decides.
func (c *Context) directIface(typAddr uint64, dt godwarf.Type) bool {
	if abiType, ok := c.goType("internal/abi.Type"); ok {
		tv := memValue(abiType, typAddr)
		tf, err1 := c.uintField(tv, "TFlag")
		k, err2 := c.uintField(tv, "Kind_")
		if err1 == nil && err2 == nil {
			return tf&0x20 != 0 || k&0x20 != 0
		}
	}
	switch classOf(dt) {
	case clsPtr, clsGoMap, clsGoChan, clsFunc:
		return true
	}
	return false
}

// runtimeType maps the address of a runtime type descriptor to its DWARF
// type through DW_AT_go_runtime_type, which records the descriptor's
// offset from runtime.firstmoduledata.types.
func (c *Context) runtimeType(addr uint64) (godwarf.Type, error) {
	if c.ii == nil {
		return nil, errNoDebugInfo
	}
	if !c.typesBaseOK {
		g, ok := c.lookupGlobal("runtime.firstmoduledata")
		if !ok {
			return nil, fmt.Errorf("runtime.firstmoduledata not found: cannot name dynamic types")
		}
		md, err := c.globalValue(g, "runtime.firstmoduledata")
		if err != nil {
			return nil, err
		}
		c.typesBase, err = c.uintField(md, "types")
		if err != nil {
			return nil, err
		}
		c.typesBaseOK = true
	}
	off, ok := c.ii.index().rtypes[addr-c.typesBase]
	if !ok {
		return nil, fmt.Errorf("no DWARF type for the runtime type at %#x", addr)
	}
	return c.ii.readType(off)
}

// goType finds a named type in the frame's image.
func (c *Context) goType(name string) (godwarf.Type, bool) {
	if c.ii == nil {
		return nil, false
	}
	refs := c.ii.index().types[name]
	if len(refs) == 0 {
		return nil, false
	}
	t, err := c.ii.readType(refs[0].off)
	return t, err == nil
}

// evalTypeAssert is Go's x.(T) for a concrete T: the dynamic value if its
// type is T, an error naming both types otherwise. Types are compared by
// name, as the program's DWARF spells them.
func (c *Context) evalTypeAssert(x *expr.TypeAssert) (*value, error) {
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	if classOf(v.typ) != clsGoIface {
		return nil, errAt(x.X, "invalid type assertion: %s (type %s) is not an interface", describe(v), typeName(v.typ, c.lang))
	}
	t, err := c.typeOf(x.Type)
	if err != nil {
		return nil, err
	}
	want := typeName(t, c.lang)
	if classOf(t) == clsGoIface {
		return nil, errAt(x.Type, "type assertions to an interface type (%s) are not supported", want)
	}
	d, err := c.ifaceDynamic(v)
	if err != nil {
		return nil, c.valueErr(x.X, v, err)
	}
	if d == nil {
		return nil, errAt(x, "interface conversion: %s is nil, not %s", typeName(v.typ, c.lang), want)
	}
	if got := typeName(d.typ, c.lang); got != want {
		return nil, errAt(x, "interface conversion: %s is %s, not %s", typeName(v.typ, c.lang), got, want)
	}
	d.expr = ""
	if v.expr != "" {
		d.expr = v.expr + ".(" + want + ")"
	}
	return d, nil
}
