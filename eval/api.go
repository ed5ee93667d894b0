package eval

import (
	"debug/dwarf"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Locals lists the frame's local variables, innermost block first.
// A local hidden by an inner one of the same name is listed with
// Shadowed set.
func (c *Context) Locals() ([]*Variable, error) { return c.scopeVariables(false) }

// Args lists the frame's parameters in declaration order.
func (c *Context) Args() ([]*Variable, error) { return c.scopeVariables(true) }

func (c *Context) scopeVariables(args bool) ([]*Variable, error) {
	vars, err := c.loadScope()
	if err != nil {
		return nil, err
	}
	var out []*Variable
	for _, sv := range vars {
		if sv.arg != args || strings.HasPrefix(sv.name, "~") {
			continue
		}
		out = append(out, c.scopeVariable(sv))
	}
	return out, nil
}

func (c *Context) scopeVariable(sv *scopeVar) *Variable {
	v, err := c.varValue(sv)
	var out *Variable
	if err != nil {
		out = &Variable{Name: sv.name, Value: "<error: " + err.Error() + ">"}
		if t, terr := c.varType(c.ii, sv); terr == nil {
			out.Type = typeName(t, c.lang)
		}
	} else {
		out = c.newVariable(sv.name, v)
	}
	if sv.shadowed {
		out.Expr = "" // the name means the inner variable
	}
	out.Shadowed, out.IsArg = sv.shadowed, sv.arg
	return out
}

// Globals lists global variables whose names contain filter. With an
// empty filter it lists those of the frame's compile unit (C) or package
// (Go); with a filter, matches anywhere in the frame's image.
func (c *Context) Globals(filter string) ([]*Variable, error) {
	if c.ii == nil {
		return nil, errNoDebugInfo
	}
	var out []*Variable
	for _, g := range c.globalNames(filter) {
		name := c.globalName(g)
		v, err := c.globalValue(g, name)
		if err != nil {
			out = append(out, &Variable{Name: name, Value: "<error: " + err.Error() + ">"})
			continue
		}
		out = append(out, c.newVariable(name, v))
	}
	return out, nil
}

func (c *Context) globalName(g globalRef) string {
	r := g.ii.dw.Reader()
	r.Seek(g.ref.off)
	e, err := r.Next()
	if err != nil || e == nil {
		return "?"
	}
	ent, _ := godwarf.LoadAbstractOriginAndSpecification(e, g.ii.dw.Reader())
	n, _ := ent.Val(dwarf.AttrName).(string)
	return n
}

// parseOptions parse in the frame's language, knowing the program's
// type names so that `(T)*p` casts and `(a)*b` multiplies.
func (c *Context) parseOptions() expr.Options {
	return expr.Options{Lang: c.lang, IsType: c.isTypeName}
}

func (c *Context) isTypeName(name string) bool {
	if builtinType(name, c.lang) != nil {
		return true
	}
	if c.ii == nil {
		return false
	}
	ix := c.ii.index()
	if len(ix.types[name]) > 0 {
		return true
	}
	return c.lang == expr.Go && c.pkg != "" && len(ix.types[c.pkg+"."+name]) > 0
}

// Eval evaluates an expression (never writing to the target). Errors
// about the text are *expr.Error with the position of the problem.
func (c *Context) Eval(src string) (*Variable, error) {
	p, err := c.Compile(src)
	if err != nil {
		return nil, err
	}
	return c.EvalCompiled(p)
}

// Exec runs a statement: an expression, or an assignment `lhs = rhs`,
// which writes the target's memory (or a register of frame 0). It
// returns the assigned variable as read back.
func (c *Context) Exec(src string) (*Variable, error) {
	st, err := c.parseOptions().ParseStatement(src)
	if err != nil {
		return nil, err
	}
	switch st := st.(type) {
	case *expr.Assign:
		v, err := c.assign(st)
		if err != nil {
			return nil, err
		}
		v.expr = expr.Format(st.Lhs)
		if v.kind == lMem {
			v.expr = src[:st.EqPos]
		}
		return c.newVariable(strings.TrimSpace(src[:st.EqPos]), v), nil
	case *expr.ExprStmt:
		return c.evalVariable(src, st.X)
	}
	return nil, fmt.Errorf("unsupported statement")
}

// Cond evaluates a breakpoint condition: true for a non-zero C scalar or
// a true Go bool.
func (c *Context) Cond(src string) (bool, error) {
	p, err := c.Compile(src)
	if err != nil {
		return false, err
	}
	return c.CondCompiled(p)
}

func (c *Context) evalVariable(name string, x expr.Expr) (v *Variable, err error) {
	defer recoverEval(&err)
	val, err := c.eval(x)
	if err != nil {
		return nil, err
	}
	return c.newVariable(strings.TrimSpace(name), val), nil
}

// recoverEval turns a panic inside evaluation into an error: a bad type
// in the DWARF must not bring down the ptrace thread.
func recoverEval(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error during evaluation: %v", r)
	}
}

// ErrOptimizedOut is wrapped by errors about values that have no
// location at the frame's pc.
var ErrOptimizedOut = errOptimizedOut
