package expr

import "fmt"

// tryType parses a type if one starts at the current token, as in a cast
// `(T)`, `sizeof(T)` or a conversion `[]T(x)`. If the tokens cannot be a
// type it consumes nothing and returns nil. committed reports that they
// could only be a type (a C type keyword was seen), so the caller must
// report errors rather than re-read the tokens as an expression; when
// committed is true, typ is never nil.
//
// Accepted: C specifiers in any order with qualifiers (`long unsigned
// int`, `const char`), tags (`struct foo`), names that IsType accepts
// (`foo_t`, `main.T`, `ns::T`), then C's trailing `*` and qualifiers; and
// Go's prefix forms `*T`, `[]T`, `[N]T`.
func (p *parser) tryType() (typ Type, committed bool) {
	p.enter()
	defer p.leave()
	save := p.p
	t := p.tok()
	switch {
	case t.kind == tOp && t.text == "*":
		p.next()
		elem, c := p.tryType()
		if elem == nil {
			p.p = save
			return nil, false
		}
		typ, committed = &PointerType{Star: t.pos, Elem: elem}, c
	case t.kind == tOp && t.text == "[":
		p.next()
		var n uint64
		isArray := false
		if lit, ok := p.tok().lit.(*IntLit); ok && p.tok().kind == tInt {
			n, isArray = lit.Value, true
			p.next()
		}
		if !p.is("]") {
			p.p = save
			return nil, false
		}
		p.next()
		elem, c := p.tryType()
		if elem == nil {
			p.p = save
			return nil, false
		}
		if isArray {
			typ = &ArrayType{Lbrack: t.pos, Len: n, Elem: elem}
		} else {
			typ = &SliceType{Lbrack: t.pos, Elem: elem}
		}
		committed = c
	case t.kind == tIdent && p.opts.Lang == C && cKeywords[t.text] && t.text != "sizeof":
		typ, committed = p.parseCSpecifiers(), true
	case t.kind == tIdent:
		typ = p.tryNamedType()
		if typ == nil {
			return nil, false
		}
	default:
		return nil, false
	}
	return p.typeSuffix(typ), committed
}

// tryNamedType parses name{.name|::name} and keeps it if it names a type.
func (p *parser) tryNamedType() Type {
	save := p.p
	t := p.next()
	name := t.text
	for (p.is(".") || p.is("::")) && p.peek(1).kind == tIdent {
		name += p.next().text + p.next().text
	}
	if !p.opts.isType(name) {
		p.p = save
		return nil
	}
	return &NamedType{NamePos: t.pos, Name: name}
}

// parseCSpecifiers parses C declaration specifiers: base type keywords
// in any order, a tag, or a typedef name, with qualifiers anywhere.
func (p *parser) parseCSpecifiers() Type {
	start := p.tok().pos
	var spec cSpec
	specs := 0
	var words []string
	for {
		t := p.tok()
		if t.kind != tIdent || !cKeywords[t.text] || t.text == "sizeof" {
			break
		}
		switch t.text {
		case "const", "volatile", "restrict":
			p.next()
			continue
		case "struct", "union", "enum":
			if specs > 0 {
				p.fail(t.pos, "'%s' after type specifiers", t.text)
			}
			p.next()
			tag := p.tok()
			if tag.kind != tIdent || cKeywords[tag.text] {
				p.unexpected(tag, fmt.Sprintf("name after '%s'", t.text))
			}
			p.next()
			p.skipQualifiers()
			return &NamedType{NamePos: start, Name: t.text + " " + tag.text}
		}
		spec.add(t.text)
		specs++
		words = append(words, t.text)
		p.next()
	}
	if specs == 0 {
		// Only qualifiers so far: `const foo_t`.
		t := p.tok()
		if t.kind == tIdent {
			if typ := p.tryNamedType(); typ != nil {
				p.skipQualifiers()
				return typ
			}
		}
		p.unexpected(t, "type name after qualifier")
	}
	name := spec.name()
	if name == "" {
		p.fail(start, "invalid combination of type specifiers %q", joinWords(words))
	}
	return &NamedType{NamePos: start, Name: name}
}

func (p *parser) skipQualifiers() {
	for t := p.tok(); p.opts.Lang == C && t.kind == tIdent &&
		(t.text == "const" || t.text == "volatile" || t.text == "restrict"); t = p.tok() {
		p.next()
	}
}

// typeSuffix parses C's trailing `*` and qualifiers. A '*' is taken only
// when what follows could not continue an expression (`)`, another '*',
// a qualifier), so `(T * x)` stays a multiplication.
func (p *parser) typeSuffix(typ Type) Type {
	for {
		p.skipQualifiers()
		if !p.is("*") {
			return typ
		}
		n := p.peek(1)
		if !(n.kind == tOp && (n.text == ")" || n.text == "*") ||
			p.opts.Lang == C && n.kind == tIdent && (n.text == "const" || n.text == "volatile" || n.text == "restrict")) {
			return typ
		}
		typ = &PointerType{Star: p.next().pos, Elem: typ}
	}
}

func joinWords(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}
