package expr

import (
	"math"
	"math/big"
	"strings"
)

// cInt describes a C integer type on LP64 x86-64.
type cInt struct {
	bits   uint
	signed bool
	rank   int // conversion rank: _Bool < char < short < int < long < long long
}

var cInts = map[string]cInt{
	"_Bool": {1, false, 0},
	"char":  {8, true, 1}, "signed char": {8, true, 1}, "unsigned char": {8, false, 1},
	"short": {16, true, 2}, "unsigned short": {16, false, 2},
	"int": {32, true, 3}, "unsigned int": {32, false, 3},
	"long": {64, true, 4}, "unsigned long": {64, false, 4},
	"long long": {64, true, 5}, "unsigned long long": {64, false, 5},
}

// cFloats maps C floating types to their size in bytes.
var cFloats = map[string]int{"float": 4, "double": 8, "long double": 16}

// cAliases resolves the standard typedefs that builtinType accepts.
var cAliases = map[string]string{
	"bool": "_Bool", "int8_t": "signed char", "uint8_t": "unsigned char",
	"int16_t": "short", "uint16_t": "unsigned short", "int32_t": "int", "uint32_t": "unsigned int",
	"int64_t": "long", "uint64_t": "unsigned long", "intptr_t": "long", "uintptr_t": "unsigned long",
	"intmax_t": "long", "uintmax_t": "unsigned long", "size_t": "unsigned long", "ssize_t": "long",
	"ptrdiff_t": "long", "wchar_t": "int", "char16_t": "unsigned short", "char32_t": "unsigned int",
}

func cCanon(name string) string {
	if a, ok := cAliases[name]; ok {
		return a
	}
	return name
}

func (f *folder) cFold(x Expr) (Const, error) {
	switch x := x.(type) {
	case *IntLit:
		return cIntLit(x), nil
	case *FloatLit:
		t := "double"
		if x.Suffix == 'f' {
			t = "float"
		} else if x.Suffix == 'l' {
			t = "long double"
		}
		return Const{Kind: ConstFloat, Type: t, Float: x.Value}, nil
	case *CharLit:
		// A character constant is an int; a byte above 127 in it is a
		// negative plain (signed) char on x86-64, as GCC reads '\xff'.
		v := int64(x.Value)
		if v >= 128 && v < 256 {
			v -= 256
		}
		return intConst("int", big.NewInt(v)), nil
	case *StringLit:
		return Const{Kind: ConstString, Type: "char *", Str: x.Value}, nil
	case *BoolLit:
		// true and false are the ints 1 and 0 in C (<stdbool.h>).
		return intConst("int", big.NewInt(b2i(x.Value))), nil
	case *Unary:
		return f.cUnary(x)
	case *Binary:
		if x.Op == LAnd || x.Op == LOr {
			return f.foldLogical(x, f.cTruth, func(b bool) Const { return intConst("int", big.NewInt(b2i(b))) })
		}
		a, err := f.cFold(x.X)
		if err != nil {
			return Const{}, err
		}
		b, err := f.cFold(x.Y)
		if err != nil {
			return Const{}, err
		}
		return f.cBinary(x.Op, x.OpPos, a, b)
	case *Cast:
		c, err := f.cFold(x.X)
		if err != nil {
			return Const{}, err
		}
		nt, ok := x.Type.(*NamedType)
		if !ok {
			return Const{}, errNotConst
		}
		return f.cConvert(c, cCanon(nt.Name), x.Lparen)
	case *SizeofType:
		if nt, ok := x.Type.(*NamedType); ok {
			if n := cSizeof(cCanon(nt.Name)); n > 0 {
				return intConst("unsigned long", big.NewInt(n)), nil
			}
			return Const{}, errNotConst
		}
		if _, ok := x.Type.(*PointerType); ok {
			return intConst("unsigned long", big.NewInt(8)), nil
		}
	}
	return Const{}, errNotConst
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// cIntLit gives a literal C's type: the first of the candidate types for
// its base and suffix that holds the value (C11 6.4.4.1).
func cIntLit(x *IntLit) Const {
	decimal := !(len(x.Raw) > 1 && x.Raw[0] == '0' && strings.IndexByte("0123456789_xXbBoO", x.Raw[1]) >= 0)
	var cands []string
	switch {
	case x.Unsigned && x.Longs == 0:
		cands = []string{"unsigned int", "unsigned long", "unsigned long long"}
	case x.Unsigned && x.Longs == 1:
		cands = []string{"unsigned long", "unsigned long long"}
	case x.Unsigned:
		cands = []string{"unsigned long long"}
	case decimal && x.Longs == 0:
		cands = []string{"int", "long", "long long"}
	case decimal && x.Longs == 1:
		cands = []string{"long", "long long"}
	case decimal:
		cands = []string{"long long"}
	case x.Longs == 0:
		cands = []string{"int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long"}
	case x.Longs == 1:
		cands = []string{"long", "unsigned long", "long long", "unsigned long long"}
	default:
		cands = []string{"long long", "unsigned long long"}
	}
	v := new(big.Int).SetUint64(x.Value)
	for _, t := range cands {
		if ti := cInts[t]; fits(v, ti.bits, ti.signed) {
			return intConst(t, v)
		}
	}
	// A decimal too big for long long: GCC makes it unsigned, with a
	// warning. So do we.
	return intConst("unsigned long long", v)
}

func (f *folder) cTruth(c Const, pos int) (bool, error) {
	switch c.Kind {
	case ConstInt:
		return c.Int.Sign() != 0, nil
	case ConstFloat:
		return c.Float != 0, nil
	}
	return false, errNotConst // a string is a pointer: its truth needs an address
}

// cPromote applies the integer promotions: anything narrower than int
// becomes int, which holds all of its values.
func cPromote(c Const) Const {
	if t, ok := cInts[c.Type]; ok && t.rank < cInts["int"].rank {
		return intConst("int", c.Int)
	}
	return c
}

// cCommon is the type of the usual arithmetic conversions (C11 6.3.1.8).
func cCommon(a, b string) string {
	if _, ok := cFloats[a]; ok {
		if _, ok := cFloats[b]; ok && cFloats[b] > cFloats[a] {
			return b
		}
		return a
	}
	if _, ok := cFloats[b]; ok {
		return b
	}
	ta, tb := cInts[a], cInts[b]
	if ta.rank < cInts["int"].rank {
		a, ta = "int", cInts["int"]
	}
	if tb.rank < cInts["int"].rank {
		b, tb = "int", cInts["int"]
	}
	switch {
	case a == b:
		return a
	case ta.signed == tb.signed:
		if ta.rank >= tb.rank {
			return a
		}
		return b
	}
	u, s, tu, ts := a, b, ta, tb
	if ta.signed {
		u, s, tu, ts = b, a, tb, ta
	}
	switch {
	case tu.rank >= ts.rank:
		return u
	case ts.bits > tu.bits:
		return s
	}
	return "unsigned " + s
}

// cConvert converts c to type t as a C cast (or an implicit conversion)
// does. Types Fold does not model are left to the target.
func (f *folder) cConvert(c Const, t string, pos int) (Const, error) {
	if c.Kind != ConstInt && c.Kind != ConstFloat {
		return Const{}, errNotConst
	}
	if ti, ok := cInts[t]; ok {
		if c.Kind == ConstFloat {
			if t == "_Bool" {
				return intConst(t, big.NewInt(b2i(c.Float != 0))), nil
			}
			if math.IsNaN(c.Float) || math.IsInf(c.Float, 0) {
				return Const{}, f.errorf(pos, "%g is out of range for %s", c.Float, t)
			}
			// C truncates toward zero; a value that does not fit is
			// undefined behaviour, which a debugger should refuse.
			iv, _ := new(big.Float).SetFloat64(math.Trunc(c.Float)).Int(nil)
			if !fits(iv, ti.bits, ti.signed) {
				return Const{}, f.errorf(pos, "%g is out of range for %s", c.Float, t)
			}
			return intConst(t, iv), nil
		}
		if t == "_Bool" {
			return intConst(t, big.NewInt(b2i(c.Int.Sign() != 0))), nil
		}
		return intConst(t, wrap(c.Int, ti.bits, ti.signed)), nil
	}
	if _, ok := cFloats[t]; ok {
		v := c.Float
		if c.Kind == ConstInt {
			v = bigFloat(c.Int)
		}
		if t == "float" {
			v = float64(float32(v))
		}
		return Const{Kind: ConstFloat, Type: t, Float: v}, nil
	}
	return Const{}, errNotConst
}

func (f *folder) cUnary(x *Unary) (Const, error) {
	if x.Op == Deref || x.Op == Addr {
		return Const{}, errNotConst
	}
	c, err := f.cFold(x.X)
	if err != nil {
		return Const{}, err
	}
	switch x.Op {
	case Sizeof:
		if c.Kind == ConstString {
			return intConst("unsigned long", big.NewInt(int64(len(c.Str))+1)), nil
		}
		return intConst("unsigned long", big.NewInt(cSizeof(c.Type))), nil
	case Not:
		t, err := f.cTruth(c, x.Pos())
		return intConst("int", big.NewInt(b2i(!t))), err
	}
	if c.Kind == ConstString {
		return Const{}, errNotConst
	}
	if c.Kind == ConstFloat {
		switch x.Op {
		case Neg:
			c.Float = -c.Float
			return c, nil
		case Plus:
			return c, nil
		}
		return Const{}, f.errorf(x.OpPos, "invalid operand to unary %s (have %s)", x.Op, c.Type)
	}
	c = cPromote(c)
	ti := cInts[c.Type]
	switch x.Op {
	case Neg:
		return intConst(c.Type, wrap(new(big.Int).Neg(c.Int), ti.bits, ti.signed)), nil
	case Compl:
		return intConst(c.Type, wrap(new(big.Int).Not(c.Int), ti.bits, ti.signed)), nil
	}
	return c, nil // Plus
}

func (f *folder) cBinary(op Op, pos int, a, b Const) (Const, error) {
	if a.Kind == ConstString || b.Kind == ConstString {
		return Const{}, errNotConst // pointer arithmetic and comparison need addresses
	}
	if op == Shl || op == Shr {
		if a.Kind != ConstInt || b.Kind != ConstInt {
			return Const{}, f.errorf(pos, "invalid operands to %s (have %s and %s)", op, a.Type, b.Type)
		}
		a = cPromote(a)
		ti := cInts[a.Type]
		if b.Int.Sign() < 0 || b.Int.Cmp(big.NewInt(int64(ti.bits))) >= 0 {
			return Const{}, f.errorf(pos, "shift count %s is out of range for %s", b.Int, a.Type)
		}
		n := uint(b.Int.Uint64())
		if op == Shl {
			return intConst(a.Type, wrap(new(big.Int).Lsh(a.Int, n), ti.bits, ti.signed)), nil
		}
		return intConst(a.Type, new(big.Int).Rsh(a.Int, n)), nil // arithmetic for negative values
	}
	t := cCommon(a.Type, b.Type)
	a, err := f.cConvert(a, t, pos)
	if err != nil {
		return Const{}, err
	}
	if b, err = f.cConvert(b, t, pos); err != nil {
		return Const{}, err
	}
	if op.IsComparison() {
		var cmp int
		if a.Kind == ConstFloat {
			cmp = cmpFloat(a.Float, b.Float)
		} else {
			cmp = a.Int.Cmp(b.Int)
		}
		return intConst("int", big.NewInt(b2i(compare(op, cmp)))), nil
	}
	if a.Kind == ConstFloat {
		switch op {
		case Add, Sub, Mul, Quo:
			v := floatOp(op, a.Float, b.Float)
			if t == "float" {
				v = float64(float32(v))
			}
			return Const{Kind: ConstFloat, Type: t, Float: v}, nil
		}
		return Const{}, f.errorf(pos, "invalid operands to %s (have %s)", op, t)
	}
	if (op == Quo || op == Rem) && b.Int.Sign() == 0 {
		return Const{}, f.errorf(pos, "division by zero")
	}
	ti := cInts[t]
	return intConst(t, wrap(intOp(op, a.Int, b.Int), ti.bits, ti.signed)), nil
}

// cSizeof is sizeof(t) on LP64 x86-64, or 0 if Fold does not know t.
func cSizeof(t string) int64 {
	if ti, ok := cInts[t]; ok {
		if t == "_Bool" {
			return 1
		}
		return int64(ti.bits / 8)
	}
	if n, ok := cFloats[t]; ok {
		return int64(n)
	}
	if t == "void" {
		return 1 // GNU C
	}
	return 0
}
