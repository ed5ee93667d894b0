package eval

import (
	"cmp"
	"math"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Arithmetic and comparisons. C follows LP64 with the integer promotions
// and usual arithmetic conversions (and pointer arithmetic); Go requires
// identical operand types except for untyped constants, which take the
// other operand's type. Integer results wrap to their type's width, as
// the program's own arithmetic does.

func (c *Context) truth(v *value, at expr.Node) (bool, error) {
	if v.str != nil {
		return false, errAt(at, "a string is not a condition")
	}
	s, err := c.scalarOf(v)
	if err != nil {
		return false, c.valueErr(at, v, err)
	}
	if c.lang == expr.Go && s.cls != clsBool {
		return false, errAt(at, "non-boolean %s (type %s) used as a condition", describe(v), typeName(v.typ, c.lang))
	}
	if s.cls == clsFloat {
		return s.f != 0, nil
	}
	return s.bits != 0, nil
}

func (c *Context) unary(x *expr.Unary, v *value) (*value, error) {
	s, err := c.scalarOf(v)
	if err != nil {
		return nil, c.valueErr(x.X, v, err)
	}
	if x.Op == expr.Not {
		if c.lang == expr.Go && s.cls != clsBool {
			return nil, errAt(x, "operator ! not defined on %s (type %s)", describe(v), typeName(v.typ, c.lang))
		}
		t, err := c.truth(v, x.X)
		if err != nil {
			return nil, err
		}
		return c.boolValue(!t), nil
	}
	if s.cls == clsBool || s.cls == clsPtr {
		return nil, errAt(x, "operator %s not defined on %s (type %s)", x.Op, describe(v), typeName(v.typ, c.lang))
	}
	t := v.typ
	if c.lang == expr.C {
		t = cPromote(t)
		s = convertScalar(s, v.typ, t)
	}
	switch x.Op {
	case expr.Neg:
		s.bits, s.f = -s.bits, -s.f
	case expr.Compl:
		if s.cls == clsFloat {
			return nil, errAt(x, "operator ~ not defined on floating point values")
		}
		s.bits = ^s.bits
	}
	r := immValue(t, encodeScalar(t, s))
	r.untyped = v.untyped
	return r, nil
}

// cPromote applies C's integer promotions.
func cPromote(t godwarf.Type) godwarf.Type {
	switch cls := classOf(t); cls {
	case clsInt, clsUint, clsBool, clsEnum:
		if sizeOf(t) < 4 || cls == clsBool {
			return fakeInt("int", 4, true)
		}
		if cls == clsEnum {
			if isSigned(t) {
				return fakeInt("int", 4, true)
			}
			return fakeInt("unsigned int", 4, false)
		}
	}
	return t
}

// cCommon is C's usual arithmetic conversion.
func cCommon(a, b godwarf.Type) godwarf.Type {
	a, b = cPromote(a), cPromote(b)
	ca, cb := classOf(a), classOf(b)
	if ca == clsFloat || cb == clsFloat {
		if (ca != clsFloat || sizeOf(a) == 4) && (cb != clsFloat || sizeOf(b) == 4) {
			return fakeFloat("float", 4)
		}
		return fakeFloat("double", 8)
	}
	sa, sb := sizeOf(a), sizeOf(b)
	size := max(sa, sb, 4)
	unsigned := (!isSigned(a) && sa == size) || (!isSigned(b) && sb == size)
	switch {
	case size <= 4 && unsigned:
		return fakeInt("unsigned int", 4, false)
	case size <= 4:
		return fakeInt("int", 4, true)
	case unsigned:
		return fakeInt("unsigned long", 8, false)
	}
	return fakeInt("long", 8, true)
}

// goCommon is the type both operands of a Go binary operation get.
func (c *Context) goCommon(a, b *value, at expr.Node) (godwarf.Type, error) {
	switch {
	case a.untyped && !b.untyped:
		return b.typ, nil
	case b.untyped && !a.untyped:
		return a.typ, nil
	case a.untyped && b.untyped:
		if classOf(a.typ) == clsFloat {
			return a.typ, nil
		}
		return b.typ, nil
	}
	na, nb := typeName(a.typ, c.lang), typeName(b.typ, c.lang)
	if na != nb {
		return nil, errAt(at, "mismatched types %s and %s", na, nb)
	}
	return a.typ, nil
}

// checkFits refuses a Go untyped constant that the type it is given
// cannot represent (uint8(n) + 300), as the compiler would.
func (c *Context) checkFits(v *value, s scalar, t godwarf.Type, at expr.Node) error {
	if !v.untyped || !classOf(t).isInteger() {
		return nil
	}
	if s.cls == clsFloat {
		if s.f != math.Trunc(s.f) {
			return errAt(at, "constant %g truncated to integer", s.f)
		}
		return nil
	}
	back := convertScalar(convertScalar(s, v.typ, t), t, v.typ)
	if back.bits != s.bits || (isSigned(t) != isSigned(v.typ) && int64(s.bits) < 0) {
		return errAt(at, "constant %d overflows %s", int64(s.bits), typeName(t, c.lang))
	}
	return nil
}

// convertScalar changes a scalar's representation from type from to to.
func convertScalar(s scalar, from, to godwarf.Type) scalar {
	tc := classOf(to)
	switch {
	case tc == clsFloat:
		if s.cls != clsFloat {
			if s.cls == clsInt || (s.cls == clsEnum && isSigned(from)) {
				s.f = float64(int64(s.bits))
			} else {
				s.f = float64(s.bits)
			}
		}
		if sizeOf(to) == 4 {
			s.f = float64(float32(s.f))
		}
	case s.cls == clsFloat:
		if tc == clsInt || tc == clsEnum {
			s.bits = uint64(int64(s.f))
		} else if s.f >= 1<<63 {
			s.bits = uint64(s.f)
		} else {
			s.bits = uint64(int64(s.f))
		}
	}
	if tc == clsBool && s.cls != clsBool {
		s.bits = b2u(s.bits != 0 || s.f != 0)
	}
	if tc != clsFloat {
		if n := sizeOf(to); n < 8 && n > 0 {
			s.bits &= 1<<(8*uint(n)) - 1
			if isSigned(to) {
				s.bits = signExtend(s.bits, 8*int(n))
			}
		}
	}
	s.cls = tc
	return s
}

func (c *Context) binary(x *expr.Binary) (*value, error) {
	if x.Op == expr.LAnd || x.Op == expr.LOr {
		a, err := c.eval(x.X)
		if err != nil {
			return nil, err
		}
		ta, err := c.truth(a, x.X)
		if err != nil {
			return nil, err
		}
		if (x.Op == expr.LAnd) != ta {
			return c.boolValue(ta), nil
		}
		b, err := c.eval(x.Y)
		if err != nil {
			return nil, err
		}
		tb, err := c.truth(b, x.Y)
		if err != nil {
			return nil, err
		}
		return c.boolValue(tb), nil
	}
	a, err := c.eval(x.X)
	if err != nil {
		return nil, err
	}
	b, err := c.eval(x.Y)
	if err != nil {
		return nil, err
	}
	return c.binaryValues(x, a, b)
}

func (c *Context) binaryValues(x *expr.Binary, a, b *value) (*value, error) {
	if x.Op.IsComparison() {
		r, err := c.compare(x.Op, a, b, x)
		if err != nil {
			return nil, err
		}
		return c.boolValue(r), nil
	}
	ca, cb := classOf(a.typ), classOf(b.typ)
	if a.str != nil || b.str != nil || ca == clsGoString || cb == clsGoString {
		return nil, errAt(x, "operator %s not supported on strings", x.Op)
	}
	if c.lang == expr.C && (ca == clsPtr || cb == clsPtr || ca == clsArray) && (x.Op == expr.Add || x.Op == expr.Sub) {
		return c.pointerArith(x, a, b)
	}
	sa, err := c.scalarOf(a)
	if err != nil {
		return nil, c.valueErr(x.X, a, err)
	}
	sb, err := c.scalarOf(b)
	if err != nil {
		return nil, c.valueErr(x.Y, b, err)
	}
	if sa.cls == clsPtr || sb.cls == clsPtr || sa.cls == clsBool || sb.cls == clsBool {
		return nil, errAt(x, "operator %s not defined on %s and %s", x.Op, typeName(a.typ, c.lang), typeName(b.typ, c.lang))
	}
	var t godwarf.Type
	shift := x.Op == expr.Shl || x.Op == expr.Shr
	switch {
	case shift && c.lang == expr.C:
		t = cPromote(a.typ)
	case shift:
		t = a.typ
		if a.untyped {
			t = fakeInt("int", 8, true)
		}
	case c.lang == expr.C:
		t = cCommon(a.typ, b.typ)
	default:
		if t, err = c.goCommon(a, b, x); err != nil {
			return nil, err
		}
	}
	if c.lang == expr.Go {
		if err := c.checkFits(a, sa, t, x.X); err != nil {
			return nil, err
		}
		if err := c.checkFits(b, sb, t, x.Y); err != nil && !shift {
			return nil, err
		}
	}
	sa = convertScalar(sa, a.typ, t)
	if !shift {
		sb = convertScalar(sb, b.typ, t)
	}
	r, err := c.arith(x, t, sa, sb)
	if err != nil {
		return nil, err
	}
	v := immValue(t, encodeScalar(t, convertScalar(r, t, t)))
	v.untyped = a.untyped && b.untyped
	return v, nil
}

// arith computes a op b in type t.
func (c *Context) arith(x *expr.Binary, t godwarf.Type, a, b scalar) (scalar, error) {
	if a.cls == clsFloat {
		var f float64
		switch x.Op {
		case expr.Add:
			f = a.f + b.f
		case expr.Sub:
			f = a.f - b.f
		case expr.Mul:
			f = a.f * b.f
		case expr.Quo:
			f = a.f / b.f
		default:
			return scalar{}, errAt(x, "operator %s not defined on floating point values", x.Op)
		}
		return scalar{cls: clsFloat, f: f}, nil
	}
	signed := isSigned(t)
	r := a
	switch x.Op {
	case expr.Add:
		r.bits = a.bits + b.bits
	case expr.Sub:
		r.bits = a.bits - b.bits
	case expr.Mul:
		r.bits = a.bits * b.bits
	case expr.Quo, expr.Rem:
		if b.bits == 0 {
			return scalar{}, errAt(x.Y, "division by zero")
		}
		switch {
		case signed && int64(b.bits) == -1:
			// MinInt / -1 overflows; the result wraps, the remainder is 0.
			if x.Op == expr.Quo {
				r.bits = -a.bits
			} else {
				r.bits = 0
			}
		case signed && x.Op == expr.Quo:
			r.bits = uint64(int64(a.bits) / int64(b.bits))
		case signed:
			r.bits = uint64(int64(a.bits) % int64(b.bits))
		case x.Op == expr.Quo:
			r.bits = a.bits / b.bits
		default:
			r.bits = a.bits % b.bits
		}
	case expr.Shl, expr.Shr:
		n := b.bits
		if (b.cls == clsInt && int64(n) < 0) || n > 1<<20 {
			return scalar{}, errAt(x.Y, "invalid shift count %d", int64(n))
		}
		if n >= 64 {
			n = 64
		}
		switch {
		case x.Op == expr.Shl && n == 64:
			r.bits = 0
		case x.Op == expr.Shl:
			r.bits = a.bits << n
		case signed:
			r.bits = uint64(int64(a.bits) >> min(n, 63))
		case n == 64:
			r.bits = 0
		default:
			r.bits = a.bits >> n
		}
	case expr.And:
		r.bits = a.bits & b.bits
	case expr.AndNot:
		r.bits = a.bits &^ b.bits
	case expr.Or:
		r.bits = a.bits | b.bits
	case expr.Xor:
		r.bits = a.bits ^ b.bits
	default:
		return scalar{}, errAt(x, "operator %s not supported", x.Op)
	}
	return r, nil
}

// pointerArith handles C's p + n, n + p, p - n and p - q.
func (c *Context) pointerArith(x *expr.Binary, a, b *value) (*value, error) {
	if classOf(a.typ) == clsArray {
		if a.kind != lMem {
			return nil, errAt(x.X, "array %s is not in memory", describe(a))
		}
		a = c.intValue(fakePtr(resolve(a.typ).(*godwarf.ArrayType).Type, c.lang), a.addr)
	}
	if classOf(b.typ) == clsPtr && classOf(a.typ) != clsPtr {
		if x.Op == expr.Sub {
			return nil, errAt(x, "cannot subtract a pointer from an integer")
		}
		a, b = b, a
	}
	sa, err := c.scalarOf(a)
	if err != nil {
		return nil, c.valueErr(x.X, a, err)
	}
	sb, err := c.scalarOf(b)
	if err != nil {
		return nil, c.valueErr(x.Y, b, err)
	}
	elem := resolve(a.typ).(*godwarf.PtrType).Type
	es := uint64(sizeOf(elem))
	if classOf(elem) == clsVoid || es == 0 {
		es = 1 // gcc's extension: void* arithmetic counts bytes
	}
	if classOf(b.typ) == clsPtr {
		if x.Op != expr.Sub {
			return nil, errAt(x, "cannot add two pointers")
		}
		return c.intValue(fakeInt("long", 8, true), uint64(int64(sa.bits-sb.bits)/int64(es))), nil
	}
	if !sb.cls.isInteger() {
		return nil, errAt(x.Y, "pointer offset must be an integer")
	}
	d := sb.bits * es
	if x.Op == expr.Sub {
		d = -d
	}
	return c.intValue(a.typ, sa.bits+d), nil
}

// compare evaluates a comparison.
func (c *Context) compare(op expr.Op, a, b *value, at expr.Node) (bool, error) {
	if a.str != nil || b.str != nil || classOf(a.typ) == clsGoString || classOf(b.typ) == clsGoString {
		sa, err := c.stringOf(a, at)
		if err != nil {
			return false, err
		}
		sb, err := c.stringOf(b, at)
		if err != nil {
			return false, err
		}
		return cmpResult(op, strings.Compare(sa, sb)), nil
	}
	if isNil(a) || isNil(b) {
		return c.compareNil(op, a, b, at)
	}
	sa, err := c.scalarOf(a)
	if err != nil {
		return false, c.valueErr(at, a, err)
	}
	sb, err := c.scalarOf(b)
	if err != nil {
		return false, c.valueErr(at, b, err)
	}
	if sa.cls == clsPtr || sb.cls == clsPtr {
		return cmpResult(op, cmp.Compare(sa.bits, sb.bits)), nil
	}
	if sa.cls == clsBool || sb.cls == clsBool {
		if sa.cls != sb.cls && c.lang == expr.Go {
			return false, errAt(at, "mismatched types %s and %s", typeName(a.typ, c.lang), typeName(b.typ, c.lang))
		}
		if op != expr.Eq && op != expr.Ne {
			return false, errAt(at, "operator %s not defined on bool", op)
		}
		return cmpResult(op, cmp.Compare(b2u(sa.bits != 0), b2u(sb.bits != 0))), nil
	}
	var t godwarf.Type
	if c.lang == expr.C {
		t = cCommon(a.typ, b.typ)
	} else if t, err = c.goCommon(a, b, at); err != nil {
		return false, err
	}
	if c.lang == expr.Go {
		if err := c.checkFits(a, sa, t, at); err != nil {
			return false, err
		}
		if err := c.checkFits(b, sb, t, at); err != nil {
			return false, err
		}
	}
	sa, sb = convertScalar(sa, a.typ, t), convertScalar(sb, b.typ, t)
	switch {
	case sa.cls == clsFloat:
		if math.IsNaN(sa.f) || math.IsNaN(sb.f) {
			return op == expr.Ne, nil
		}
		switch {
		case sa.f < sb.f:
			return cmpResult(op, -1), nil
		case sa.f > sb.f:
			return cmpResult(op, 1), nil
		}
		return cmpResult(op, 0), nil
	case isSigned(t):
		return cmpResult(op, cmp.Compare(int64(sa.bits), int64(sb.bits))), nil
	}
	return cmpResult(op, cmp.Compare(sa.bits, sb.bits)), nil
}

func isNil(v *value) bool { return v.untyped && v.typ.Common().Name == "nil" }

// compareNil compares a Go reference (or a C pointer) with nil.
func (c *Context) compareNil(op expr.Op, a, b *value, at expr.Node) (bool, error) {
	if op != expr.Eq && op != expr.Ne {
		return false, errAt(at, "operator %s not defined on nil", op)
	}
	v := a
	if isNil(a) {
		v = b
	}
	if isNil(v) {
		return op == expr.Eq, nil
	}
	var word uint64
	var err error
	switch classOf(v.typ) {
	case clsGoSlice:
		word, err = c.uintField(v, "array")
	case clsGoIface:
		var d *value
		d, err = c.ifaceDynamic(v)
		if d != nil {
			word = 1
		}
	case clsPtr, clsGoMap, clsGoChan, clsFunc:
		var s scalar
		s, err = c.scalarOf(&value{typ: fakeInt("uintptr", 8, false), kind: v.kind, addr: v.addr, buf: v.buf, lost: v.lost, reg: -1})
		word = s.bits
	default:
		return false, errAt(at, "cannot compare %s (type %s) with nil", describe(v), typeName(v.typ, c.lang))
	}
	if err != nil {
		return false, c.valueErr(at, v, err)
	}
	return (word == 0) == (op == expr.Eq), nil
}

// stringOf reads a Go string or string constant (up to 1 MiB).
func (c *Context) stringOf(v *value, at expr.Node) (string, error) {
	if v.str != nil {
		return *v.str, nil
	}
	if classOf(v.typ) != clsGoString {
		return "", errAt(at, "cannot compare %s (type %s) with a string", describe(v), typeName(v.typ, c.lang))
	}
	s, _, err := c.goString(v, 1<<20)
	if err != nil {
		return "", c.valueErr(at, v, err)
	}
	return s, nil
}

// equal compares two values for map lookups.
func (c *Context) equal(a, b *value, at expr.Node) (bool, error) {
	return c.compare(expr.Eq, a, b, at)
}

func cmpResult(op expr.Op, r int) bool {
	switch op {
	case expr.Lt:
		return r < 0
	case expr.Le:
		return r <= 0
	case expr.Gt:
		return r > 0
	case expr.Ge:
		return r >= 0
	case expr.Eq:
		return r == 0
	}
	return r != 0
}

// convert converts v to type t: a cast (explicit) or an assignment.
func (c *Context) convert(v *value, t godwarf.Type, at expr.Node, explicit bool) (*value, error) {
	tc, vc := classOf(t), classOf(v.typ)
	if isNil(v) {
		switch tc {
		case clsPtr, clsGoMap, clsGoChan, clsFunc:
			return immValue(t, make([]byte, 8)), nil
		case clsGoSlice, clsGoIface:
			return immValue(t, make([]byte, sizeOf(t))), nil
		}
		return nil, errAt(at, "cannot convert nil to %s", typeName(t, c.lang))
	}
	if v.str != nil {
		return nil, errAt(at, "cannot convert a string constant to %s", typeName(t, c.lang))
	}
	if (tc.isScalar() || tc == clsFunc) && (vc.isScalar() || vc == clsFunc) {
		if c.lang == expr.Go && !explicit && !v.untyped && typeName(t, c.lang) != typeName(v.typ, c.lang) {
			return nil, errAt(at, "cannot use %s (type %s) as type %s", describe(v), typeName(v.typ, c.lang), typeName(t, c.lang))
		}
		if (tc == clsPtr) != (vc == clsPtr) && !explicit && c.lang == expr.Go {
			return nil, errAt(at, "cannot use %s as a pointer", describe(v))
		}
		s, err := c.scalarOf(v)
		if err != nil {
			return nil, c.valueErr(at, v, err)
		}
		if c.lang == expr.Go && v.untyped && s.cls == clsFloat && tc != clsFloat && s.f != math.Trunc(s.f) {
			return nil, errAt(at, "constant %g truncated to integer", s.f)
		}
		if s.cls == clsFloat && tc == clsPtr {
			return nil, errAt(at, "cannot convert a floating point value to a pointer")
		}
		r := immValue(t, encodeScalar(t, convertScalar(s, v.typ, t)))
		r.expr = ""
		return r, nil
	}
	if tc == vc && sizeOf(t) == sizeOf(v.typ) {
		// Same shape: a reinterpretation (struct to identical struct, a Go
		// named type to its underlying type).
		if c.lang == expr.Go && !explicit && typeName(t, c.lang) != typeName(v.typ, c.lang) {
			return nil, errAt(at, "cannot use %s (type %s) as type %s", describe(v), typeName(v.typ, c.lang), typeName(t, c.lang))
		}
		r := *v
		r.typ = t
		r.untyped = false
		return &r, nil
	}
	return nil, errAt(at, "cannot convert %s (type %s) to %s", describe(v), typeName(v.typ, c.lang), typeName(t, c.lang))
}
