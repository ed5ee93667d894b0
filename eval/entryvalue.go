package eval

import (
	"debug/dwarf"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/op"
)

// DW_OP_entry_value asks for a value a register had when the function was
// entered. gcc at -O2 describes arguments that way once their registers
// are reused. We can answer in two cases, as gdb does:
//
//   - the register is callee-saved: the caller still has it, and the
//     unwinder recovered the caller's value;
//   - the caller's DW_TAG_call_site for this call (found by its return
//     address) has a DW_TAG_call_site_parameter for the register, whose
//     DW_AT_call_value is an expression in the caller's frame.
//
// Anything else is "optimized out".

const (
	tagCallSite         dwarf.Tag  = 0x48
	tagCallSiteParam    dwarf.Tag  = 0x49
	tagGNUCallSite      dwarf.Tag  = 0x4109
	tagGNUCallSiteParam dwarf.Tag  = 0x410a
	attrCallReturnPC    dwarf.Attr = 0x7d
	attrCallValue       dwarf.Attr = 0x7e
	attrGNUCallValue    dwarf.Attr = 0x2111
)

// calleeSaved are the SysV x86-64 registers a callee preserves, in
// DWARF numbering: rbx, rbp, r12-r15.
var calleeSaved = map[int]bool{3: true, 6: true, 12: true, 13: true, 14: true, 15: true}

func (f *frameEnv) entryValue(sub []byte, depth int) (uint64, error) {
	if depth > 8 {
		return 0, errOptimizedOut
	}
	reg, ok := singleReg(sub)
	if !ok {
		return 0, errOptimizedOut
	}
	frames := f.c.cfg.Frames
	k := physEnd(frames, f.idx) + 1
	if k >= len(frames) || frames[k].TailCall || frames[k].Signal || frames[k-1].Signal {
		return 0, errOptimizedOut
	}
	if calleeSaved[reg] {
		if v, ok := frames[k].Regs.Get(reg); ok {
			return v, nil
		}
	}
	caller := f.c.newEnv(k)
	fn, err := caller.function()
	if err != nil {
		return 0, errOptimizedOut
	}
	site := findCallSite(fn, frames[k].PC-caller.bias)
	if site == nil {
		return 0, errOptimizedOut
	}
	for _, p := range site.Children {
		if p.Tag != tagCallSiteParam && p.Tag != tagGNUCallSiteParam {
			continue
		}
		loc, _ := p.Val(dwarf.AttrLocation).([]byte)
		if r, ok := singleReg(loc); !ok || r != reg {
			continue
		}
		val, _ := p.Val(attrCallValue).([]byte)
		if val == nil {
			val, _ = p.Val(attrGNUCallValue).([]byte)
		}
		if val == nil {
			return 0, errOptimizedOut
		}
		return caller.runValue(val, depth)
	}
	return 0, errOptimizedOut
}

// singleReg recognises an expression that is just DW_OP_regN or
// DW_OP_regx N.
func singleReg(b []byte) (int, bool) {
	if len(b) == 1 && op.Opcode(b[0]) >= op.DW_OP_reg0 && op.Opcode(b[0]) <= op.DW_OP_reg31 {
		return int(b[0] - byte(op.DW_OP_reg0)), true
	}
	if len(b) > 1 && op.Opcode(b[0]) == op.DW_OP_regx {
		v, n, ok := uleb128(b[1:])
		if ok && n == len(b)-1 {
			return int(v), true
		}
	}
	return 0, false
}

// findCallSite finds the call site with the given link-time return
// address anywhere under t (call sites sit inside inlined calls too).
func findCallSite(t *godwarf.Tree, ret uint64) *godwarf.Tree {
	switch t.Tag {
	case tagCallSite, tagGNUCallSite:
		a, ok := t.Val(attrCallReturnPC).(uint64)
		if !ok {
			a, ok = t.Val(dwarf.AttrLowpc).(uint64)
		}
		if ok && a == ret {
			return t
		}
		return nil
	}
	for _, ch := range t.Children {
		if s := findCallSite(ch, ret); s != nil {
			return s
		}
	}
	return nil
}
