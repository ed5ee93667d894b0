package eval

import (
	"debug/dwarf"
	"sort"
	"strings"
	"sync"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/reader"
	"github.com/ubpdbg/ubpdbg/expr"
)

// scopeVar is one variable or parameter visible at a pc. Scopes are
// cached per image, pc and inline depth, and so is everything a scopeVar
// learns (its type, its location expression at that pc): a breakpoint
// condition evaluated on every hit finds them ready.
type scopeVar struct {
	name     string
	escaped  bool // DWARF names it &name: a pointer to the heap copy
	die      *godwarf.Tree
	arg      bool
	depth    int // lexical depth: deeper shadows shallower
	shadowed bool

	once    sync.Once
	typ     godwarf.Type // for an escaped variable, what &name points to
	ptrTyp  godwarf.Type // the type of &name
	typErr  error
	locOnce sync.Once
	prog    []byte
	progErr error
}

type scopeKey struct {
	pc    uint64
	depth int
}

// scopeCache lives in imgInfo; see scopeFor.
type scopeCache struct {
	mu sync.Mutex
	m  map[scopeKey][]*scopeVar
}

var scopes sync.Map // *imgInfo -> *scopeCache

// loadScope lists the frame's variables: locals of the innermost block
// first, then outer blocks, then the parameters in declaration order.
func (c *Context) loadScope() ([]*scopeVar, error) {
	if c.scopeDone {
		return c.scope, c.scopeErr
	}
	c.scopeDone = true
	if c.ii == nil {
		c.scopeErr = errNoDebugInfo
		return nil, c.scopeErr
	}
	depth := physEnd(c.cfg.Frames, c.cfg.Frame) - c.cfg.Frame
	sc0, have := scopes.Load(c.ii)
	if !have {
		sc0, _ = scopes.LoadOrStore(c.ii, &scopeCache{m: map[scopeKey][]*scopeVar{}})
	}
	sc := sc0.(*scopeCache)
	key := scopeKey{c.pc, depth}
	sc.mu.Lock()
	vars, ok := sc.m[key]
	sc.mu.Unlock()
	if ok {
		c.scope = vars
		return vars, nil
	}
	root, err := c.env.inlineRoot()
	if err != nil {
		c.scopeErr = err
		return nil, err
	}
	flags := reader.VariablesOnlyVisible | reader.VariablesSkipInlinedSubroutines
	if c.lang != expr.Go {
		// C scopes are exact in DWARF; the declaration-line heuristic is
		// for Go's coarse lexical blocks.
		flags |= reader.VariablesNoDeclLineCheck
	}
	found := reader.Variables(root, c.pc, c.frame.Line, flags)
	vars = make([]*scopeVar, 0, len(found))
	for _, v := range found {
		if v.Tag != dwarf.TagVariable && v.Tag != dwarf.TagFormalParameter {
			continue
		}
		name, _ := v.Val(dwarf.AttrName).(string)
		if name == "" {
			continue
		}
		// The Go compiler moves a variable that outlives its frame to
		// the heap and describes, as "&x", the pointer it keeps to it.
		// The user knows it as x, and so does the debugger.
		escaped := c.lang == expr.Go && len(name) > 1 && name[0] == '&'
		if escaped {
			name = name[1:]
		}
		vars = append(vars, &scopeVar{name: name, escaped: escaped, die: v.Tree, arg: v.Tag == dwarf.TagFormalParameter, depth: v.Depth})
	}
	// Innermost first; parameters (depth 1) keep their order.
	sort.SliceStable(vars, func(i, j int) bool { return vars[i].depth > vars[j].depth })
	seen := map[string]bool{}
	for _, v := range vars {
		v.shadowed = seen[v.name]
		seen[v.name] = true
	}
	sc.mu.Lock()
	sc.m[key] = vars
	sc.mu.Unlock()
	c.scope = vars
	return vars, nil
}

// lookupLocal finds a visible, unshadowed local or parameter.
func (c *Context) lookupLocal(name string) *scopeVar {
	vars, _ := c.loadScope()
	for _, v := range vars {
		if v.name == name && !v.shadowed {
			return v
		}
	}
	return nil
}

// varType reads (once) the variable's type.
func (c *Context) varType(ii *imgInfo, v *scopeVar) (godwarf.Type, error) {
	v.once.Do(func() {
		off, ok := v.die.Val(dwarf.AttrType).(dwarf.Offset)
		if !ok {
			v.typErr = errorf("%s has no type in the debugging information", v.name)
			return
		}
		v.typ, v.typErr = ii.readType(off)
		if v.escaped && v.typErr == nil {
			pt, ok := resolve(v.typ).(*godwarf.PtrType)
			if !ok {
				v.typErr = errorf("&%s is not a pointer in the debugging information", v.name)
				return
			}
			v.ptrTyp, v.typ = v.typ, pt.Type
		}
	})
	return v.typ, v.typErr
}

// varValue locates a scope variable in the context's frame.
func (c *Context) varValue(v *scopeVar) (*value, error) {
	t, err := c.varType(c.ii, v)
	if err != nil {
		return nil, err
	}
	v.locOnce.Do(func() {
		v.prog, v.progErr = c.env.locExpr(v.die.Entry, dwarf.AttrLocation)
	})
	if v.escaped {
		t = v.ptrTyp
	}
	val, err := c.env.locate(v.die.Entry, t, v.prog, v.progErr)
	if err != nil {
		return nil, err
	}
	if v.escaped {
		if val.kind == lNone {
			r := lostValue(v.typ)
			r.expr = v.name
			return r, nil
		}
		p, err := c.scalarOf(val)
		if err != nil {
			return nil, err
		}
		if p.bits == 0 {
			return nil, errorf("%s is not allocated yet (&%s is nil)", v.name, v.name)
		}
		val = memValue(v.typ, p.bits)
	}
	val.expr = v.name
	return c.throughRef(val)
}

// globalRef is a global variable found by name.
type globalRef struct {
	ii  *imgInfo
	ref dieRef
}

// lookupGlobal finds a global by its DWARF name: in the frame's compile
// unit first (C statics), then the frame's image, then every other image.
func (c *Context) lookupGlobal(name string) (globalRef, bool) {
	if g, ok := c.lookupGlobalIn(c.ii, name); ok {
		return g, true
	}
	if c.cfg.Table == nil {
		return globalRef{}, false
	}
	for _, im := range c.cfg.Table.Images() {
		if im == c.im || !im.HasDWARF() {
			continue
		}
		ii := infoFor(im)
		if refs := ii.index().globals[name]; len(refs) > 0 {
			return globalRef{ii, refs[0]}, true
		}
	}
	return globalRef{}, false
}

// lookupGlobalIn looks in one image, preferring the frame's unit.
func (c *Context) lookupGlobalIn(ii *imgInfo, name string) (globalRef, bool) {
	if ii == nil {
		return globalRef{}, false
	}
	refs := ii.index().globals[name]
	for _, r := range refs {
		if r.cu == c.unit.Unit {
			return globalRef{ii, r}, true
		}
	}
	if len(refs) > 0 {
		return globalRef{ii, refs[0]}, true
	}
	return globalRef{}, false
}

// globalValue locates a global variable.
func (c *Context) globalValue(g globalRef, name string) (*value, error) {
	r := g.ii.dw.Reader()
	r.Seek(g.ref.off)
	e, err := r.Next()
	if err != nil || e == nil {
		return nil, errorf("cannot read the DWARF of global %s", name)
	}
	ent, _ := godwarf.LoadAbstractOriginAndSpecification(e, g.ii.dw.Reader())
	off, ok := ent.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return nil, errorf("%s has no type in the debugging information", name)
	}
	t, err := g.ii.readType(off)
	if err != nil {
		return nil, err
	}
	env := c.env
	if g.ii != c.ii || g.ref.cu != c.unit.Unit {
		env = c.foreignEnv(g.ii, g.ref.cu)
	}
	prog, perr := env.locExpr(ent, dwarf.AttrLocation)
	v, err := env.locate(ent, t, prog, perr)
	if err != nil {
		return nil, err
	}
	v.expr = name
	return v, nil
}

// foreignEnv is an environment for globals of another compile unit or
// image: no frame of theirs is involved, only their bias and unit.
func (c *Context) foreignEnv(ii *imgInfo, cu dwarf.Offset) *frameEnv {
	f := *c.env
	f.im, f.ii, f.cu, f.bias = ii.im, ii, cu, ii.im.Bias
	f.fnDone, f.fn, f.fnErr = true, nil, errNoDebugInfo
	f.fbDone, f.fbErr = true, errorf("no frame base outside a function")
	return &f
}

// globalNames lists the globals whose names contain filter: the frame's
// compile unit's, or for Go the frame's package's, then the image's.
func (c *Context) globalNames(filter string) []globalRef {
	if c.ii == nil {
		return nil
	}
	ix := c.ii.index()
	var out []globalRef
	var names []string
	for n := range ix.globals {
		if filter != "" && !strings.Contains(n, filter) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, r := range ix.globals[n] {
			mine := r.cu == c.unit.Unit
			if c.lang == expr.Go && c.pkg != "" {
				mine = strings.HasPrefix(n, c.pkg+".")
			}
			if mine || filter != "" {
				out = append(out, globalRef{c.ii, r})
				break
			}
		}
	}
	return out
}

// lookupGlobalByPackageName finds the package variable name of the
// package whose import path ends in /pkg, in the frame's image: Go source
// names a package by its last element. full is "" if there is none; more
// than one is an error that lists them.
func (c *Context) lookupGlobalByPackageName(pkg, name string) (g globalRef, full string, err error) {
	if c.ii == nil {
		return globalRef{}, "", nil
	}
	suffix := "/" + pkg + "." + name
	var found []string
	for n := range c.ii.index().globals {
		if strings.HasSuffix(n, suffix) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return globalRef{}, "", nil
	case 1:
		g, ok := c.lookupGlobalIn(c.ii, found[0])
		if !ok {
			return globalRef{}, "", nil
		}
		return g, found[0], nil
	}
	sort.Strings(found)
	return globalRef{}, "", errorf("%s.%s is ambiguous: it may be %s", pkg, name, strings.Join(found, ", "))
}
