package symbols

import (
	"github.com/go-delve/delve/pkg/dwarf/frame"
	"golang.org/x/sys/unix"
)

// TopFrame describes the innermost frame of a stopped thread without
// walking the stack: its pc, registers, image, function and line, and its
// CFA from the CFI rule (a register plus an offset, no memory read). It is
// the cheap frame breakpoint conditions are evaluated in, on every hit.
// When the CFA needs more than that (an expression rule, no CFI), it falls
// back to Unwind for one frame.
func (t *Table) TopFrame(mem Memory, regs *unix.PtraceRegs) (Frame, error) {
	r := RegsFromPtrace(regs)
	pc := r.PC()
	im := t.ImageAt(pc)
	if im != nil {
		if fde := im.fdeFor(pc); fde != nil {
			if fctx, err := fde.EstablishFrame(pc); err == nil && fctx.CFA.Rule == frame.RuleCFA && fctx.CFA.Reg < NumRegs {
				if v, ok := r.Get(int(fctx.CFA.Reg)); ok {
					f := Frame{PC: pc, CFA: uint64(int64(v) + fctx.CFA.Offset), Regs: r, Image: im}
					if info := im.lookup(pc, pc); len(info.Frames) > 0 {
						sf := info.Frames[0]
						f.Function, f.File, f.Line = sf.Function, sf.File, sf.Line
						f.Inlined = len(info.Frames) > 1
					}
					return f, nil
				}
			}
		}
	}
	frames, err := t.UnwindRegs(mem, r, UnwindOptions{MaxFrames: 1})
	if len(frames) == 0 {
		return Frame{PC: pc, Regs: r, Image: im}, err
	}
	return frames[0], nil
}
