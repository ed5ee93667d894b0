package expr

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
)

// ConstKind says which field of a Const holds its value.
type ConstKind uint8

const (
	ConstInt ConstKind = iota + 1
	ConstFloat
	ConstBool
	ConstString
)

// Const is the value of an expression that needs no target: literals and
// operations on them. Type follows the language: C's type after its
// promotions ("int", "unsigned long", "double"; typedefs such as uint8_t
// resolve to LP64 base types), or Go's "untyped int", "untyped rune",
// "untyped float", "untyped bool", "untyped string" until a conversion
// gives a type ("uint8").
type Const struct {
	Kind  ConstKind
	Type  string
	Int   *big.Int // ConstInt; C values are already wrapped to Type's width
	Float float64  // ConstFloat; long double and Go's exact constants are approximated by float64
	Bool  bool     // ConstBool
	Str   string   // ConstString
}

// String formats the value (not the type), as a debugger would show it.
func (c Const) String() string {
	switch c.Kind {
	case ConstInt:
		return c.Int.String()
	case ConstFloat:
		return strconv.FormatFloat(c.Float, 'g', -1, 64)
	case ConstBool:
		return strconv.FormatBool(c.Bool)
	case ConstString:
		return strconv.Quote(c.Str)
	}
	return "<invalid>"
}

// errNotConst is how the folder says "this needs the target": not an
// error, just not something Fold can answer.
var errNotConst = errors.New("not constant")

// Fold computes x without a target when it can. ok is false if x needs the
// target (names, registers, memory, casts to program types). err is an
// *Error when x is constant but invalid: division by zero, a shift count
// out of range, a Go constant that overflows its type. && and ||
// short-circuit as evaluation would, so `p == 0 || 1/0` is not folded at
// all but `0 && 1/0` folds to 0.
//
// C follows LP64 (int 32 bits, long 64, plain char signed) with C's literal
// types, integer promotions and usual arithmetic conversions; signed
// overflow wraps, which is what the hardware the target runs on does.
// Go follows the spec's constant rules, with untyped floats held in
// float64 and untyped integers limited to 512 bits.
func Fold(x Expr, lang Lang) (c Const, ok bool, err error) {
	f := folder{lang: lang}
	c, e := f.fold(x)
	switch {
	case e == nil:
		return c, true, nil
	case errors.Is(e, errNotConst):
		return Const{}, false, nil
	}
	return Const{}, false, e
}

type folder struct {
	lang Lang
}

func (f *folder) errorf(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (f *folder) fold(x Expr) (Const, error) {
	if f.lang == Go {
		return f.goFold(x)
	}
	return f.cFold(x)
}

// foldLogical handles && and || for both languages: truth decides from
// the left operand alone when it can.
func (f *folder) foldLogical(x *Binary, truth func(Const, int) (bool, error), mk func(bool) Const) (Const, error) {
	a, err := f.fold(x.X)
	if err != nil {
		return Const{}, err
	}
	ta, err := truth(a, x.X.Pos())
	if err != nil {
		return Const{}, err
	}
	if x.Op == LAnd && !ta || x.Op == LOr && ta {
		return mk(ta), nil
	}
	b, err := f.fold(x.Y)
	if err != nil {
		return Const{}, err
	}
	tb, err := truth(b, x.Y.Pos())
	if err != nil {
		return Const{}, err
	}
	return mk(tb), nil
}

func intConst(t string, v *big.Int) Const { return Const{Kind: ConstInt, Type: t, Int: v} }

// wrap reduces v to a bits-wide integer, as the machine would.
func wrap(v *big.Int, bits uint, signed bool) *big.Int {
	m := new(big.Int).Lsh(big.NewInt(1), bits)
	r := new(big.Int).Mod(v, m) // Mod is Euclidean: 0 <= r < m
	if signed && r.Bit(int(bits)-1) == 1 {
		r.Sub(r, m)
	}
	return r
}

// fits reports whether v is representable in a bits-wide integer.
func fits(v *big.Int, bits uint, signed bool) bool {
	if !signed {
		return v.Sign() >= 0 && v.BitLen() <= int(bits)
	}
	if v.Sign() >= 0 {
		return v.BitLen() < int(bits)
	}
	// -2^(bits-1) fits: |v|-1 must need fewer than bits bits.
	return new(big.Int).Sub(new(big.Int).Neg(v), big.NewInt(1)).BitLen() < int(bits)
}

// intOp applies an integer operator; division by zero is the caller's
// check. Quo and Rem truncate toward zero, as both C and Go do.
func intOp(op Op, a, b *big.Int) *big.Int {
	r := new(big.Int)
	switch op {
	case Add:
		r.Add(a, b)
	case Sub:
		r.Sub(a, b)
	case Mul:
		r.Mul(a, b)
	case Quo:
		r.Quo(a, b)
	case Rem:
		r.Rem(a, b)
	case And:
		r.And(a, b)
	case Or:
		r.Or(a, b)
	case Xor:
		r.Xor(a, b)
	case AndNot:
		r.AndNot(a, b)
	}
	return r
}

// compare applies a comparison operator to the result of a Cmp.
func compare(op Op, cmp int) bool {
	switch op {
	case Eq:
		return cmp == 0
	case Ne:
		return cmp != 0
	case Lt:
		return cmp < 0
	case Le:
		return cmp <= 0
	case Gt:
		return cmp > 0
	case Ge:
		return cmp >= 0
	}
	return false
}

// cmpFloat is cmp.Compare but for NaN, which C and Go compare unordered
// (every comparison false but !=), where cmp.Compare orders it first.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return 2 // NaN: unordered, so only != holds
}

func floatOp(op Op, a, b float64) float64 {
	switch op {
	case Add:
		return a + b
	case Sub:
		return a - b
	case Mul:
		return a * b
	case Quo:
		return a / b
	}
	return 0
}

func bigFloat(v *big.Int) float64 {
	f, _ := new(big.Float).SetInt(v).Float64()
	return f
}
