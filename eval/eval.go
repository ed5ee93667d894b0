package eval

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// The evaluator walks an expr AST, producing values. It never writes:
// only Exec's assignment does, after evaluating both sides here.

// posNode is a bare position, for errors about part of a node (the field
// name of a selector).
type posNode int

func (p posNode) Pos() int { return int(p) }

func (c *Context) eval(x expr.Expr) (*value, error) {
	if v, ok := c.consts[x]; ok {
		return v, nil
	}
	switch x := x.(type) {
	case *expr.Ident:
		return c.evalIdent(x)
	case *expr.Register:
		return c.register(x)
	case *expr.Unary:
		return c.evalUnary(x)
	case *expr.Binary:
		return c.binary(x)
	case *expr.Selector:
		return c.evalSelector(x)
	case *expr.Index:
		return c.evalIndex(x)
	case *expr.Slice:
		return c.evalSlice(x)
	case *expr.TypeAssert:
		return c.evalTypeAssert(x)
	case *expr.Call:
		return c.evalCall(x)
	case *expr.Cast:
		return c.evalCast(x)
	case *expr.NilLit:
		v := immValue(&godwarf.PtrType{CommonType: godwarf.CommonType{Name: "nil", ByteSize: 8}, Type: &godwarf.VoidType{}}, make([]byte, 8))
		v.untyped = true
		return v, nil
	case *expr.SizeofType:
		t, err := c.typeOf(x.Type)
		if err != nil {
			return nil, err
		}
		return c.intValue(fakeInt("unsigned long", 8, false), uint64(sizeOf(t))), nil
	}
	k, ok, err := expr.Fold(x, c.lang)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errAt(x, "cannot evaluate %s", expr.Format(x))
	}
	return c.fromConst(k, x)
}

// fromConst turns a folded constant into a value.
func (c *Context) fromConst(k expr.Const, at expr.Node) (*value, error) {
	untyped := len(k.Type) > 8 && k.Type[:8] == "untyped "
	switch k.Kind {
	case expr.ConstInt:
		tn := k.Type
		switch tn {
		case "untyped int":
			tn = "int"
		case "untyped rune":
			tn = "int32"
		}
		t := builtinType(tn, c.lang)
		if t == nil {
			t = fakeInt(tn, 8, true)
		}
		bits, ok := bigBits(k.Int)
		if !ok {
			return nil, errAt(at, "constant %s overflows 64 bits", k.Int)
		}
		v := c.intValue(t, bits)
		v.untyped = untyped
		return v, nil
	case expr.ConstFloat:
		t := builtinType(k.Type, c.lang)
		if t == nil || classOf(t) != clsFloat {
			t = fakeFloat(map[expr.Lang]string{expr.C: "double", expr.Go: "float64"}[c.lang], 8)
		}
		v := immValue(t, encodeScalar(t, scalar{cls: clsFloat, f: k.Float}))
		v.untyped = untyped
		return v, nil
	case expr.ConstBool:
		v := c.boolValue(k.Bool)
		v.untyped = untyped
		return v, nil
	case expr.ConstString:
		s := k.Str
		v := immValue(fakeString(), make([]byte, 16))
		v.str, v.untyped = &s, untyped
		return v, nil
	}
	return nil, errAt(at, "unsupported constant")
}

func bigBits(i *big.Int) (uint64, bool) {
	if i.IsInt64() {
		return uint64(i.Int64()), true
	}
	if i.IsUint64() {
		return i.Uint64(), true
	}
	return 0, false
}

func fakeString() godwarf.Type {
	return &godwarf.StringType{StructType: godwarf.StructType{CommonType: godwarf.CommonType{Name: "string", ByteSize: 16}, Kind: "struct"}}
}

// intValue makes an integer (or pointer) value of type t.
func (c *Context) intValue(t godwarf.Type, bits uint64) *value {
	return immValue(t, encodeScalar(t, scalar{bits: bits}))
}

// boolValue is a comparison's result: Go's bool, C's int.
func (c *Context) boolValue(b bool) *value {
	if c.lang == expr.Go {
		return c.intValue(fakeBool("bool"), b2u(b))
	}
	return c.intValue(fakeInt("int", 4, true), b2u(b))
}

func (c *Context) evalIdent(x *expr.Ident) (*value, error) {
	v, err := c.lookupName(x.Name)
	if err != nil {
		return nil, errAt(x, "%v", err)
	}
	if v == nil {
		return nil, errAt(x, "no variable named %q in this scope", x.Name)
	}
	return v, nil
}

// lookupName resolves a name: locals and arguments, then (Go) the
// frame's package, then globals and enumerators. nil if nothing has it.
func (c *Context) lookupName(name string) (*value, error) {
	if sv := c.lookupLocal(name); sv != nil {
		return c.varValue(sv)
	}
	if c.lang == expr.Go && c.pkg != "" {
		if g, ok := c.lookupGlobal(c.pkg + "." + name); ok {
			return c.globalValue(g, name)
		}
	}
	// The frame's own image (globals, then enumerators) before the
	// others: indexing a large library's DWARF is the slow part.
	if g, ok := c.lookupGlobalIn(c.ii, name); ok {
		return c.globalValue(g, name)
	}
	if v := c.enumerator(name); v != nil {
		return v, nil
	}
	if g, ok := c.lookupGlobal(name); ok {
		return c.globalValue(g, name)
	}
	return nil, nil
}

func (c *Context) evalUnary(x *expr.Unary) (*value, error) {
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case expr.Deref:
		if classOf(v.typ) == clsGoIface {
			return nil, errAt(x, "cannot dereference an interface")
		}
		return c.deref(v, x)
	case expr.Addr:
		if v.kind != lMem || v.bitSize > 0 {
			return nil, errAt(x, "cannot take the address of %s", describe(v))
		}
		r := c.intValue(fakePtr(v.typ, c.lang), v.addr)
		if v.expr != "" {
			r.expr = "(&" + v.expr + ")"
		}
		return r, nil
	case expr.Sizeof:
		return c.intValue(fakeInt("unsigned long", 8, false), uint64(sizeOf(v.typ))), nil
	}
	return c.unary(x, v)
}

func (c *Context) evalSelector(x *expr.Selector) (*value, error) {
	// main.x and "example.com/pkg".x name package-level variables.
	if id, ok := x.X.(*expr.Ident); ok && !x.Arrow && c.lookupLocal(id.Name) == nil {
		if g, ok := c.lookupGlobal(id.Name + "." + x.Name); ok {
			return c.globalValue(g, id.Name+"."+x.Name)
		}
		// shapes.Calls for example.com/x/shapes.Calls, as in Go source.
		if c.lang == expr.Go {
			g, full, err := c.lookupGlobalByPackageName(id.Name, x.Name)
			if err != nil {
				return nil, errAt(x, "%v", err)
			}
			if full != "" {
				return c.globalValue(g, full)
			}
		}
	}
	if s, ok := x.X.(*expr.StringLit); ok {
		if g, ok := c.lookupGlobal(s.Value + "." + x.Name); ok {
			return c.globalValue(g, s.Value+"."+x.Name)
		}
		return nil, errAt(x, "no package variable %s.%s", s.Value, x.Name)
	}
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	if x.Arrow && c.lang == expr.C && classOf(v.typ) != clsPtr {
		return nil, errAt(posNode(x.Dot), "%s is not a pointer (use . for a member)", expr.Format(x.X))
	}
	for i := 0; i < 4; i++ {
		switch classOf(v.typ) {
		case clsPtr:
			// p->f, and p.f on a pointer as Go (and gdb) allow.
			if v, err = c.deref(v, x.X); err != nil {
				return nil, err
			}
			continue
		case clsGoIface:
			if v, err = c.throughIface(v, x.X); err != nil {
				return nil, err
			}
			continue
		}
		break
	}
	if x.Arrow && c.lang == expr.C && classOf(v.typ) != clsStruct && classOf(v.typ) != clsUnion {
		return nil, errAt(x, "%s is not a pointer to a struct", expr.Format(x.X))
	}
	switch classOf(v.typ) {
	case clsStruct, clsUnion:
	default:
		return nil, errAt(posNode(x.NamePos), "%s (type %s) has no field %s", describe(v), typeName(v.typ, c.lang), x.Name)
	}
	if v.kind == lNone {
		return nil, c.valueErr(x.X, v, errOptimizedOut)
	}
	fv, ok := c.findField(v, x.Name, 0)
	if !ok {
		return nil, errAt(posNode(x.NamePos), "%s has no field %s", typeName(v.typ, c.lang), x.Name)
	}
	return c.throughRef(fv) // a C++ reference member is what it refers to
}

// throughIface is the dynamic value of interface v (the operand at), by
// the interface's own expression, for selectors and indexes that see
// through it; a nil interface is an error.
func (c *Context) throughIface(v *value, at expr.Node) (*value, error) {
	d, err := c.ifaceDynamic(v)
	if err != nil {
		return nil, c.valueErr(at, v, err)
	}
	if d == nil {
		return nil, errAt(at, "%s is a nil interface", describe(v))
	}
	d.expr = v.expr
	return d, nil
}

func (c *Context) evalIndex(x *expr.Index) (*value, error) {
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	if classOf(v.typ) == clsGoIface {
		// As selectors do, an index sees through an interface to its
		// dynamic value: the children of an interface are named so.
		if v, err = c.throughIface(v, x.X); err != nil {
			return nil, err
		}
	}
	if classOf(v.typ) == clsGoMap {
		return c.mapIndex(v, x)
	}
	iv, err := c.eval(x.Index)
	if err != nil {
		return nil, err
	}
	is, err := c.scalarOf(iv)
	if err != nil || !is.cls.isInteger() {
		return nil, errAt(x.Index, "index must be an integer")
	}
	i := int64(is.bits)
	if is.cls == clsUint && i < 0 {
		return nil, errAt(x.Index, "index %d out of range", is.bits)
	}
	switch classOf(v.typ) {
	case clsGoSlice:
		e, err := c.goSliceElem(v, i)
		if err != nil {
			return nil, errAt(x.Index, "%v", err)
		}
		return e, nil
	case clsGoString:
		if v.str != nil {
			if i < 0 || i >= int64(len(*v.str)) {
				return nil, errAt(x.Index, "index %d out of range [0:%d]", i, len(*v.str))
			}
			return c.intValue(fakeInt("uint8", 1, false), uint64((*v.str)[i])), nil
		}
		ptr, err := c.uintField(v, "str")
		if err != nil {
			return nil, c.valueErr(x.X, v, err)
		}
		n, err := c.uintField(v, "len")
		if err != nil {
			return nil, c.valueErr(x.X, v, err)
		}
		if i < 0 || uint64(i) >= n {
			return nil, errAt(x.Index, "index %d out of range [0:%d]", i, n)
		}
		return memValue(fakeInt("uint8", 1, false), ptr+uint64(i)), nil
	case clsPtr:
		if c.lang == expr.Go {
			// Go indexes a pointer to an array through the pointer.
			pt := resolve(v.typ).(*godwarf.PtrType)
			if classOf(pt.Type) == clsArray {
				if v, err = c.deref(v, x.X); err != nil {
					return nil, err
				}
				return c.element(v, i, x.Index)
			}
			return nil, errAt(x, "cannot index %s (type %s)", describe(v), typeName(v.typ, c.lang))
		}
	}
	if v.kind == lNone {
		return nil, c.valueErr(x.X, v, errOptimizedOut)
	}
	return c.element(v, i, x.Index)
}

// mapIndex looks a key up by walking the map and comparing keys.
func (c *Context) mapIndex(m *value, x *expr.Index) (*value, error) {
	kv, err := c.eval(x.Index)
	if err != nil {
		return nil, err
	}
	var found *value
	var cmpErr error
	err = c.mapEntries(m, func(e mapEntry) bool {
		eq, err := c.equal(e.key, kv, x.Index)
		if err != nil {
			cmpErr = err
			return false
		}
		if eq {
			found = e.val
			return false
		}
		return true
	})
	if err != nil {
		return nil, c.valueErr(x.X, m, err)
	}
	if cmpErr != nil {
		return nil, cmpErr
	}
	if found == nil {
		return nil, errAt(x.Index, "key %s not in map", expr.Format(x.Index))
	}
	found.expr = joinExpr(m.expr, "", "["+expr.Format(x.Index)+"]")
	return found, nil
}

func (c *Context) evalCall(x *expr.Call) (*value, error) {
	if len(x.Args) != 1 {
		return nil, errAt(x, "%s takes one argument", x.Fun)
	}
	v, err := c.eval(x.Args[0])
	if err != nil {
		return nil, err
	}
	resT := fakeInt("int", 8, true)
	if c.lang == expr.C {
		resT = fakeInt("unsigned long", 8, false)
	}
	if x.Fun == "unsafe.Sizeof" {
		return c.intValue(fakeInt("uintptr", 8, false), uint64(sizeOf(v.typ))), nil
	}
	var n int64
	switch cls := classOf(v.typ); {
	case v.str != nil && x.Fun == "len":
		n = int64(len(*v.str))
	case cls == clsArray:
		n = resolve(v.typ).(*godwarf.ArrayType).Count
	case cls == clsGoString && x.Fun == "len":
		_, n, err = c.goString(v, 0)
	case cls == clsGoSlice:
		var l, cp int64
		_, l, cp, err = c.goSlice(v)
		n = l
		if x.Fun == "cap" {
			n = cp
		}
	case cls == clsGoMap && x.Fun == "len":
		n, err = c.mapLen(v)
	case cls == clsGoChan:
		var l, cp int64
		l, cp, _, err = c.chanLenCap(v)
		n = l
		if x.Fun == "cap" {
			n = cp
		}
	default:
		return nil, errAt(x.Args[0], "invalid argument: %s (type %s) for %s", describe(v), typeName(v.typ, c.lang), x.Fun)
	}
	if err != nil {
		return nil, c.valueErr(x.Args[0], v, err)
	}
	return c.intValue(resT, uint64(n)), nil
}

// typeOf resolves a type written in a cast or sizeof.
func (c *Context) typeOf(t expr.Type) (godwarf.Type, error) {
	switch t := t.(type) {
	case *expr.NamedType:
		if bt := builtinType(t.Name, c.lang); bt != nil {
			return bt, nil
		}
		if c.ii != nil {
			for _, n := range []string{t.Name, c.pkg + "." + t.Name} {
				if refs := c.ii.index().types[n]; len(refs) > 0 {
					return c.ii.readType(refs[0].off)
				}
			}
		}
		if c.lang == expr.Go && t.Name == "string" {
			return fakeString(), nil
		}
		return nil, errAt(t, "no type named %q in the program", t.Name)
	case *expr.PointerType:
		e, err := c.typeOf(t.Elem)
		if err != nil {
			return nil, err
		}
		return fakePtr(e, c.lang), nil
	case *expr.ArrayType:
		e, err := c.typeOf(t.Elem)
		if err != nil {
			return nil, err
		}
		if t.Len > 1<<32 {
			return nil, errAt(t, "array too large")
		}
		n := int64(t.Len)
		return &godwarf.ArrayType{CommonType: godwarf.CommonType{ByteSize: n * sizeOf(e),
			Name: fmt.Sprintf("[%d]%s", n, typeName(e, c.lang))}, Type: e, Count: n}, nil
	case *expr.SliceType:
		e, err := c.typeOf(t.Elem)
		if err != nil {
			return nil, err
		}
		name := "[]" + typeName(e, c.lang)
		if c.ii != nil {
			if refs := c.ii.index().types[name]; len(refs) > 0 {
				return c.ii.readType(refs[0].off)
			}
		}
		return nil, errAt(t, "no type %s in the program", name)
	}
	return nil, errors.New("unknown type syntax")
}

func (c *Context) evalCast(x *expr.Cast) (*value, error) {
	t, err := c.typeOf(x.Type)
	if err != nil {
		return nil, err
	}
	v, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	return c.convert(v, t, x, true)
}
