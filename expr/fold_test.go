package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestFoldC(t *testing.T) {
	tests := []struct{ src, want, typ string }{
		{"1 + 2 * 3", "7", "int"},
		{"7 / 2", "3", "int"},
		{"-7 / 2", "-3", "int"}, // truncation toward zero
		{"-7 % 2", "-1", "int"},
		{"2147483647 + 1", "-2147483648", "int"}, // wraps like the machine
		{"2147483648", "2147483648", "long"},     // too big for int: long
		{"0x80000000", "2147483648", "unsigned int"},
		{"0xffffffff + 1", "0", "unsigned int"},
		{"4294967295u + 1", "0", "unsigned int"},
		{"1u - 2", "4294967295", "unsigned int"},
		{"1ul - 2", "18446744073709551615", "unsigned long"},
		{"1ll", "1", "long long"},
		{"1ll + 1ul", "2", "unsigned long long"},
		{"1l + 1u", "2", "long"}, // long holds every unsigned int
		{"-1 < 1u", "0", "int"},  // -1 converts to UINT_MAX
		{"-1 < 1", "1", "int"},
		{"-1L < 1u", "1", "int"},
		{"18446744073709551615", "18446744073709551615", "unsigned long long"},
		{"'a'", "97", "int"},
		{"'a' + 1", "98", "int"},
		{`'\xff'`, "-1", "int"}, // plain char is signed on x86-64
		{"(char)200", "-56", "char"},
		{"(unsigned char)-1", "255", "unsigned char"},
		{"(unsigned char)255 + 1", "256", "int"}, // promotion
		{"(short)-1 == (unsigned short)65535", "0", "int"},
		{"(uint8_t)257", "1", "unsigned char"},
		{"(int64_t)-1", "-1", "long"},
		{"(size_t)-1", "18446744073709551615", "unsigned long"},
		{"(_Bool)5", "1", "_Bool"},
		{"(bool)0.5", "1", "_Bool"},
		{"(int)3.9", "3", "int"},
		{"(int)-3.9", "-3", "int"},
		{"1 << 31", "-2147483648", "int"},
		{"1u << 31", "2147483648", "unsigned int"},
		{"-16 >> 2", "-4", "int"},
		{"1 << 40L", "", ""}, // placeholder, see errors
		{"~0", "-1", "int"},
		{"~0u", "4294967295", "unsigned int"},
		{"-0x1", "-1", "int"},
		{"!5", "0", "int"},
		{"!0.0", "1", "int"},
		{"5 && 0", "0", "int"},
		{"5 || x", "1", "int"},
		{"0 && x", "0", "int"},
		{"0 && 1 / 0", "0", "int"},
		{"3 & 6 | 8 ^ 1", "11", "int"},
		{"6 &^ 3", "4", "int"},
		{"1.5 + 1", "2.5", "double"},
		{"1.5f + 1", "2.5", "float"},
		{"1.5f + 1.0", "2.5", "double"},
		{"1 / 2.0", "0.5", "double"},
		{"1.0 / 0", "+Inf", "double"},
		{"0.1f", "0.10000000149011612", "float"},
		{"1e300 * 1e300", "+Inf", "double"},
		{"2.5L", "2.5", "long double"},
		{"1.5 < 2", "1", "int"},
		{"(double)1 / 3 > 0.33", "1", "int"},
		{"(float)1 / 3", "0.3333333432674408", "float"},
		{"true + true", "2", "int"},
		{"sizeof(int)", "4", "unsigned long"},
		{"sizeof(long)", "8", "unsigned long"},
		{"sizeof(char)", "1", "unsigned long"},
		{"sizeof(long double)", "16", "unsigned long"},
		{"sizeof(char *)", "8", "unsigned long"},
		{"sizeof(uint16_t)", "2", "unsigned long"},
		{"sizeof 1", "4", "unsigned long"},
		{"sizeof 1L", "8", "unsigned long"},
		{"sizeof 'a'", "4", "unsigned long"},
		{"sizeof 1.0f", "4", "unsigned long"},
		{`sizeof "abc"`, "4", "unsigned long"},
		{"sizeof(int) * 2 - 1", "7", "unsigned long"},
		{`"abc"`, `"abc"`, "char *"},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		x, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		c, ok, err := Fold(x, C)
		if err != nil || !ok {
			t.Errorf("Fold(%q) = %v, %v, %v", tt.src, c, ok, err)
			continue
		}
		if c.String() != tt.want || c.Type != tt.typ {
			t.Errorf("Fold(%q) = %s (%s), want %s (%s)", tt.src, c, c.Type, tt.want, tt.typ)
		}
	}
}

func TestFoldGo(t *testing.T) {
	tests := []struct{ src, want, typ string }{
		{"1 + 2 * 3", "7", "untyped int"},
		{"7 / 2", "3", "untyped int"},
		{"7 / 2.0", "3.5", "untyped float"},
		{"-7 % 2", "-1", "untyped int"},
		{"1 << 100 >> 98", "4", "untyped int"},
		{"'a' + 1", "98", "untyped rune"},
		{"'a' * 1.5", "145.5", "untyped float"},
		{"uint8(200) + 55", "255", "uint8"},
		{"int8(-128)", "-128", "int8"},
		{"^uint8(0)", "255", "uint8"},
		{"^0", "-1", "untyped int"},
		{"^int32(5)", "-6", "int32"},
		{"uint64(1) << 63", "9223372036854775808", "uint64"},
		{"int(3.0)", "3", "int"},
		{"float32(0.1)", "0.10000000149011612", "float32"},
		{"float64(1) / 3", "0.3333333333333333", "float64"},
		{"1 < 2", "true", "untyped bool"},
		{"1 < 2 && 2 < 1", "false", "untyped bool"},
		{"!(1 == 1)", "false", "untyped bool"},
		{"false && x", "false", "untyped bool"},
		{"true || x", "true", "untyped bool"},
		{`"ab" + "c"`, `"abc"`, "untyped string"},
		{`"ab" < "b"`, "true", "untyped bool"},
		{`len("héllo")`, "6", "int"},
		{`string(65)`, `"A"`, "string"},
		{`string("x") + "y"`, `"xy"`, "string"},
		{"6 &^ 3", "4", "untyped int"},
		{"byte(255) == uint8(255)", "", ""}, // byte and uint8 are one type in Go, but Fold keeps names
		{"rune(65)", "65", "rune"},
		{"1.5 + 2", "3.5", "untyped float"},
		{"true == false", "false", "untyped bool"},
		{"2.0 << 2", "8", "untyped int"},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		x, err := goOpts.Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		c, ok, err := Fold(x, Go)
		if err != nil || !ok {
			t.Errorf("Fold(%q) = %v, %v, %v", tt.src, c, ok, err)
			continue
		}
		if c.String() != tt.want || c.Type != tt.typ {
			t.Errorf("Fold(%q) = %s (%s), want %s (%s)", tt.src, c, c.Type, tt.want, tt.typ)
		}
	}
}

func TestFoldNotConstant(t *testing.T) {
	for _, tt := range []struct {
		lang Lang
		src  string
	}{
		{C, "x"}, {C, "x + 1"}, {C, "$rip"}, {C, "*p"}, {C, "&x"}, {C, "a[1]"}, {C, "a.b"},
		{C, "p->b"}, {C, "len(s)"}, {C, "(struct foo *)0"}, {C, "(T)1"}, {C, "NULL"},
		{C, "sizeof(struct foo)"}, {C, "sizeof x"}, {C, `"a" == "a"`}, {C, `!"a"`},
		{C, "x && 0"}, {C, "s[1:2]"}, {C, "sizeof(T)"},
		{Go, "x"}, {Go, "nil"}, {Go, "MyInt(3)"}, {Go, "(*T)(nil)"}, {Go, "len(s)"}, {Go, "cap(s)"},
		{Go, `"abc"[1]`}, {Go, "[]byte(s)"}, {Go, "x || true"},
	} {
		x, err := optsFor(tt.lang).Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if c, ok, err := Fold(x, tt.lang); ok || err != nil {
			t.Errorf("%v: Fold(%q) = %v, %v, %v; want not constant", tt.lang, tt.src, c, ok, err)
		}
	}
}

func TestFoldErrors(t *testing.T) {
	for _, tt := range []struct {
		lang Lang
		src  string
		pos  int
		msg  string
	}{
		{C, "1 / 0", 2, "division by zero"},
		{C, "1 % (2 - 2)", 2, "division by zero"},
		{C, "1 << 32", 2, "shift count 32 is out of range for int"},
		{C, "1 << -1", 2, "out of range"},
		{C, "1L << 64", 3, "out of range"},
		{C, "1.5 % 2", 4, "invalid operands to %"},
		{C, "1.5 << 2", 4, "invalid operands to <<"},
		{C, "~1.5", 0, "invalid operand to unary ~"},
		{C, "(int)1e20", 0, "out of range for int"},
		{C, "(unsigned)-1.0", 0, "out of range"},
		{C, "(char)(1.0/0)", 0, "out of range"},
		{C, "x + 1 / 0", -1, ""}, // not constant: x decides first
		{Go, "1 / 0", 2, "division by zero"},
		{Go, "1.0 / 0", 4, "division by zero"},
		{Go, "uint8(256)", 0, "constant 256 overflows uint8"},
		{Go, "uint8(200) + 100", 11, "constant 300 overflows uint8"},
		{Go, "int8(-128) * -1", 11, "overflows int8"},
		{Go, "-uint(1)", 0, "overflows uint"},
		{Go, "int(1.5)", 0, "truncated to integer"},
		{Go, "uint8(1) + 1.5", 9, "truncated to integer"},
		{Go, "int8(1) + int16(1)", 8, "mismatched types int8 and int16"},
		{Go, "1 << 1000", 2, "shift count 1000 too large"},
		{Go, "1 << 500 * 4096", 9, "constant overflow"},
		{Go, "1 << 100000000000", 2, "too large"},
		{Go, "1 << -1", 2, "must not be negative"},
		{Go, "1 << 1.5", 2, "invalid shift count"},
		{Go, "1.5 << 1", 4, "truncated"},
		{Go, `"a" << 1`, 4, "invalid operation: shift"},
		{Go, `!1`, 0, "operator ! not defined"},
		{Go, `-"a"`, 0, "operator - not defined"},
		{Go, `^1.5`, 0, "operator ~ not defined"},
		{Go, `1 && true`, 0, "operator && not defined on untyped int"},
		{Go, `"a" - "b"`, 4, "operator - not defined on untyped string"},
		{Go, `"a" + 1`, 4, "mismatched types untyped string and untyped int"},
		{Go, `string("a") + 1`, 12, "cannot convert"},
		{Go, `true < false`, 5, "operator < not defined"},
		{Go, `1.5 % 1`, 4, "operator % not defined"},
		{Go, `float32(1e300)`, 0, "overflows float32"},
		{Go, `1e308 * 10`, 6, "constant overflow"},
		{Go, `int(1e100)`, 0, "overflows int"},
		{Go, `bool(1)`, 0, "cannot convert"},
	} {
		x, err := optsFor(tt.lang).Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		c, ok, err := Fold(x, tt.lang)
		if tt.pos < 0 {
			if ok || err != nil {
				t.Errorf("%v: Fold(%q) = %v, %v, %v; want not constant", tt.lang, tt.src, c, ok, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || ok {
			t.Errorf("%v: Fold(%q) = %v, %v, %v; want an *Error", tt.lang, tt.src, c, ok, err)
			continue
		}
		if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%v: Fold(%q): %v at %d, want %q at %d", tt.lang, tt.src, e.Msg, e.Pos, tt.msg, tt.pos)
		}
	}
}
