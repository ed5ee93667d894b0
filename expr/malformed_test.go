package expr

import (
	"strings"
	"testing"
)

// malformed are hand-written bad expressions with the offset the error
// must point at and a word its message must contain.
var malformed = []struct {
	langs string
	src   string
	pos   int
	msg   string
}{
	{"CG", "", 0, "expected operand"},
	{"CG", "   ", 3, "expected operand"},
	{"CG", "a +", 3, "expected operand"},
	{"CG", "a + / 3", 4, "expected operand, found '/'"},
	{"CG", "a b", 2, "found name b"},
	{"CG", "(", 1, "expected operand"},
	{"CG", "(a", 2, "')' to close the '(' at 1:1"},
	{"CG", "((a)", 4, "')' to close the '(' at 1:1"},
	{"CG", "a)", 1, "found ')'"},
	{"CG", ")", 0, "expected operand"},
	{"CG", "a[", 2, "expected operand"},
	{"CG", "a[1", 3, "']' to close the '[' at 1:2"},
	{"CG", "a[]", 2, "expected index"},
	{"CG", "a]", 1, "found ']'"},
	{"CG", "a[1:2:]", 6, "final index required"},
	{"CG", "a[::3]", 5, "middle index required"},
	{"CG", "a[1:2:3:4]", 7, "too many ':'"},
	{"CG", "a[1::]", 5, "middle index required"},
	{"CG", "a[1:2::]", 6, "too many ':'"},
	{"CG", "a[1:::2]", 5, "too many ':'"},
	{"CG", "a.", 2, "field name after '.'"},
	{"CG", "a.1", 1, "found literal .1"},
	{"CG", "a->", 3, "field name after '->'"},
	{"CG", "a->*b", 3, "field name"},
	{"C", "a.(T)", 2, "type assertions are Go's"},
	{"G", "a.()", 3, "a type in the type assertion"},
	{"G", "a.(*)", 3, "a type in the type assertion"},
	{"G", "a.(int", 6, "to close the '('"},
	{"CG", "f(x)", 0, "cannot call f"},
	{"CG", "a.b(x)", 0, "cannot call a.b"},
	{"CG", "p->f(x)", 4, "function calls are not supported"},
	{"CG", "(a+b)(x)", 5, "function calls are not supported"},
	{"CG", "len()", 4, "len expects 1 argument, got 0"},
	{"CG", "len(a, b)", 7, "len expects 1 argument, got 2"},
	{"CG", "len(a", 5, "after argument list"},
	{"CG", "x = 5", 2, "use == to compare"},
	{"CG", "x == 5 = 6", 7, "use == to compare"},
	{"CG", "x++", 1, "'++' is not supported"},
	{"CG", "--x", 0, "'--' is not supported"},
	{"CG", "a--1", 1, "'--' is not supported"},
	{"CG", "x += 1", 2, "compound assignment '+='"},
	{"CG", "x <<= 1", 2, "compound assignment '<<='"},
	{"CG", "x := 1", 2, "':=' is not supported"},
	{"CG", "a ? b : c", 2, "conditional operator"},
	{"CG", "a; b", 1, "found ';'"},
	{"CG", "{a}", 0, "expected operand, found '{'"},
	{"CG", "a # b", 2, "unexpected character '#'"},
	{"CG", "a @ b", 2, "unexpected character '@'"},
	{"CG", "a \\ b", 2, "unexpected character"},
	{"CG", "a \xff b", 2, "invalid UTF-8"},
	{"CG", "a ∑ b", 2, "unexpected character '∑'"},
	{"CG", "$", 0, "register name"},
	{"CG", "$ rax", 0, "register name"},
	{"CG", "$$", 0, "register name"},
	{"CG", "08", 1, "invalid digit '8' in octal literal"},
	{"CG", "0x", 0, "hexadecimal literal has no digits"},
	{"CG", "0xg", 2, "invalid digit 'g' in hexadecimal literal"},
	{"CG", "0b102", 4, "invalid digit '2' in binary literal"},
	{"CG", "0o8", 2, "invalid digit '8' in octal literal"},
	{"CG", "12a", 2, "invalid digit 'a' in decimal literal"},
	{"CG", "1__0", 0, "'_' must separate"},
	{"CG", "1_", 0, "'_' must separate"},
	{"CG", "10lul", 2, "invalid suffix"},
	{"CG", "10lL", 2, "invalid suffix"},
	{"CG", "10uu", 2, "invalid suffix"},
	{"CG", "1fu", 1, "invalid digit 'f'"},
	{"CG", "99999999999999999999", 0, "does not fit in 64 bits"},
	{"CG", "0x1.8", 0, "needs a 'p' exponent"},
	{"CG", "1e", 0, "malformed floating-point"},
	{"CG", "1.2.3", 0, "malformed floating-point"},
	{"CG", "1e999", 0, "out of range"},
	{"CG", "'", 0, "character literal not terminated"},
	{"CG", "'a", 0, "character literal not terminated"},
	{"CG", "''", 0, "empty character literal"},
	{"CG", "'ab'", 0, "more than one character"},
	{"CG", `'\q'`, 1, `unknown escape sequence \q`},
	{"CG", `'\x'`, 1, `\x used with no following hex digits`},
	{"CG", `'\u12'`, 1, `\u needs 4 hex digits`},
	{"CG", `'\ud800'`, 1, "invalid Unicode code point"},
	{"CG", `'\U00110000'`, 1, "invalid Unicode code point"},
	{"CG", `'\777'`, 1, "octal escape value 511 > 255"},
	{"CG", `"abc`, 0, "string literal not terminated"},
	{"CG", "\"ab\ncd\"", 0, "string literal not terminated"},
	{"CG", `"a\`, 0, "string literal not terminated"},
	{"CG", `"a\zb"`, 2, `unknown escape sequence \z`},
	{"CG", "`abc", 0, "raw string literal not terminated"},
	{"CG", "x + \"\xff\"", 5, "invalid UTF-8"},
	{"CG", "a ::", 4, "name after '::'"},
	{"CG", "a::1", 3, "name after '::'"},
	{"CG", strings.Repeat("(", 600) + "a" + strings.Repeat(")", 600), 500, "nested too deeply"},
	{"CG", strings.Repeat("- ", 600) + "a", 1000, "nested too deeply"},
	{"C", "int", 3, "'(' after type int"},
	{"C", "int + 1", 4, "'(' after type int"},
	{"C", "x + struct", 10, "name after 'struct'"},
	{"C", "(int)", 5, "expression after cast to (int)"},
	{"C", "(int) == 1", 6, "expression after cast to (int)"},
	{"C", "(int x)", 5, "')' after type int"},
	{"C", "(int *)", 7, "expression after cast to (int *)"},
	{"C", "(long char)x", 1, "invalid combination of type specifiers \"long char\""},
	{"C", "(unsigned double)x", 1, "invalid combination"},
	{"C", "(struct)x", 7, "name after 'struct'"},
	{"C", "(struct int)x", 8, "name after 'struct'"},
	{"C", "(const)x", 6, "type name after qualifier"},
	{"C", "(int struct s)x", 5, "'struct' after type specifiers"},
	{"C", "sizeof", 6, "expected operand"},
	{"C", "sizeof(int", 10, "')' after type int"},
	{"C", "sizeof(int)x", 11, "found name x"},
	{"C", "(T)", 3, ""}, // T is a test type but can be a value: a name, then EOF is fine
	{"Go", "[]", 0, "slice or array type"},
	{"Go", "[]int", 5, "'(' after type []int"},
	{"Go", "[x]int(y)", 0, "slice or array type"},
	{"Go", "uint8()", 6, "missing argument in conversion to uint8"},
	{"Go", "uint8(a, b)", 9, "too many arguments in conversion to uint8"},
	{"Go", "uint8(a", 7, "')' to close the '(' at 1:6"},
	{"Go", "sizeof(int)", 0, "cannot call sizeof"},
	{"Go", "[3]int", 6, "'(' after type [3]int"},
	{"Go", "unsafe.Sizeof(a, b)", 17, "unsafe.Sizeof expects 1 argument, got 2"},
	{"C", "unsafe.Sizeof(a)", 0, "cannot call unsafe.Sizeof"},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformed {
		for _, lang := range langsOf(tt.langs) {
			o := optsFor(lang)
			x, err := o.Parse(tt.src)
			if tt.msg == "" {
				if err != nil {
					t.Errorf("%v: Parse(%q): %v", lang, tt.src, err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%v: Parse(%q) = %s, want an error", lang, tt.src, Format(x))
				continue
			}
			e, ok := err.(*Error)
			if !ok {
				t.Errorf("%v: Parse(%q): %T %v, want *Error", lang, tt.src, err, err)
				continue
			}
			if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("%v: Parse(%q):\n%s\nwant position %d and %q", lang, tt.src, e.Render(tt.src), tt.pos, tt.msg)
			}
		}
	}
}

// validSources gathers valid expressions to break in generated ways.
func validSources() []string {
	var srcs []string
	for _, tt := range parseTests {
		if tt.want != "" {
			srcs = append(srcs, tt.src)
		}
	}
	return append(srcs,
		"p != nil && p->next->value[i+1] > (long)limit * 2",
		"((struct node *)$rdi)->children[0].name",
		"len(s[lo:hi]) >= cap(buf) - 1",
		`main.config.name == "prod" || (*T)(p).f != 0`,
		"sizeof(struct foo) * n + (unsigned)'\\n'",
		"[]byte(s)[0] ^ 0x5a &^ mask",
	)
}

// TestMalformedGenerated breaks valid expressions by truncating them and
// by inserting, deleting and swapping tokens. Whatever fails must fail
// with an *Error inside the text, and nothing may panic.
func TestMalformedGenerated(t *testing.T) {
	inserts := []string{"(", ")", "[", "]", "*", "+", ".", "->", ",", ":", "'", `"`, "`", "$", "=", "0x", "1e", "?", "{", "}", "sizeof", "int", "(int)", "\\", "\x00"}
	failures := 0
	check := func(o Options, src string) {
		x, err := o.Parse(src)
		if err == nil {
			if y, err := o.Parse(Format(x)); err != nil || dump(x) != dump(y) {
				t.Errorf("%v: %q parsed as %s, which does not parse back (%v)", o.Lang, src, Format(x), err)
			}
			return
		}
		failures++
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%v: Parse(%q): %T, want *Error", o.Lang, src, err)
			return
		}
		if e.Pos < 0 || e.Pos > len(src) {
			t.Errorf("%v: Parse(%q): position %d outside the text", o.Lang, src, e.Pos)
		}
		_ = e.Render(src)
		_ = e.Error()
	}
	for _, src := range validSources() {
		for _, o := range []Options{cOpts, goOpts} {
			for i := 0; i < len(src); i++ {
				check(o, src[:i])
				check(o, src[:i]+src[i+1:])
			}
			for i := 0; i <= len(src); i += 2 {
				for _, ins := range inserts {
					check(o, src[:i]+ins+src[i:])
				}
			}
		}
	}
	if failures < 200 {
		t.Errorf("only %d generated malformed expressions; want at least 200", failures)
	}
	t.Logf("%d generated malformed expressions, all *Error", failures)
}

// TestErrorFormat checks the line:column form and the caret rendering.
func TestErrorFormat(t *testing.T) {
	src := "foo(1, 2"
	_, err := Options{Lang: Go}.Parse("x + len(1, 2")
	if err == nil || err.Error() != "1:13: expected ')' after argument list, found end of expression" {
		t.Errorf("got %v", err)
	}
	e := &Error{Pos: 4, Msg: "boom"}
	if e.Error() != "1:5: boom" {
		t.Errorf("Error() = %q", e.Error())
	}
	if got, want := e.Render(src), "1:5: boom\nfoo(1, 2\n    ^"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	// Columns count characters, and tabs are kept so the caret lines up.
	src = "\tä + )"
	_, err = Parse(src)
	e = err.(*Error)
	if e.Error() != "1:6: expected operand, found ')'" {
		t.Errorf("Error() = %q", e.Error())
	}
	if got, want := Caret(src, e.Pos), "\tä + )\n\t    ^"; got != want {
		t.Errorf("Caret = %q, want %q", got, want)
	}
	// Multi-line input reports the line.
	src = "a +\n  b +\n  )"
	_, err = Parse(src)
	if err.Error() != "3:3: expected operand, found ')'" {
		t.Errorf("Error() = %q", err.Error())
	}
	if got, want := Caret(src, err.(*Error).Pos), "  )\n  ^"; got != want {
		t.Errorf("Caret = %q, want %q", got, want)
	}
	// Out-of-range positions do not panic.
	_ = Caret("abc", -5)
	_ = Caret("abc", 99)
	_ = Caret("", 0)
}
