package eval

import (
	"github.com/ubpdbg/ubpdbg/expr"
)

// Compiled is a parsed expression, ready to be evaluated again and again:
// a breakpoint condition evaluated on every hit. Parsing, constant
// folding and (through the per-image caches) name lookup, DWARF types and
// location lists at a pc are done once; each evaluation then costs the
// location expression and the memory reads. A Compiled is immutable and
// safe for concurrent use.
type Compiled struct {
	Src    string
	lang   expr.Lang
	x      expr.Expr
	consts map[expr.Expr]*value
}

// Compile parses src in the frame's language.
func (c *Context) Compile(src string) (*Compiled, error) {
	x, err := c.parseOptions().Parse(src)
	if err != nil {
		return nil, err
	}
	p := &Compiled{Src: src, lang: c.lang, x: x, consts: map[expr.Expr]*value{}}
	c.foldConsts(p, x)
	return p, nil
}

// foldConsts records the value of every maximal constant subtree.
func (c *Context) foldConsts(p *Compiled, x expr.Expr) {
	expr.Walk(x, func(n expr.Node) bool {
		e, ok := n.(expr.Expr)
		if !ok {
			return false
		}
		switch e.(type) {
		case *expr.Ident, *expr.Register, *expr.Selector, *expr.Index, *expr.Call, *expr.Cast, *expr.SizeofType, *expr.NilLit:
			return true
		}
		k, ok, err := expr.Fold(e, c.lang)
		if err != nil || !ok {
			return true
		}
		if v, err := c.fromConst(k, e); err == nil {
			p.consts[e] = v
			return false
		}
		return true
	})
}

// EvalCompiled evaluates a compiled expression in this frame.
func (c *Context) EvalCompiled(p *Compiled) (*Variable, error) {
	if p.lang != c.lang {
		q, err := c.Compile(p.Src)
		if err != nil {
			return nil, err
		}
		p = q
	}
	c.consts = p.consts
	defer func() { c.consts = nil }()
	return c.evalVariable(p.Src, p.x)
}

// CondCompiled evaluates a compiled condition in this frame.
func (c *Context) CondCompiled(p *Compiled) (ok bool, err error) {
	if p.lang != c.lang {
		q, err := c.Compile(p.Src)
		if err != nil {
			return false, err
		}
		p = q
	}
	defer recoverEval(&err)
	c.consts = p.consts
	defer func() { c.consts = nil }()
	v, err := c.eval(p.x)
	if err != nil {
		return false, err
	}
	return c.truth(v, p.x)
}
