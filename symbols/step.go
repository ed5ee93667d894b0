package symbols

import "sort"

// StepInfo describes the code around a pc for stepping by source lines.
// Addresses are run-time.
type StepInfo struct {
	Function string
	File     string
	Line     int
	// LineLo, LineHi: the extent of the line-table row holding pc; a step
	// is not over while the pc stays inside it.
	LineLo, LineHi uint64
	// FuncRanges are the address ranges of the out-of-line function
	// holding pc (inlined calls included).
	FuncRanges [][2]uint64
	// Stmts are the addresses where a statement of that function starts,
	// sorted, and Lines their line numbers: a line step stops at the first
	// one it reaches that is on another line (as gdb's next does, a
	// statement of the same line, such as the second half of a return,
	// does not end the step).
	Stmts []uint64
	Lines []int
}

// LineOf returns the line of the statement starting at pc, or 0.
func (s *StepInfo) LineOf(pc uint64) int {
	i := sort.Search(len(s.Stmts), func(i int) bool { return s.Stmts[i] >= pc })
	if i < len(s.Stmts) && s.Stmts[i] == pc {
		return s.Lines[i]
	}
	return 0
}

// InFunc reports whether pc is in the function's ranges.
func (s *StepInfo) InFunc(pc uint64) bool {
	for _, r := range s.FuncRanges {
		if pc >= r[0] && pc < r[1] {
			return true
		}
	}
	return false
}

// IsStmt reports whether pc starts a statement of the function.
func (s *StepInfo) IsStmt(pc uint64) bool {
	i := sort.Search(len(s.Stmts), func(i int) bool { return s.Stmts[i] >= pc })
	return i < len(s.Stmts) && s.Stmts[i] == pc
}

// StepInfo returns what line stepping needs to know about pc; false if
// the pc has no line information (no debug info, or outside functions).
func (t *Table) StepInfo(pc uint64) (StepInfo, bool) {
	im := t.ImageAt(pc)
	if im == nil {
		return StepInfo{}, false
	}
	a := pc - im.Bias
	u := im.unitFor(a)
	if u == nil {
		return StepInfo{}, false
	}
	lt := u.lineTable()
	fn := u.outerFunc(a)
	if lt == nil || fn == nil {
		return StepInfo{}, false
	}
	row := lt.find(a)
	if !row.hasLine {
		return StepInfo{}, false
	}
	si := StepInfo{Function: fn.name, File: row.file, Line: row.line,
		LineLo: row.pc + im.Bias, LineHi: row.end + im.Bias}
	if row.end == 0 {
		si.LineHi = fn.end() + im.Bias
	}
	for _, r := range fn.ranges {
		si.FuncRanges = append(si.FuncRanges, [2]uint64{r[0] + im.Bias, r[1] + im.Bias})
	}
	lines := map[uint64]int{}
	for _, sf := range lt.files {
		for _, e := range sf.entries {
			if _, dup := lines[e.pc]; e.stmt && e.line != 0 && fn.contains(e.pc) && !dup {
				lines[e.pc] = e.line
				si.Stmts = append(si.Stmts, e.pc+im.Bias)
			}
		}
	}
	sort.Slice(si.Stmts, func(i, j int) bool { return si.Stmts[i] < si.Stmts[j] })
	for _, a := range si.Stmts {
		si.Lines = append(si.Lines, lines[a-im.Bias])
	}
	return si, true
}
