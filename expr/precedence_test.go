package expr

import (
	"fmt"
	"testing"
)

// TestPrecedenceDialects pins the cases where C and Go group differently,
// and some where they agree, by hand rather than from the table.
func TestPrecedenceDialects(t *testing.T) {
	tests := []struct{ src, c, goWant string }{
		{"a & b == c", "(a & (b == c))", "((a & b) == c)"},
		{"a | b == c", "(a | (b == c))", "((a | b) == c)"},
		{"a ^ b != c", "(a ^ (b != c))", "((a ^ b) != c)"},
		{"a << b + c", "(a << (b + c))", "((a << b) + c)"},
		{"a + b << c", "((a + b) << c)", "(a + (b << c))"},
		{"a & b + c", "(a & (b + c))", "((a & b) + c)"},
		{"a | b * c", "(a | (b * c))", "(a | (b * c))"},
		{"a | b & c", "(a | (b & c))", "(a | (b & c))"},
		{"a | b ^ c", "(a | (b ^ c))", "((a | b) ^ c)"},
		{"a ^ b | c", "((a ^ b) | c)", "((a ^ b) | c)"},
		{"a ^ b & c", "(a ^ (b & c))", "(a ^ (b & c))"},
		{"a < b == c < d", "((a < b) == (c < d))", "(((a < b) == c) < d)"},
		{"a == b == c", "((a == b) == c)", "((a == b) == c)"},
		{"a &^ b | c", "((a &^ b) | c)", "((a &^ b) | c)"},
		{"a &^ b + c", "(a &^ (b + c))", "((a &^ b) + c)"},
		{"a && b || c && d", "((a && b) || (c && d))", "((a && b) || (c && d))"},
		{"a || b && c", "(a || (b && c))", "(a || (b && c))"},
		{"a == b && c < d", "((a == b) && (c < d))", "((a == b) && (c < d))"},
		{"a * b + c * d", "((a * b) + (c * d))", "((a * b) + (c * d))"},
		{"a - b - c", "((a - b) - c)", "((a - b) - c)"},
		{"a / b * c", "((a / b) * c)", "((a / b) * c)"},
		{"-a * b", "((-a) * b)", "((-a) * b)"},
		{"*p + 1", "((*p) + 1)", "((*p) + 1)"},
		{"!a == b", "((!a) == b)", "((!a) == b)"},
		{"&a[1]", "(&a[1])", "(&a[1])"},
		{"-a.b", "(-a.b)", "(-a.b)"},
		{"*p->q", "(*p->q)", "(*p->q)"},
		{"a >> 1 & 1 == 1", "((a >> 1) & (1 == 1))", "(((a >> 1) & 1) == 1)"},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			lang Lang
			want string
		}{{C, tt.c}, {Go, tt.goWant}} {
			x, err := Options{Lang: c.lang}.Parse(tt.src)
			if err != nil {
				t.Errorf("%v: Parse(%q): %v", c.lang, tt.src, err)
				continue
			}
			if got := Format(x); got != c.want {
				t.Errorf("%v: Parse(%q) = %s, want %s", c.lang, tt.src, got, c.want)
			}
		}
	}
}

// TestPrecedenceTable checks every pair of binary operators against the
// table: `a op1 b op2 c` groups left when op1 binds at least as tightly
// (all operators are left-associative), right otherwise.
func TestPrecedenceTable(t *testing.T) {
	for _, lang := range []Lang{C, Go} {
		for op1 := Mul; op1 <= LOr; op1++ {
			for op2 := Mul; op2 <= LOr; op2++ {
				src := fmt.Sprintf("a %s b %s c", op1, op2)
				x, err := Options{Lang: lang}.Parse(src)
				if err != nil {
					t.Errorf("%v: Parse(%q): %v", lang, src, err)
					continue
				}
				want := fmt.Sprintf("((a %s b) %s c)", op1, op2)
				if Precedence(lang, op1) < Precedence(lang, op2) {
					want = fmt.Sprintf("(a %s (b %s c))", op1, op2)
				}
				if got := Format(x); got != want {
					t.Errorf("%v: Parse(%q) = %s, want %s", lang, src, got, want)
				}
			}
		}
	}
}

func TestPrecedenceFunc(t *testing.T) {
	if Precedence(C, Mul) != 10 || Precedence(Go, Mul) != 5 || Precedence(C, LOr) != 1 {
		t.Error("table changed")
	}
	for _, op := range []Op{badOp, Deref, Neg, Not, Compl, Sizeof, Op(200)} {
		if Precedence(C, op) != 0 || Precedence(Go, op) != 0 {
			t.Errorf("Precedence(%v) of a non-binary operator is not 0", op)
		}
	}
	if Precedence(Lang(7), Add) != 0 {
		t.Error("unknown language has a precedence")
	}
}
