package eval

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/reader"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// frameEnv is one frame as DWARF location expressions see it: its
// registers (recovered by the unwinder for outer frames), CFA, frame
// base, image and compile unit.
type frameEnv struct {
	c    *Context
	idx  int
	fr   symbols.Frame
	pc   uint64 // lookup pc, see lookupPC
	im   *symbols.Image
	ii   *imgInfo
	cu   dwarf.Offset
	fnOf dwarf.Offset
	mem  Memory
	bias uint64
	cfa  uint64

	fn      *godwarf.Tree
	fnErr   error
	fnDone  bool
	fb      uint64
	fbErr   error
	fbDone  bool
	fbDepth bool // being computed: DW_AT_frame_base must not use DW_OP_fbreg
}

func (c *Context) newEnv(i int) *frameEnv {
	fr := c.cfg.Frames[i]
	f := &frameEnv{c: c, idx: i, fr: fr, pc: lookupPC(c.cfg.Frames, i), im: fr.Image, mem: c.cfg.Mem, cfa: fr.CFA}
	if i == c.cfg.Frame {
		f.im, f.ii, f.cu, f.fnOf, f.pc = c.im, c.ii, c.unit.Unit, c.unit.Function, c.pc
	} else if f.im != nil && f.im.HasDWARF() {
		f.ii = infoFor(f.im)
		u := f.im.UnitAt(f.pc)
		f.cu, f.fnOf = u.Unit, u.Function
	}
	if f.im != nil {
		f.bias = f.im.Bias
	}
	return f
}

// function returns the DIE tree of the frame's out-of-line function.
func (f *frameEnv) function() (*godwarf.Tree, error) {
	if !f.fnDone {
		f.fnDone = true
		switch {
		case f.ii == nil:
			f.fnErr = errors.New("no debugging information for this frame")
		case f.fnOf == 0:
			f.fnErr = fmt.Errorf("no function DIE covers pc %#x", f.pc)
		default:
			f.fn, f.fnErr = f.ii.tree(f.fnOf)
		}
	}
	return f.fn, f.fnErr
}

// reg returns register r of the frame in DWARF numbering.
func (f *frameEnv) reg(r int) (uint64, error) {
	if r >= 0 && r < symbols.NumRegs {
		if v, ok := f.fr.Regs.Get(r); ok {
			return v, nil
		}
		if r == 7 && f.cfa != 0 && f.idx > 0 {
			// An outer frame's rsp is the CFA of the frame it called.
			return f.c.cfg.Frames[f.idx-1].CFA, nil
		}
		return 0, errOptimizedOut
	}
	if b, ok := f.regBytes(r); ok {
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("DWARF register %d is not available", r)
}

// regBytes returns the full contents of a register: 8 bytes for general
// registers, 16 for XMM0-15 (DWARF 17-32, frame 0 only).
func (f *frameEnv) regBytes(r int) ([]byte, bool) {
	if r >= 17 && r <= 32 {
		if f.c.cfg.Vector == nil || physStart(f.c.cfg.Frames, f.idx) != 0 {
			return nil, false
		}
		v := f.c.cfg.Vector[r-17]
		return v[:], true
	}
	v, err := f.reg(r)
	if err != nil {
		return nil, false
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return b[:], true
}

// frameBase evaluates the function's DW_AT_frame_base.
func (f *frameEnv) frameBase(depth int) (uint64, error) {
	if f.fbDone {
		return f.fb, f.fbErr
	}
	if f.fbDepth {
		return 0, errors.New("DW_AT_frame_base refers to itself")
	}
	f.fbDepth = true
	defer func() { f.fbDepth = false }()
	fn, err := f.function()
	if err == nil {
		var prog []byte
		prog, err = f.locExpr(fn.Entry, dwarf.AttrFrameBase)
		if err == nil {
			f.fb, err = f.runValue(prog, depth)
		}
	}
	f.fbErr, f.fbDone = err, true
	return f.fb, f.fbErr
}

// locExpr returns the location expression of attribute a of e at the
// frame's pc: the expression itself, or the location-list entry that
// covers the pc. errOptimizedOut if there is none.
func (f *frameEnv) locExpr(e godwarf.Entry, a dwarf.Attr) ([]byte, error) {
	fld := e.AttrField(a)
	if fld == nil {
		return nil, errOptimizedOut
	}
	switch v := fld.Val.(type) {
	case []byte:
		if len(v) == 0 {
			return nil, errOptimizedOut
		}
		return v, nil
	case int64:
		if f.ii == nil {
			return nil, errOptimizedOut
		}
		prog, err := f.ii.findLoc(f.cu, v, fld.Class, f.pc)
		if err != nil {
			return nil, err
		}
		if len(prog) == 0 {
			return nil, errOptimizedOut
		}
		return prog, nil
	}
	return nil, fmt.Errorf("unsupported location form %v", fld.Class)
}

// tlsAddr turns a thread-local variable's offset into its address in
// this thread.
func (f *frameEnv) tlsAddr(off uint64) (uint64, error) {
	return f.c.tlsAddr(f.im, off)
}

func (f *frameEnv) debugAddr(i uint64) (uint64, error) {
	if f.ii == nil {
		return 0, errors.New("no .debug_addr")
	}
	return f.ii.debugAddr(f.cu, i)
}

// inlineRoot returns the DIE whose variables are this frame's: the
// out-of-line function, or the inlined call this frame stands for.
func (f *frameEnv) inlineRoot() (*godwarf.Tree, error) {
	fn, err := f.function()
	if err != nil {
		return nil, err
	}
	depth := physEnd(f.c.cfg.Frames, f.idx) - f.idx
	if depth == 0 {
		return fn, nil
	}
	stack := reader.InlineStack(fn, f.pc)
	if depth > len(stack) {
		return nil, fmt.Errorf("frame %d: inlined call not found in the DWARF", f.idx)
	}
	return stack[len(stack)-depth], nil
}
