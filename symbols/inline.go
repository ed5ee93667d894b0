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
