package symbols

import (
	"debug/dwarf"
	"slices"
)

// Tail calls leave no frame: when f ends with "jmp g", g returns straight
// to f's caller and a CFI unwinder goes from g to that caller. gdb fills
// the gap from DWARF call-site information (DW_TAG_call_site): the caller's
// call site at the return address names the function it called; if that
// is not the function we came from, the chain of call sites marked
// DW_AT_call_tail_call from there to it is the missing frames. We do the
// same so that traces match gdb's; gcc emits call sites at -O1 and above.

// maxTailChain bounds the search through tail-call sites.
const maxTailChain = 8

// tailCallFrames returns the frames between a physical frame (whose pc is
// looked up at calleeAt) and its caller (returning to callerPC), outermost
// last, or nil.
func (t *Table) tailCallFrames(calleeIm *Image, calleeAt, callerPC uint64) []Frame {
	if calleeIm == nil {
		return nil
	}
	callee := calleeIm.funcAt(calleeAt - calleeIm.Bias)
	callerIm := t.ImageAt(callerPC)
	if callee == nil || callerIm == nil || callerIm.dwarf() == nil {
		return nil
	}
	calleeEntry := calleeIm.Bias + callee.entry()
	u := callerIm.unitFor(callerPC - 1 - callerIm.Bias)
	if u == nil {
		return nil
	}
	u.load()
	site, ok := u.calls[callerPC-callerIm.Bias]
	if !ok || site.target == 0 {
		return nil
	}
	target, ok := t.dieEntry(callerIm, u, site.target)
	if !ok || target == calleeEntry {
		return nil
	}
	// Depth-first search for chains target -> ... -> callee through
	// tail-call sites; each element is the return pc of the tail call.
	var chains [][]uint64
	var walk func(fn uint64, path []uint64)
	walk = func(fn uint64, path []uint64) {
		if len(path) >= maxTailChain || len(chains) > 16 {
			return
		}
		for _, ts := range t.tailSites(fn) {
			p := append(slices.Clone(path), ts.pc)
			if ts.target == calleeEntry {
				chains = append(chains, p)
				continue
			}
			if ts.target != 0 && !slices.Contains(path, ts.pc) {
				walk(ts.target, p)
			}
		}
	}
	walk(target, nil)
	if len(chains) != 1 {
		// gdb keeps only what all chains agree on; an ambiguous or
		// missing chain shows no frames here.
		return nil
	}
	chain := chains[0]
	var out []Frame
	for i := len(chain) - 1; i >= 0; i-- {
		pc := chain[i]
		im := t.ImageAt(pc)
		if im == nil {
			continue
		}
		// One frame per tail call, named by the innermost function
		// at the jump, as gdb shows it (no inlined frames around it).
		info := im.lookup(pc, pc-1)
		if len(info.Frames) > 0 {
			sf := info.Frames[0]
			out = append(out, Frame{PC: pc, Image: im, Function: sf.Function, File: sf.File, Line: sf.Line, TailCall: true})
		}
	}
	return out
}

type tailSite struct {
	pc     uint64 // run-time return pc of the tail call
	target uint64 // run-time entry of the called function, 0 if unknown
}

// tailSites lists the tail calls made by the function entered at fn.
func (t *Table) tailSites(fn uint64) []tailSite {
	im := t.ImageAt(fn)
	if im == nil || im.dwarf() == nil {
		return nil
	}
	u := im.unitFor(fn - im.Bias)
	if u == nil {
		return nil
	}
	f := u.outerFunc(fn - im.Bias)
	if f == nil {
		return nil
	}
	var out []tailSite
	for pc, cs := range u.calls {
		if !cs.tail || !f.contains(pc-1) {
			continue
		}
		tgt, _ := t.dieEntry(im, u, cs.target)
		out = append(out, tailSite{pc: im.Bias + pc, target: tgt})
	}
	slices.SortFunc(out, func(a, b tailSite) int { return int(int64(a.pc - b.pc)) })
	return out
}

// dieEntry returns the run-time entry pc of the function DIE at off: its
// own code if it has some, else (a declaration of a function defined
// elsewhere, such as libc's qsort) the ELF symbol of that name in any
// image, as gdb resolves call-site targets through minimal symbols.
func (t *Table) dieEntry(im *Image, u *unit, off dwarf.Offset) (uint64, bool) {
	if off == 0 {
		return 0, false
	}
	r := im.dwarf().Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return 0, false
	}
	if rg, _ := im.dwarf().Ranges(e); len(nonEmpty(rg)) > 0 {
		return im.Bias + nonEmpty(rg)[0][0], true
	}
	im.mu.Lock()
	n := im.nameOf(u, e)
	im.mu.Unlock()
	for _, name := range []string{n.name, n.plain} {
		if name == "" {
			continue
		}
		for _, other := range append([]*Image{im}, t.Images()...) {
			for _, s := range other.syms {
				if s.name == name {
					return other.Bias + s.addr, true
				}
			}
		}
	}
	return 0, false
}
