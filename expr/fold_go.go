package expr

import (
	"math"
	"math/big"
	"strings"
	"unicode/utf8"
)

// goInt describes a Go integer type on amd64.
type goInt struct {
	bits   uint
	signed bool
}

var goInts = map[string]goInt{
	"int": {64, true}, "int8": {8, true}, "int16": {16, true}, "int32": {32, true}, "int64": {64, true},
	"uint": {64, false}, "uint8": {8, false}, "uint16": {16, false}, "uint32": {32, false},
	"uint64": {64, false}, "uintptr": {64, false}, "byte": {8, false}, "rune": {32, true},
}

// maxUntypedBits bounds untyped integer constants, as gc does, so that
// `1 << 1000000` is an error rather than a megabyte of digits.
const maxUntypedBits = 512

// untypedRank orders Go's untyped numeric kinds: an operation on two
// takes the later one.
var untypedRank = map[string]int{"untyped int": 1, "untyped rune": 2, "untyped float": 3}

func isUntyped(t string) bool { return len(t) > 8 && t[:8] == "untyped " }

func (f *folder) goFold(x Expr) (Const, error) {
	switch x := x.(type) {
	case *IntLit:
		return intConst("untyped int", new(big.Int).SetUint64(x.Value)), nil
	case *FloatLit:
		return Const{Kind: ConstFloat, Type: "untyped float", Float: x.Value}, nil
	case *CharLit:
		return intConst("untyped rune", big.NewInt(int64(x.Value))), nil
	case *StringLit:
		return Const{Kind: ConstString, Type: "untyped string", Str: x.Value}, nil
	case *BoolLit:
		return Const{Kind: ConstBool, Type: "untyped bool", Bool: x.Value}, nil
	case *Unary:
		return f.goUnary(x)
	case *Binary:
		if x.Op == LAnd || x.Op == LOr {
			truth := func(c Const, pos int) (bool, error) {
				if c.Kind != ConstBool {
					return false, f.errorf(pos, "operator %s not defined on %s", x.Op, c.Type)
				}
				return c.Bool, nil
			}
			return f.foldLogical(x, truth, func(b bool) Const { return Const{Kind: ConstBool, Type: "untyped bool", Bool: b} })
		}
		a, err := f.goFold(x.X)
		if err != nil {
			return Const{}, err
		}
		b, err := f.goFold(x.Y)
		if err != nil {
			return Const{}, err
		}
		return f.goBinary(x.Op, x.OpPos, a, b)
	case *Cast:
		c, err := f.goFold(x.X)
		if err != nil {
			return Const{}, err
		}
		nt, ok := x.Type.(*NamedType)
		if !ok {
			return Const{}, errNotConst
		}
		return f.goConvert(c, nt.Name, x.Lparen, true)
	case *Call:
		if x.Fun == "len" {
			c, err := f.goFold(x.Args[0])
			if err != nil {
				return Const{}, err
			}
			if c.Kind == ConstString {
				return intConst("int", big.NewInt(int64(len(c.Str)))), nil
			}
		}
	}
	return Const{}, errNotConst
}

// goCheck enforces that a typed integer constant fits its type and an
// untyped one stays within maxUntypedBits.
func (f *folder) goCheck(c Const, pos int) (Const, error) {
	switch {
	case c.Kind == ConstInt && isUntyped(c.Type):
		if c.Int.BitLen() > maxUntypedBits {
			return Const{}, f.errorf(pos, "constant overflow")
		}
	case c.Kind == ConstInt:
		if ti := goInts[c.Type]; !fits(c.Int, ti.bits, ti.signed) {
			return Const{}, f.errorf(pos, "constant %s overflows %s", c.Int, c.Type)
		}
	case c.Kind == ConstFloat:
		if math.IsInf(c.Float, 0) || math.IsNaN(c.Float) {
			return Const{}, f.errorf(pos, "constant overflow")
		}
		if c.Type == "float32" && math.Abs(c.Float) > math.MaxFloat32 {
			return Const{}, f.errorf(pos, "constant %g overflows float32", c.Float)
		}
	}
	return c, nil
}

// goConvert converts c to t: an explicit conversion T(x), or (explicit
// false) the implicit conversion of an untyped operand to the other
// operand's type, which may not truncate a float.
func (f *folder) goConvert(c Const, t string, pos int, explicit bool) (Const, error) {
	switch {
	case t == c.Type:
		return c, nil
	case t == "string" || t == "untyped string":
		if c.Kind == ConstString {
			return Const{Kind: ConstString, Type: t, Str: c.Str}, nil
		}
		if c.Kind == ConstInt && explicit && t == "string" {
			// string(65) is "A"; out-of-range values give U+FFFD.
			r := rune(utf8.RuneError)
			if c.Int.IsInt64() && c.Int.Int64() <= utf8.MaxRune && c.Int.Int64() >= 0 {
				r = rune(c.Int.Int64())
			}
			return Const{Kind: ConstString, Type: t, Str: string(r)}, nil
		}
	case t == "bool" || t == "untyped bool":
		if c.Kind == ConstBool {
			return Const{Kind: ConstBool, Type: t, Bool: c.Bool}, nil
		}
	case goInts[t].bits > 0 || t == "untyped int" || t == "untyped rune":
		switch c.Kind {
		case ConstInt:
			return f.goCheck(intConst(t, c.Int), pos)
		case ConstFloat:
			if c.Float != math.Trunc(c.Float) || math.IsInf(c.Float, 0) {
				return Const{}, f.errorf(pos, "constant %g truncated to integer", c.Float)
			}
			v, _ := new(big.Float).SetFloat64(c.Float).Int(nil)
			return f.goCheck(intConst(t, v), pos)
		}
	case t == "float32" || t == "float64" || t == "untyped float":
		v := c.Float
		switch c.Kind {
		case ConstInt:
			v = bigFloat(c.Int)
		case ConstFloat:
		default:
			return Const{}, f.errorf(pos, "cannot convert %s to %s", c.Type, t)
		}
		if t == "float32" && math.Abs(v) <= math.MaxFloat32 {
			v = float64(float32(v))
		}
		return f.goCheck(Const{Kind: ConstFloat, Type: t, Float: v}, pos)
	default:
		return Const{}, errNotConst // a program type: the target knows it
	}
	return Const{}, f.errorf(pos, "cannot convert %s (%s constant) to %s", c, c.Type, t)
}

func (f *folder) goUnary(x *Unary) (Const, error) {
	if x.Op == Deref || x.Op == Addr || x.Op == Sizeof {
		return Const{}, errNotConst
	}
	c, err := f.goFold(x.X)
	if err != nil {
		return Const{}, err
	}
	bad := func() (Const, error) {
		return Const{}, f.errorf(x.OpPos, "operator %s not defined on %s (%s constant)", x.Op, c, c.Type)
	}
	switch x.Op {
	case Not:
		if c.Kind != ConstBool {
			return bad()
		}
		c.Bool = !c.Bool
		return c, nil
	case Plus:
		if c.Kind != ConstInt && c.Kind != ConstFloat {
			return bad()
		}
		return c, nil
	case Neg:
		switch c.Kind {
		case ConstInt:
			if ti, ok := goInts[c.Type]; ok && !ti.signed && c.Int.Sign() != 0 {
				return Const{}, f.errorf(x.OpPos, "constant -%s overflows %s", c.Int, c.Type)
			}
			return f.goCheck(intConst(c.Type, new(big.Int).Neg(c.Int)), x.OpPos)
		case ConstFloat:
			c.Float = -c.Float
			return c, nil
		}
		return bad()
	case Compl:
		if c.Kind != ConstInt {
			return bad()
		}
		if ti, ok := goInts[c.Type]; ok && !ti.signed {
			// ^x on an unsigned constant flips only its own bits.
			mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), ti.bits), big.NewInt(1))
			return intConst(c.Type, new(big.Int).Xor(c.Int, mask)), nil
		}
		return intConst(c.Type, new(big.Int).Not(c.Int)), nil
	}
	return bad()
}

// goOperands brings two operands to one type: untyped ones take the other
// operand's type, or the later untyped kind; two typed ones must agree.
func (f *folder) goOperands(op Op, pos int, a, b Const) (Const, Const, error) {
	ua, ub := isUntyped(a.Type), isUntyped(b.Type)
	t := a.Type
	switch {
	case ua && ub && untypedRank[a.Type] > 0 && untypedRank[b.Type] > 0:
		if untypedRank[b.Type] > untypedRank[a.Type] {
			t = b.Type
		}
	case ua && ub:
		if a.Type != b.Type {
			return a, b, f.errorf(pos, "invalid operation: mismatched types %s and %s", a.Type, b.Type)
		}
	case ua:
		t = b.Type
	case !ub && a.Type != b.Type:
		return a, b, f.errorf(pos, "invalid operation: mismatched types %s and %s", a.Type, b.Type)
	}
	var err error
	if a, err = f.goConvert(a, t, pos, false); err != nil {
		return a, b, err
	}
	b, err = f.goConvert(b, t, pos, false)
	return a, b, err
}

func (f *folder) goBinary(op Op, pos int, a, b Const) (Const, error) {
	if op == Shl || op == Shr {
		return f.goShift(op, pos, a, b)
	}
	a, b, err := f.goOperands(op, pos, a, b)
	if err != nil {
		return Const{}, err
	}
	bad := func() (Const, error) {
		return Const{}, f.errorf(pos, "operator %s not defined on %s", op, a.Type)
	}
	if op.IsComparison() {
		var cmp int
		switch a.Kind {
		case ConstInt:
			cmp = a.Int.Cmp(b.Int)
		case ConstFloat:
			cmp = cmpFloat(a.Float, b.Float)
		case ConstString:
			cmp = strings.Compare(a.Str, b.Str)
		case ConstBool:
			if op != Eq && op != Ne {
				return bad()
			}
			cmp = int(b2i(a.Bool) - b2i(b.Bool))
		}
		return Const{Kind: ConstBool, Type: "untyped bool", Bool: compare(op, cmp)}, nil
	}
	switch a.Kind {
	case ConstString:
		if op != Add {
			return bad()
		}
		return Const{Kind: ConstString, Type: a.Type, Str: a.Str + b.Str}, nil
	case ConstFloat:
		switch op {
		case Add, Sub, Mul, Quo:
			if op == Quo && b.Float == 0 {
				return Const{}, f.errorf(pos, "division by zero")
			}
			v := floatOp(op, a.Float, b.Float)
			if a.Type == "float32" && math.Abs(v) <= math.MaxFloat32 {
				v = float64(float32(v))
			}
			return f.goCheck(Const{Kind: ConstFloat, Type: a.Type, Float: v}, pos)
		}
		return bad()
	case ConstInt:
		if (op == Quo || op == Rem) && b.Int.Sign() == 0 {
			return Const{}, f.errorf(pos, "division by zero")
		}
		if op == LAnd || op == LOr {
			return bad()
		}
		return f.goCheck(intConst(a.Type, intOp(op, a.Int, b.Int)), pos)
	}
	return bad()
}

// goShift folds x << n and x >> n: n must be a non-negative integer, and
// an untyped x gives an untyped integer.
func (f *folder) goShift(op Op, pos int, a, b Const) (Const, error) {
	n, err := f.goConvert(b, "untyped int", pos, false)
	if b.Kind == ConstInt && !isUntyped(b.Type) {
		n, err = b, nil
	}
	if err != nil || n.Kind != ConstInt {
		return Const{}, f.errorf(pos, "invalid shift count %s", b)
	}
	if n.Int.Sign() < 0 {
		return Const{}, f.errorf(pos, "invalid shift count %s: must not be negative", n.Int)
	}
	if a.Kind == ConstFloat && isUntyped(a.Type) {
		if a, err = f.goConvert(a, "untyped int", pos, false); err != nil {
			return Const{}, err
		}
	}
	if a.Kind != ConstInt {
		return Const{}, f.errorf(pos, "invalid operation: shift of %s (%s constant)", a, a.Type)
	}
	if op == Shr {
		if !n.Int.IsUint64() || n.Int.Uint64() > maxUntypedBits {
			return intConst(a.Type, big.NewInt(int64(min(a.Int.Sign(), 0)))), nil
		}
		return intConst(a.Type, new(big.Int).Rsh(a.Int, uint(n.Int.Uint64()))), nil
	}
	if !n.Int.IsUint64() || n.Int.Uint64() > maxUntypedBits {
		if a.Int.Sign() == 0 {
			return a, nil
		}
		return Const{}, f.errorf(pos, "shift count %s too large", n.Int)
	}
	return f.goCheck(intConst(a.Type, new(big.Int).Lsh(a.Int, uint(n.Int.Uint64()))), pos)
}
