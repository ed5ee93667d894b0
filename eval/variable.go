package eval

import (
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Kind is the broad sort of a Variable, for front ends choosing how to
// present it.
type Kind uint8

const (
	KindInvalid Kind = iota
	KindInt
	KindUint
	KindBool
	KindFloat
	KindComplex
	KindEnum
	KindPointer
	KindFunc
	KindArray
	KindStruct
	KindUnion
	KindString // Go string
	KindSlice
	KindMap
	KindChan
	KindInterface
	KindVoid
)

var kindOfClass = [...]Kind{
	clsVoid: KindVoid, clsInt: KindInt, clsUint: KindUint, clsBool: KindBool, clsFloat: KindFloat,
	clsComplex: KindComplex, clsEnum: KindEnum, clsPtr: KindPointer, clsFunc: KindFunc,
	clsArray: KindArray, clsStruct: KindStruct, clsUnion: KindUnion, clsGoString: KindString,
	clsGoSlice: KindSlice, clsGoMap: KindMap, clsGoChan: KindChan, clsGoIface: KindInterface,
	clsOther: KindInvalid,
}

// Variable is a named value ready to show: a local, an argument, a
// global, a register, a child of another Variable, or the result of an
// expression. Value is a one-line summary; the parts of a large value are
// loaded only when Children asks for them.
type Variable struct {
	Name  string
	Type  string // as the frame's language writes it
	Value string // summary; "<optimized out>" when the value has no location
	Kind  Kind
	Addr  uint64 // where it is in memory; 0 if it is not (register, computed)
	// Expr is an expression that evaluates to this variable in the same
	// frame (DAP's evaluateName, and what setVariable assigns to); "" if
	// there is none.
	Expr string
	// HasChildren says whether Children returns anything; NumChildren is
	// how many (-1: too costly to count in advance).
	HasChildren bool
	NumChildren int
	Unavailable bool // optimized out
	Shadowed    bool // a local hidden by an inner one of the same name
	IsArg       bool

	c *Context
	v *value
}

// newVariable makes a Variable of a value.
func (c *Context) newVariable(name string, v *value) *Variable {
	out := &Variable{Name: name, Type: typeName(v.typ, c.lang), c: c, v: v, Expr: v.expr}
	if v.untyped && c.lang == expr.Go {
		out.Type = "untyped " + out.Type
	}
	cls := classOf(v.typ)
	if v.str != nil {
		cls = clsGoString
		out.Type = "string"
	}
	if int(cls) < len(kindOfClass) {
		out.Kind = kindOfClass[cls]
	}
	if v.kind == lMem {
		out.Addr = v.addr
	}
	out.Value = c.summary(v, 0)
	if v.kind == lNone || out.Value == optimizedOut {
		out.Unavailable = true
		return out
	}
	if v.str == nil {
		out.NumChildren = c.numChildren(v)
	}
	out.HasChildren = out.NumChildren != 0
	return out
}

// Children returns up to count children starting at offset (count <= 0:
// all the rest): struct fields, array, slice and map elements, the target
// of a pointer, those of an interface's dynamic value, what a Go closure
// captured.
func (v *Variable) Children(offset, count int) ([]*Variable, error) {
	if v.c == nil || v.v == nil || !v.HasChildren {
		return nil, nil
	}
	c := v.c
	if offset < 0 {
		return nil, fmt.Errorf("negative offset %d", offset)
	}
	if classOf(v.v.typ) == clsGoIface {
		// An interface's children are those of its dynamic value.
		d, err := c.ifaceView(v.v)
		if err != nil || d == nil {
			return nil, err
		}
		return c.newVariable(v.Name, d).Children(offset, count)
	}
	if classOf(v.v.typ) == clsGoMap {
		return c.mapChildren(v, offset, count)
	}
	n := v.NumChildren
	end := n
	if count > 0 && offset+count < n {
		end = offset + count
	}
	var out []*Variable
	for i := offset; i < end; i++ {
		name, cv, err := c.child(v.v, i)
		if err != nil {
			if errors.Is(err, errOptimizedOut) {
				out = append(out, &Variable{Name: name, Value: optimizedOut, Unavailable: true})
				continue
			}
			return out, err
		}
		out = append(out, c.newVariable(name, cv))
	}
	return out, nil
}

// numChildren counts a value's children without loading them.
func (c *Context) numChildren(v *value) int {
	switch classOf(v.typ) {
	case clsStruct, clsUnion:
		st, _ := structOf(v.typ)
		return len(st.Field)
	case clsGoSlice:
		_, n, _, err := c.goSlice(v)
		if err != nil {
			return 0
		}
		return int(n)
	case clsArray:
		return int(max(resolve(v.typ).(*godwarf.ArrayType).Count, 0))
	case clsGoMap:
		n, err := c.mapLen(v)
		if err != nil {
			return 0
		}
		return int(n)
	case clsGoIface:
		d, err := c.ifaceView(v)
		if err != nil || d == nil {
			return 0
		}
		return c.numChildren(d)
	case clsFunc:
		return len(c.closureVars(v))
	case clsPtr:
		switch classOf(resolve(v.typ).(*godwarf.PtrType).Type) {
		case clsVoid, clsFunc:
			return 0
		}
		s, err := c.scalarOf(v)
		if err != nil || s.bits == 0 {
			return 0
		}
		return 1
	}
	return 0
}

// child returns child i of a value and its name.
func (c *Context) child(v *value, i int) (string, *value, error) {
	switch classOf(v.typ) {
	case clsStruct, clsUnion:
		st := resolve(v.typ).(*godwarf.StructType)
		f := st.Field[i]
		name := f.Name
		if name == "" {
			name = "<anonymous>"
		}
		return name, c.fieldValue(v, st, i), nil
	case clsArray:
		e, err := c.element(v, int64(i), nil)
		return fmt.Sprintf("[%d]", i), e, err
	case clsGoSlice:
		e, err := c.goSliceElem(v, int64(i))
		return fmt.Sprintf("[%d]", i), e, err
	case clsPtr:
		d, err := c.deref(v, nil)
		return "*" + describe(v), d, err
	case clsFunc:
		vars := c.closureVars(v)
		if i >= len(vars) {
			return "", nil, fmt.Errorf("the closure has %d captured variables", len(vars))
		}
		return vars[i].name, vars[i].v, nil
	}
	return "", nil, fmt.Errorf("%s has no children", typeName(v.typ, c.lang))
}

// mapChildren pages through a map: one child per entry, named by its key.
func (c *Context) mapChildren(v *Variable, offset, count int) ([]*Variable, error) {
	var out []*Variable
	i := 0
	err := c.mapEntries(v.v, func(e mapEntry) bool {
		if i >= offset {
			name := c.summary(e.key, 1)
			e.val.expr = ""
			if k, ok := keyLiteral(c, e.key); ok && v.Expr != "" {
				e.val.expr = v.Expr + "[" + k + "]"
			}
			out = append(out, c.newVariable(name, e.val))
		}
		i++
		return count <= 0 || len(out) < count
	})
	return out, err
}

// keyLiteral writes a map key as an expression, for scalar and string
// keys.
func keyLiteral(c *Context, k *value) (string, bool) {
	switch classOf(k.typ) {
	case clsInt, clsUint, clsBool, clsGoString:
		return c.summary(k, 1), true
	}
	return "", false
}

// ifaceView is what an interface shows as its children: its dynamic
// value, or what that points to (a *T in an interface shows T's fields,
// as Delve does). nil for a nil interface. Selectors and indexes see
// through interfaces, so the children of a struct, array, slice or map
// view are named from the interface's own expression (`sh.W`).
func (c *Context) ifaceView(v *value) (*value, error) {
	d, err := c.ifaceDynamic(v)
	if err != nil || d == nil {
		return nil, err
	}
	if pt, ok := resolve(d.typ).(*godwarf.PtrType); ok {
		switch classOf(pt.Type) {
		case clsVoid, clsFunc:
		default:
			if s, err := c.scalarOf(d); err == nil && s.bits != 0 {
				d = memValue(pt.Type, s.bits)
			}
		}
	}
	d.expr = ""
	switch classOf(d.typ) {
	case clsStruct, clsArray, clsGoSlice, clsGoMap:
		d.expr = v.expr
	}
	return d, nil
}

// Printed is the value as a debugger's print shows it on its own, as gdb
// does in C: a pointer with its type in front, `(struct inner *)
// 0x7ffe3c10` (the summary alone says nothing of what it points to),
// except a pointer to characters, which shows its string. Go values, and
// values in a format letter other than s, are their summary.
func (v *Variable) Printed() string {
	if v.c == nil || v.v == nil || v.c.lang == expr.Go || v.Kind != KindPointer || v.c.numberLetter() != 0 {
		return v.Value
	}
	if pt, ok := resolve(v.v.typ).(*godwarf.PtrType); ok && isCharType(pt.Type) {
		return v.Value
	}
	return "(" + v.Type + ") " + v.Value
}

// Size is the size in bytes of the variable's type; 0 when it has none
// that memory could hold (a bitfield, a computed value without a type).
func (v *Variable) Size() int64 {
	if v.v == nil || v.v.typ == nil || v.v.bitSize != 0 {
		return 0
	}
	return sizeOf(v.v.typ)
}

// WithBytes is the variable as it is when data are its bytes: the same
// type, name and context, at no address. A watchpoint shows the value it
// saw before a write this way, after memory has changed. data must be
// Size bytes long.
func (v *Variable) WithBytes(data []byte) *Variable {
	if v.v == nil || v.c == nil {
		return v
	}
	val := immValue(v.v.typ, append([]byte(nil), data...))
	val.expr = v.v.expr
	return v.c.newVariable(v.Name, val)
}
