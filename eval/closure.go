package eval

import (
	"debug/dwarf"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// A Go func value points to a funcval: the code's address, then what the
// closure captured. The Go compiler describes the captured variables
// among the closure function's own variables, each with its offset in
// the funcval (DW_AT_go_closure_offset); one captured by reference is
// named &x and is a pointer, shown as x. They are the children of a
// func value, without expressions (Go has no syntax for them).

const attrGoClosureOffset dwarf.Attr = 0x2907

type capturedVar struct {
	name string
	v    *value
}

// closureVars lists what a Go func value captured; nil for a nil func,
// a plain function, or a closure whose function has no DWARF.
func (c *Context) closureVars(v *value) []capturedVar {
	if c.lang != expr.Go || c.im == nil || c.ii == nil || v.kind == lNone {
		return nil
	}
	b, err := c.bytes(v)
	if err != nil || len(b) < 8 {
		return nil
	}
	var p uint64
	for i := 7; i >= 0; i-- {
		p = p<<8 | uint64(b[i])
	}
	if p == 0 {
		return nil
	}
	code, err := c.read64(p)
	if err != nil || !c.im.Contains(code) {
		return nil
	}
	u := c.im.UnitAt(code)
	if u.Function == 0 {
		return nil
	}
	fn, err := c.ii.tree(u.Function)
	if err != nil {
		return nil
	}
	var out []capturedVar
	for _, ch := range fn.Children {
		off, ok := ch.Val(attrGoClosureOffset).(int64)
		if ch.Tag != dwarf.TagVariable || !ok || off < 8 {
			continue
		}
		name, _ := ch.Val(dwarf.AttrName).(string)
		toff, ok := ch.Val(dwarf.AttrType).(dwarf.Offset)
		if name == "" || !ok {
			continue
		}
		t, err := c.ii.readType(toff)
		if err != nil {
			continue
		}
		cv := memValue(t, p+uint64(off))
		if len(name) > 1 && name[0] == '&' {
			pt, ok := resolve(t).(*godwarf.PtrType)
			if !ok {
				continue
			}
			ptr, err := c.read64(p + uint64(off))
			if err != nil || ptr == 0 {
				continue
			}
			name, cv = name[1:], memValue(pt.Type, ptr)
		}
		out = append(out, capturedVar{name, cv})
	}
	return out
}
