package expr

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The fuzz targets check the parser's contract on any input: no panic;
// either a result or an *Error that points inside the text; and a result
// printed in canonical form parses back to the same AST.

func FuzzParse(f *testing.F) {
	for _, s := range validSources() {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	for _, tt := range malformed {
		if len(tt.src) < 100 {
			f.Add(tt.src, uint8(2))
		}
	}
	f.Add("x = 5", uint8(2))
	f.Add("p->f = (T)-1", uint8(3))
	for _, s := range []string{"(a)*b", "(a)(b)[c]", "sizeof (a).b", "(*a)(b)", "(a*)&b", "a(b)", "(a.b)-c", "sizeof((*a).b)"} {
		for mode := uint8(0); mode < 12; mode++ {
			f.Add(s, mode)
		}
	}
	f.Fuzz(func(t *testing.T, src string, mode uint8) {
		o := fuzzOpts(mode)
		var n Node
		var err error
		if mode&2 != 0 {
			n, err = o.ParseStatement(src)
		} else {
			n, err = o.Parse(src)
		}
		if err != nil {
			checkError(t, src, err)
			return
		}
		if err := checkPositions(n, src); err != nil {
			t.Fatalf("%v: %q: %v", o.Lang, src, err)
		}
		canon := Format(n)
		var n2 Node
		if mode&2 != 0 {
			n2, err = o.ParseStatement(canon)
		} else {
			n2, err = o.Parse(canon)
		}
		if err != nil {
			t.Fatalf("%v: %q printed as %q, which does not parse: %v", o.Lang, src, canon, err)
		}
		if dump(n) != dump(n2) {
			t.Fatalf("%v: %q printed as %q, which parses differently:\n%s\n%s", o.Lang, src, canon, dump(n), dump(n2))
		}
		if Format(n2) != canon {
			t.Fatalf("canonical form is not stable: %q then %q", canon, Format(n2))
		}
		if x, ok := n.(Expr); ok {
			_, _, _ = Fold(x, o.Lang)
		}
	})
}

// fuzzOpts picks the dialect from bit 0 of mode and, from bits 2-3, how
// eager IsType is: the test program's few types, every capitalised name,
// or every name at all (which drives the parser down its fallbacks).
func fuzzOpts(mode uint8) Options {
	o := cOpts
	if mode&1 != 0 {
		o = goOpts
	}
	switch mode >> 2 & 3 {
	case 1:
		o.IsType = func(n string) bool { return n != "" && n[0] >= 'A' && n[0] <= 'Z' }
	case 2:
		o.IsType = func(string) bool { return true }
	}
	return o
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"", "x={x}", "x={x} y={p->y}", "{{a}}", "{s == \"}\"}", "{", "}", "{}",
		"{a +}", "a}}b{{c", "{`}`}", "{'}'}", "{{{x}}}", "{(int)x} {len(s)}"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(8))
	}
	f.Fuzz(func(t *testing.T, src string, mode uint8) {
		o := fuzzOpts(mode)
		tmpl, err := o.ParseTemplate(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		for _, p := range tmpl.Parts {
			if p.Pos < 0 || p.Pos > len(src) {
				t.Fatalf("%q: part at %d", src, p.Pos)
			}
			if p.Expr != nil && src[p.Pos:p.Pos+len(p.Text)] != p.Text {
				t.Fatalf("%q: part %q is not at %d", src, p.Text, p.Pos)
			}
		}
		canon := tmpl.String()
		tmpl2, err := o.ParseTemplate(canon)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, canon, err)
		}
		if partsDump(tmpl) != partsDump(tmpl2) {
			t.Fatalf("%q printed as %q, which parses differently:\n%s\n%s", src, canon, partsDump(tmpl), partsDump(tmpl2))
		}
		_ = tmpl.Expand(func(Expr) (string, error) { return "v", nil })
	})
}

func FuzzParseHitCondition(f *testing.F) {
	for _, s := range []string{"3", "== 3", "= 3", ">= 3", "> 3", "<= 3", "< 3", "% 3", "% 0", "-1", "", "x",
		"18446744073709551615", "18446744073709551616", " \t>=\n 7 "} {
		f.Add(s, uint64(3))
	}
	f.Fuzz(func(t *testing.T, src string, hits uint64) {
		h, err := ParseHitCondition(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		if h.Op == HitMod && h.N == 0 {
			t.Fatalf("%q: accepted %% 0", src)
		}
		h2, err := ParseHitCondition(h.String())
		if err != nil || h2 != h {
			t.Fatalf("%q printed as %q, which parses as %v, %v", src, h.String(), h2, err)
		}
		_ = h.Match(hits)
	})
}

func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || err != error(e) {
		t.Fatalf("%q: error %T %v, want *Error", src, err, err)
	}
	if e.Pos < 0 || e.Pos > len(src) {
		t.Fatalf("%q: error position %d outside the text: %v", src, e.Pos, e)
	}
	if e.Msg == "" {
		t.Fatalf("%q: empty error message", src)
	}
	_ = e.Error()
	_ = e.Render(src)
}

// partsDump shows a template's literal text and expression trees, leaving
// out what printing legitimately changes: positions and source spelling.
func partsDump(t *Template) string {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString("text " + strconv.Quote(p.Text) + "\n")
		} else {
			b.WriteString("expr " + dump(p.Expr) + "\n")
		}
	}
	return b.String()
}
