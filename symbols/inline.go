package symbols

// InlinedRanges returns the run-time address ranges of the innermost
// inlined call that pc is in, or nil when pc is in no inlined call. A step
// out of an inlined function is over when the pc leaves them.
func (t *Table) InlinedRanges(pc uint64) [][2]uint64 {
	im := t.ImageAt(pc)
	if im == nil {
		return nil
	}
	a := pc - im.Bias
	u := im.unitFor(a)
	if u == nil {
		return nil
	}
	f := u.innermost(a)
	if f != nil {
		f = f.function()
	}
	if f == nil || f.kind != inlineBlock {
		return nil
	}
	out := make([][2]uint64, len(f.ranges))
	for i, r := range f.ranges {
		out[i] = [2]uint64{r[0] + im.Bias, r[1] + im.Bias}
	}
	return out
}

// CodeStart returns where the contiguous code holding pc starts: the
// start of the function's address range that holds it (DWARF), else of
// the ELF symbol, with the function's name. From there instructions can be
// decoded one after another to tell whether an instruction starts at pc.
func (t *Table) CodeStart(pc uint64) (start uint64, name string, ok bool) {
	im := t.ImageAt(pc)
	if im == nil {
		return 0, "", false
	}
	a := pc - im.Bias
	if u := im.unitFor(a); u != nil {
		if f := u.outerFunc(a); f != nil {
			for _, r := range f.ranges {
				if a >= r[0] && a < r[1] {
					return r[0] + im.Bias, f.name, true
				}
			}
		}
	}
	if s, ok := im.symbolAt(a); ok {
		return s.addr + im.Bias, s.name, true
	}
	return 0, "", false
}
