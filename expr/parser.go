package expr

import "fmt"

// maxDepth bounds nesting so that hostile or absurd input such as a
// million '(' gives an error instead of a deep stack.
const maxDepth = 500

// Parse parses src as an expression. Assignment is refused: use
// ParseStatement where the user may assign.
func (o Options) Parse(src string) (Expr, error) {
	x, err := o.parseExpr(src, 0, src)
	if err != nil {
		return nil, err
	}
	return x, nil
}

// ParseStatement parses src as an expression or an assignment `lhs = rhs`.
func (o Options) ParseStatement(src string) (Stmt, error) {
	p, err := newParser(&o, src, 0, src)
	if err != nil {
		return nil, err
	}
	var s Stmt
	if err := p.run(func() {
		lhs := p.parseExpr()
		if !p.is("=") {
			p.expectEnd()
			s = &ExprStmt{X: lhs}
			return
		}
		if !assignable(lhs) {
			p.fail(lhs.Pos(), "cannot assign to %s", Format(lhs))
		}
		eq := p.next()
		rhs := p.parseExpr()
		p.expectEnd()
		s = &Assign{Lhs: lhs, EqPos: eq.pos, Rhs: rhs}
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// parseExpr parses src, which sits at offset base in full (a template, or
// src itself), as one whole expression.
func (o *Options) parseExpr(src string, base int, full string) (Expr, *Error) {
	p, err := newParser(o, src, base, full)
	if err != nil {
		return nil, err
	}
	var x Expr
	if err := p.run(func() {
		x = p.parseExpr()
		p.expectEnd()
	}); err != nil {
		return nil, err
	}
	return x, nil
}

// assignable reports whether x can be the left side of an assignment, as
// far as syntax can tell; the evaluator still checks that it is writable.
func assignable(x Expr) bool {
	switch x := x.(type) {
	case *Ident, *Register, *Selector, *Index:
		return true
	case *Unary:
		return x.Op == Deref
	}
	return false
}

type parser struct {
	opts  *Options
	src   string // the whole text, for line:column in errors
	toks  []token
	p     int
	depth int
}

// bailout carries a syntax error up the recursive descent to run; any
// other panic is a bug and is left to crash loudly.
type bailout struct{ err *Error }

func newParser(o *Options, src string, base int, full string) (*parser, *Error) {
	toks, err := lex(src, base, full)
	if err != nil {
		return nil, err
	}
	return &parser{opts: o, src: full, toks: toks}, nil
}

func (p *parser) run(f func()) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(bailout{errorf(p.src, pos, format, args...)})
}

func (p *parser) tok() token { return p.toks[p.p] }

// peek returns the token n places ahead (the EOF token past the end).
func (p *parser) peek(n int) token { return p.toks[min(p.p+n, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}

// is reports whether the current token is the operator op.
func (p *parser) is(op string) bool {
	t := p.toks[p.p]
	return t.kind == tOp && t.text == op
}

func (p *parser) expect(op, context string) token {
	if !p.is(op) {
		p.unexpected(p.tok(), fmt.Sprintf("'%s' %s", op, context))
	}
	return p.next()
}

// unexpected fails at t. Tokens that users type by habit from C or Go
// but that the language leaves out get a message saying so.
func (p *parser) unexpected(t token, want string) {
	if t.kind == tOp {
		switch t.text {
		case "=":
			p.fail(t.pos, "unexpected '=': use == to compare; assignment must be a whole statement")
		case "++", "--":
			p.fail(t.pos, "'%s' is not supported: expressions do not change the program", t.text)
		case "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^=":
			p.fail(t.pos, "compound assignment '%s' is not supported: write x = x %s y", t.text, t.text[:len(t.text)-1])
		case ":=":
			p.fail(t.pos, "':=' is not supported: use = to assign to an existing variable")
		case "?":
			p.fail(t.pos, "the conditional operator ?: is not supported")
		}
	}
	p.fail(t.pos, "expected %s, found %s", want, t.describe())
}

// expectEnd checks that the whole input was used.
func (p *parser) expectEnd() {
	if t := p.tok(); t.kind != tEOF {
		p.unexpected(t, "operator or end of expression")
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok().pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseExpr() Expr { return p.parseBinary(1) }

// parseBinary is precedence climbing over the one table in op.go: it
// parses operators that bind at least as tightly as minPrec.
func (p *parser) parseBinary(minPrec int) Expr {
	x := p.parseUnary()
	for {
		t := p.tok()
		if t.kind != tOp {
			return x
		}
		op, ok := binaryOps[t.text]
		if !ok {
			return x
		}
		prec := Precedence(p.opts.Lang, op)
		if prec < minPrec {
			return x
		}
		p.next()
		y := p.parseBinary(prec + 1)
		x = &Binary{X: x, OpPos: t.pos, Op: op, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	p.enter()
	defer p.leave()
	t := p.tok()
	switch {
	case t.kind == tOp:
		if op, ok := unaryOps[t.text]; ok {
			p.next()
			return &Unary{OpPos: t.pos, Op: op, X: p.parseUnary()}
		}
		if t.text == "(" {
			if x := p.tryCast(); x != nil {
				return x
			}
		}
	case t.kind == tIdent && t.text == "sizeof" && p.opts.Lang == C:
		return p.parseSizeof()
	}
	return p.parsePostfix(p.parsePrimary())
}

// tryCast parses `(T)x`, or in Go `(T)(x)` as a primary expression, if a
// type follows the '('. Otherwise it consumes nothing and returns nil.
func (p *parser) tryCast() Expr {
	save := p.p
	lp := p.next()
	typ, committed := p.tryType()
	if typ == nil || !p.is(")") {
		if committed {
			p.unexpected(p.tok(), fmt.Sprintf("')' after type %s", typeString(typ, false)))
		}
		p.p = save
		return nil
	}
	p.next()
	// Go's (*T) is a conversion only in the form (*T)(x); otherwise
	// `(*p) & m` with p a type name would read as a cast of &m.
	prefixPtr := false
	if pt, ok := typ.(*PointerType); ok && pt.Star < pt.Elem.Pos() && !committed {
		prefixPtr = !p.is("(")
	}
	if prefixPtr || !p.startsOperand() {
		if !committed {
			// `(T) == 1` with T a type is not a cast; most likely
			// IsType is too eager, so read it as a name.
			p.p = save
			return nil
		}
		p.unexpected(p.tok(), fmt.Sprintf("expression after cast to (%s)", typeString(typ, false)))
	}
	if p.opts.Lang == Go && p.is("(") {
		// A Go conversion is a primary expression: (T)(x)[i] indexes
		// the converted value.
		x := p.parseConvArg(typ)
		return p.parsePostfix(&Cast{Lparen: lp.pos, Type: typ, X: x})
	}
	return &Cast{Lparen: lp.pos, Type: typ, X: p.parseUnary()}
}

// startsOperand reports whether the current token can begin a unary
// expression, which is what makes `(T)` a cast rather than a value.
func (p *parser) startsOperand() bool {
	t := p.tok()
	switch t.kind {
	case tIdent, tInt, tFloat, tChar, tString, tReg:
		return true
	case tOp:
		if _, ok := unaryOps[t.text]; ok || t.text == "(" {
			return true
		}
		// Go's []T(x); nothing else in our grammar starts with '['.
		return t.text == "[" && p.opts.Lang == Go && p.peek(1).text == "]"
	}
	return false
}

// parseSizeof parses C's `sizeof(T)` and `sizeof x`. As in C, a
// parenthesised type after sizeof is always sizeof(T).
func (p *parser) parseSizeof() Expr {
	kw := p.next()
	if p.is("(") {
		save := p.p
		p.next()
		typ, committed := p.tryType()
		if typ != nil && p.is(")") {
			p.next()
			return &SizeofType{Sizeof: kw.pos, Type: typ}
		}
		if committed {
			p.unexpected(p.tok(), fmt.Sprintf("')' after type %s", typeString(typ, false)))
		}
		p.p = save
	}
	return &Unary{OpPos: kw.pos, Op: Sizeof, X: p.parseUnary()}
}

func (p *parser) parsePrimary() Expr {
	t := p.tok()
	switch t.kind {
	case tInt, tFloat, tChar, tString:
		p.next()
		return t.lit
	case tReg:
		p.next()
		return &Register{Dollar: t.pos, Name: t.text}
	case tIdent:
		return p.parseName()
	case tOp:
		switch {
		case t.text == "(":
			p.next()
			x := p.parseExpr()
			p.expect(")", "to close the '(' at "+p.colOf(t.pos))
			return x
		case t.text == "[" && p.opts.Lang == Go:
			typ, _ := p.tryType()
			if typ == nil {
				p.fail(t.pos, "expected slice or array type after '['")
			}
			if !p.is("(") {
				p.unexpected(p.tok(), fmt.Sprintf("'(' after type %s: a type is not a value", typeString(typ, false)))
			}
			return &Cast{Lparen: t.pos, Type: typ, X: p.parseConvArg(typ)}
		}
	}
	p.unexpected(t, "operand")
	return nil
}

// colOf names a position for "to close the '(' at 1:5" messages.
func (p *parser) colOf(pos int) string {
	l, c := lineCol(p.src, pos)
	return fmt.Sprintf("%d:%d", l, c)
}

// parseName parses a name, a literal word (true, nil, NULL), or, in C, a
// type keyword starting a C++-style functional cast `int(x)`.
func (p *parser) parseName() Expr {
	t := p.tok()
	switch t.text {
	case "true", "false":
		p.next()
		return &BoolLit{ValuePos: t.pos, Value: t.text == "true"}
	case "nil":
		p.next()
		return &NilLit{ValuePos: t.pos, Raw: t.text}
	case "NULL", "nullptr":
		if p.opts.Lang == C {
			p.next()
			return &NilLit{ValuePos: t.pos, Raw: t.text}
		}
	}
	if p.opts.Lang == C && cKeywords[t.text] {
		typ, _ := p.tryType()
		if typ == nil || !p.is("(") {
			p.unexpected(p.tok(), fmt.Sprintf("'(' after type %s: a type is not a value", typeString(typ, false)))
		}
		return &Cast{Lparen: t.pos, Type: typ, X: p.parseConvArg(typ)}
	}
	p.next()
	name := t.text
	for p.is("::") {
		p.next()
		id := p.tok()
		if id.kind != tIdent {
			p.unexpected(id, "name after '::'")
		}
		p.next()
		name += "::" + id.text
	}
	return &Ident{NamePos: t.pos, Name: name}
}

// parseTypeAssert parses the (T) of Go's x.(T); lp is the '('.
func (p *parser) parseTypeAssert(x Expr, lp token) Expr {
	if p.opts.Lang != Go {
		p.fail(lp.pos, "type assertions are Go's")
	}
	p.next()
	typ, _ := p.tryType()
	if typ == nil {
		p.unexpected(p.tok(), "a type in the type assertion")
	}
	p.expect(")", "to close the '(' at "+p.colOf(lp.pos))
	return &TypeAssert{X: x, Lparen: lp.pos, Type: typ}
}

func (p *parser) parsePostfix(x Expr) Expr {
	for {
		t := p.tok()
		if t.kind != tOp {
			return x
		}
		switch t.text {
		case ".", "->":
			p.next()
			id := p.tok()
			if id.kind != tIdent {
				if t.text == "." && p.is("(") {
					x = p.parseTypeAssert(x, id)
					continue
				}
				p.unexpected(id, fmt.Sprintf("field name after '%s'", t.text))
			}
			p.next()
			x = &Selector{X: x, Dot: t.pos, Arrow: t.text == "->", NamePos: id.pos, Name: id.text}
		case "[":
			x = p.parseIndex(x)
		case "(":
			x = p.parseCall(x)
		default:
			return x
		}
	}
}

// parseIndex parses a[i], a[i:j] and a[i:j:k].
func (p *parser) parseIndex(x Expr) Expr {
	lb := p.next()
	var idx [3]Expr
	colons := 0
	if !p.is(":") && !p.is("::") {
		if p.is("]") {
			p.fail(p.tok().pos, "expected index expression, found ']'")
		}
		idx[0] = p.parseExpr()
	}
	for p.is(":") || p.is("::") {
		// The lexer reads `::` as C++'s scope operator; here it is two
		// colons, as in Go's s[::2] (which then lacks a middle index).
		n := len(p.tok().text)
		if colons+n > 2 {
			p.fail(p.tok().pos+2-colons, "too many ':' in slice expression (at most a[low:high:max])")
		}
		colons += n
		p.next()
		if !p.is(":") && !p.is("::") && !p.is("]") {
			idx[colons] = p.parseExpr()
		}
	}
	rb := p.expect("]", "to close the '[' at "+p.colOf(lb.pos))
	switch {
	case colons == 0:
		return &Index{X: x, Lbrack: lb.pos, Index: idx[0]}
	case colons == 2 && idx[1] == nil:
		p.fail(rb.pos, "middle index required in 3-index slice")
	case colons == 2 && idx[2] == nil:
		p.fail(rb.pos, "final index required in 3-index slice")
	}
	return &Slice{X: x, Lbrack: lb.pos, Low: idx[0], High: idx[1], Max: idx[2]}
}

// builtins are the only functions an expression may call, with their
// argument counts: they read, never run, the target.
var builtins = map[Lang]map[string]int{
	C:  {"len": 1, "cap": 1},
	Go: {"len": 1, "cap": 1, "unsafe.Sizeof": 1},
}

// parseCall parses x(...), which is a builtin call or a conversion T(x).
func (p *parser) parseCall(x Expr) Expr {
	lp := p.tok()
	name, ok := dottedName(x)
	if !ok {
		p.fail(lp.pos, "function calls are not supported (only len, cap and type conversions)")
	}
	if n, ok := builtins[p.opts.Lang][name]; ok {
		p.next()
		var args []Expr
		for !p.is(")") {
			args = append(args, p.parseExpr())
			if !p.is(",") {
				break
			}
			p.next()
		}
		rp := p.expect(")", "after argument list")
		switch {
		case len(args) > n:
			p.fail(args[n].Pos(), "%s expects %d argument, got %d", name, n, len(args))
		case len(args) < n:
			p.fail(rp.pos, "%s expects %d argument, got %d", name, n, len(args))
		}
		return &Call{FunPos: x.Pos(), Fun: name, Args: args}
	}
	if p.opts.isType(name) {
		typ := &NamedType{NamePos: x.Pos(), Name: name}
		return &Cast{Lparen: x.Pos(), Type: typ, X: p.parseConvArg(typ)}
	}
	p.fail(x.Pos(), "cannot call %s: function calls are not supported (only len, cap and type conversions)", name)
	return nil
}

// parseConvArg parses the "(x)" of a conversion T(x), allowing Go's
// trailing comma.
func (p *parser) parseConvArg(typ Type) Expr {
	lp := p.expect("(", "")
	if p.is(")") {
		p.fail(p.tok().pos, "missing argument in conversion to %s", typeString(typ, false))
	}
	x := p.parseExpr()
	if p.is(",") {
		p.next()
	}
	if !p.is(")") && p.tok().kind != tEOF && p.toks[p.p-1].text == "," {
		p.fail(p.tok().pos, "too many arguments in conversion to %s", typeString(typ, false))
	}
	p.expect(")", "to close the '(' at "+p.colOf(lp.pos))
	return x
}

// dottedName returns the name that x spells if it is a plain name or a
// chain of '.' selections on one ("main.T", "unsafe.Sizeof").
func dottedName(x Expr) (string, bool) {
	switch x := x.(type) {
	case *Ident:
		return x.Name, true
	case *Selector:
		if x.Arrow {
			return "", false
		}
		base, ok := dottedName(x.X)
		return base + "." + x.Name, ok
	}
	return "", false
}
