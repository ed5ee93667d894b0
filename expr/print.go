package expr

import (
	"strconv"
	"strings"
)

// Format prints n in canonical form: every operation in parentheses,
// literals as they were written, casts as ((T)(x)) or ((T)(-x)). Parsing the result
// with the same Options gives the same AST (positions aside), which is
// what the tests and fuzz targets check. It is meant for tests, logs and
// error messages, not for pretty display.
func Format(n Node) string {
	var b strings.Builder
	printNode(&b, n)
	return b.String()
}

func printNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case nil:
		b.WriteString("<nil>")
	case Expr:
		printExpr(b, n)
	case Type:
		b.WriteString(typeString(n, false))
	case *ExprStmt:
		printExpr(b, n.X)
	case *Assign:
		printExpr(b, n.Lhs)
		b.WriteString(" = ")
		printExpr(b, n.Rhs)
	}
}

func printExpr(b *strings.Builder, x Expr) {
	switch x := x.(type) {
	case *Ident:
		b.WriteString(x.Name)
	case *Register:
		b.WriteString("$" + x.Name)
	case *IntLit:
		b.WriteString(x.Raw)
	case *FloatLit:
		b.WriteString(x.Raw)
	case *CharLit:
		b.WriteString(x.Raw)
	case *StringLit:
		b.WriteString(x.Raw)
	case *BoolLit:
		b.WriteString(strconv.FormatBool(x.Value))
	case *NilLit:
		b.WriteString(x.Raw)
	case *Unary:
		b.WriteByte('(')
		if x.Op == Sizeof {
			// `sizeof (...)` is sizeof(type) if the parentheses hold
			// a type, which `(*T)` or `(*T).f` may when T is a type
			// name used as a value; wrap those once more.
			inner := Format(x.X)
			if u, ok := x.X.(*Unary); ok && u.Op == Deref || strings.HasPrefix(inner, "(") && !wrapped(x.X) {
				inner = "(" + inner + ")"
			}
			b.WriteString("sizeof " + inner)
		} else {
			b.WriteString(x.Op.String())
			printExpr(b, x.X)
		}
		b.WriteByte(')')
	case *Binary:
		b.WriteByte('(')
		printExpr(b, x.X)
		b.WriteString(" " + x.Op.String() + " ")
		printExpr(b, x.Y)
		b.WriteByte(')')
	case *Selector:
		printOperand(b, x.X)
		if x.Arrow {
			b.WriteString("->")
		} else {
			b.WriteByte('.')
		}
		b.WriteString(x.Name)
	case *TypeAssert:
		printOperand(b, x.X)
		b.WriteString(".(" + typeString(x.Type, true) + ")")
	case *Index:
		printOperand(b, x.X)
		b.WriteByte('[')
		printExpr(b, x.Index)
		b.WriteByte(']')
	case *Slice:
		printOperand(b, x.X)
		b.WriteByte('[')
		for i, e := range []Expr{x.Low, x.High, x.Max} {
			if i == 2 && e == nil {
				break
			}
			if i > 0 {
				b.WriteByte(':')
			}
			if e != nil {
				printExpr(b, e)
			}
		}
		b.WriteByte(']')
	case *Call:
		b.WriteString(x.Fun + "(")
		for i, a := range x.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, a)
		}
		b.WriteByte(')')
	case *Cast:
		b.WriteString("((" + typeString(x.Type, false) + ")")
		switch x.X.(type) {
		case *Unary, *Binary, *Cast:
			printExpr(b, x.X) // already wrapped in parentheses
		default:
			b.WriteByte('(')
			printExpr(b, x.X)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case *SizeofType:
		b.WriteString("sizeof(" + typeString(x.Type, false) + ")")
	default:
		b.WriteString("<?>")
	}
}

// wrapped reports whether x prints as one parenthesised whole that can
// never be read as a type.
func wrapped(x Expr) bool {
	switch x := x.(type) {
	case *Binary, *Cast:
		return true
	case *Unary:
		return x.Op != Deref
	}
	return false
}

// printOperand prints the operand of a postfix operator, in parentheses
// when it would otherwise lex differently (`1.x` would be the float 1.).
func printOperand(b *strings.Builder, x Expr) {
	switch x.(type) {
	case *IntLit, *FloatLit, *SizeofType:
		b.WriteByte('(')
		printExpr(b, x)
		b.WriteByte(')')
	default:
		printExpr(b, x)
	}
}

// typeString spells a type so that it parses back the same. Pointers to
// named types use C's spelling (`char **`); once a Go slice or array is
// involved everything is in Go's prefix spelling (`[]*T`), since a C
// suffix star after `[]T` would apply to the slice.
func typeString(t Type, goForm bool) string {
	switch t := t.(type) {
	case *NamedType:
		return t.Name
	case *PointerType:
		if !goForm {
			stars, base := 1, t.Elem
			for {
				pt, ok := base.(*PointerType)
				if !ok {
					break
				}
				stars++
				base = pt.Elem
			}
			if nt, ok := base.(*NamedType); ok {
				return nt.Name + " " + strings.Repeat("*", stars)
			}
		}
		return "*" + typeString(t.Elem, true)
	case *SliceType:
		return "[]" + typeString(t.Elem, true)
	case *ArrayType:
		return "[" + strconv.FormatUint(t.Len, 10) + "]" + typeString(t.Elem, true)
	}
	return "?"
}
