package expr

import "strings"

// Template is a parsed logpoint message such as "x={x} y={p->y}".
type Template struct {
	Parts []Part
}

// Part is a piece of a template: literal text (Expr == nil), with {{ and
// }} already turned into single braces, or an interpolated expression.
// Text is then the expression's source as written between the braces,
// handy for messages like "x=<p->y: cannot read memory>". Pos is the byte
// offset of Text in the template.
type Part struct {
	Text string
	Expr Expr
	Pos  int
}

// ParseTemplate parses a logpoint message: text with expressions in
// braces. `{{` and `}}` stand for literal braces. A brace inside a string
// or character literal within an expression does not end it, so
// `{s == "}"}` works. Errors carry offsets into the whole template.
func (o Options) ParseTemplate(s string) (*Template, error) {
	t := &Template{}
	var lit strings.Builder
	litPos := 0
	flush := func() {
		if lit.Len() > 0 {
			t.Parts = append(t.Parts, Part{Text: lit.String(), Pos: litPos})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if lit.Len() == 0 {
			litPos = i
		}
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], "{{"), strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(c)
			i += 2
		case c == '}':
			return nil, errorf(s, i, "unmatched '}' in log message (write }} for a literal brace)")
		case c == '{':
			end := exprEnd(s, i+1)
			if end < 0 {
				return nil, errorf(s, i, "'{' is not closed (write {{ for a literal brace)")
			}
			src := s[i+1 : end]
			if strings.TrimSpace(src) == "" {
				return nil, errorf(s, i, "empty expression in {}")
			}
			x, err := o.parseExpr(src, i+1, s)
			if err != nil {
				return nil, err
			}
			flush()
			t.Parts = append(t.Parts, Part{Text: src, Expr: x, Pos: i + 1})
			i = end + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

// exprEnd returns the index of the '}' that ends the expression starting
// at s[i], skipping quoted literals, or -1 if there is none.
func exprEnd(s string, i int) int {
	for ; i < len(s); i++ {
		switch q := s[i]; q {
		case '}':
			return i
		case '"', '\'', '`':
			for i++; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && q != '`' {
					i++
				}
			}
			if i >= len(s) {
				return -1
			}
		}
	}
	return -1
}

// String prints the template back in canonical form, literal braces
// doubled and expressions in Format's canonical form.
func (t *Template) String() string {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			r := strings.NewReplacer("{", "{{", "}", "}}")
			b.WriteString(r.Replace(p.Text))
			continue
		}
		b.WriteString("{" + Format(p.Expr) + "}")
	}
	return b.String()
}

// Expand renders the message, calling eval for each expression. When eval
// fails the error goes into the text in angle brackets: a logpoint should
// still log what it can rather than nothing.
func (t *Template) Expand(eval func(Expr) (string, error)) string {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Text)
			continue
		}
		v, err := eval(p.Expr)
		if err != nil {
			b.WriteString("<" + err.Error() + ">")
			continue
		}
		b.WriteString(v)
	}
	return b.String()
}
