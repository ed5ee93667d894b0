package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		src   string
		parts []string // literal text as-is, expressions as {canonical}
		canon string
	}{
		{"", nil, ""},
		{"hello", []string{"hello"}, "hello"},
		{"x={x}", []string{"x=", "{x}"}, "x={x}"},
		{"x={x} y={p->y}", []string{"x=", "{x}", " y=", "{p->y}"}, "x={x} y={p->y}"},
		{"{a+b*c}", []string{"{(a + (b * c))}"}, "{(a + (b * c))}"},
		{"{{literal}}", []string{"{literal}"}, "{{literal}}"},
		{"{{{x}}}", []string{"{", "{x}", "}"}, "{{{x}}}"},
		{"a}}b{{c", []string{"a}b{c"}, "a}}b{{c"},
		{"{ x }", []string{"{x}"}, "{x}"},
		{`s={s == "}"}`, []string{"s=", `{(s == "}")}`}, `s={(s == "}")}`},
		{`c={c == '}'}`, []string{"c=", `{(c == '}')}`}, `c={(c == '}')}`},
		{`q={s == "\"}"}`, []string{"q=", `{(s == "\"}")}`}, `q={(s == "\"}")}`},
		{"r={s == `}`}", []string{"r=", "{(s == `}`)}"}, "r={(s == `}`)}"},
		{"{a}{b}", []string{"{a}", "{b}"}, "{a}{b}"},
		{"n={len(s)} first={s[0]}\n", []string{"n=", "{len(s)}", " first=", "{s[0]}", "\n"}, "n={len(s)} first={s[0]}\n"},
		{"{(int)x}", []string{"{((int)(x))}"}, "{((int)(x))}"},
		{"ünï{x}çödé", []string{"ünï", "{x}", "çödé"}, "ünï{x}çödé"},
	}
	for _, tt := range tests {
		tmpl, err := ParseTemplate(tt.src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.src, err)
			continue
		}
		var got []string
		for _, p := range tmpl.Parts {
			if p.Expr != nil {
				got = append(got, "{"+Format(p.Expr)+"}")
			} else {
				got = append(got, p.Text)
			}
		}
		if strings.Join(got, "|") != strings.Join(tt.parts, "|") {
			t.Errorf("ParseTemplate(%q) = %q, want %q", tt.src, got, tt.parts)
		}
		if s := tmpl.String(); s != tt.canon {
			t.Errorf("ParseTemplate(%q).String() = %q, want %q", tt.src, s, tt.canon)
		}
	}
}

func TestTemplatePositions(t *testing.T) {
	src := "a={a} b={p->b}"
	tmpl, err := ParseTemplate(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tmpl.Parts {
		if src[p.Pos:p.Pos+len(p.Text)] != p.Text {
			t.Errorf("part %q at %d, but the source there is %q", p.Text, p.Pos, src[p.Pos:])
		}
		if p.Expr != nil && p.Expr.Pos() != p.Pos {
			t.Errorf("expression %q at %d, part at %d", p.Text, p.Expr.Pos(), p.Pos)
		}
	}
	sel := tmpl.Parts[3].Expr.(*Selector)
	if sel.Dot != 10 || sel.NamePos != 12 {
		t.Errorf("selector positions %d %d, want 10 12", sel.Dot, sel.NamePos)
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		src string
		pos int
		msg string
	}{
		{"{", 0, "'{' is not closed"},
		{"x={x", 2, "'{' is not closed"},
		{"x={x} {", 6, "'{' is not closed"},
		{"}", 0, "unmatched '}'"},
		{"a } b", 2, "unmatched '}'"},
		{"{x}}", 3, "unmatched '}'"},
		{"{}", 0, "empty expression"},
		{"x={  }", 2, "empty expression"},
		{"x={a +}", 6, "expected operand"},
		{"x={a b}", 5, "found name b"},
		{"v={p->}", 6, "field name after '->'"},
		{`s={"abc}`, 2, "'{' is not closed"},
		{"{a{b}", 2, "found '{'"},
		{"{x = 1}", 3, "use == to compare"},
		{"line1\n{a +}", 10, "expected operand"},
		{"{08}", 2, "invalid digit '8'"},
	}
	for _, tt := range tests {
		_, err := ParseTemplate(tt.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseTemplate(%q): %v, want *Error", tt.src, err)
			continue
		}
		if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("ParseTemplate(%q):\n%s\nwant position %d and %q", tt.src, e.Render(tt.src), tt.pos, tt.msg)
		}
	}
	// Line and column count from the start of the template.
	_, err := ParseTemplate("line1\n{a +}")
	if err.Error() != "2:5: expected operand, found '}'" && err.Error() != "2:5: expected operand, found end of expression" {
		t.Errorf("got %q", err.Error())
	}
}

func TestTemplateOptions(t *testing.T) {
	// The template's expressions parse with the caller's Options.
	tmpl, err := goOpts.ParseTemplate("{a & b == c} {(T)(x)[0]}")
	if err != nil {
		t.Fatal(err)
	}
	if got := tmpl.String(); got != "{((a & b) == c)} {((T)(x))[0]}" {
		t.Errorf("got %s", got)
	}
}

func TestTemplateExpand(t *testing.T) {
	tmpl, err := ParseTemplate("x={x} y={y} {{done}}")
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.Expand(func(x Expr) (string, error) {
		if x.(*Ident).Name == "y" {
			return "", errors.New("no variable y")
		}
		return "42", nil
	})
	if want := "x=42 y=<no variable y> {done}"; got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
}
