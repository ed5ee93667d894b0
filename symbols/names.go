package symbols

import "sort"

// Names for front ends that offer completion (the terminal's Tab): what a
// user can type in a location spec.

// FunctionNames returns the names a FUNC spec matches in the image: every
// function with code that DWARF names (frame name and DW_AT_name), and
// every ELF function symbol. Sorted, without duplicates. It reads every
// compile unit, so call it once and keep the answer.
func (im *Image) FunctionNames() []string {
	set := map[string]bool{}
	if im.dwarf() != nil {
		for _, u := range im.allUnits() {
			u.load()
			walkBlocks(u.funcs, func(b *block) {
				if b.kind == lexBlock {
					return
				}
				if b.name != "" {
					set[b.name] = true
				}
				if b.cxx {
					for _, n := range cxxSpecNames(b.name) {
						set[n] = true // what mayMatch and completion see
					}
				}
				if b.plain != "" {
					set[b.plain] = true
				}
			})
		}
	}
	for _, s := range im.syms {
		if s.name != "" {
			set[s.name] = true
		}
	}
	return sortedKeys(set)
}

// SourceFiles returns the paths of the source files that the image's line
// tables have rows for (the FILE of a FILE:LINE spec). Sorted, without
// duplicates.
func (im *Image) SourceFiles() []string {
	set := map[string]bool{}
	if im.dwarf() != nil {
		for _, u := range im.allUnits() {
			lt := u.lineTable()
			if lt == nil {
				continue
			}
			for _, f := range lt.files {
				if len(f.entries) > 0 {
					set[f.name] = true
				}
			}
		}
	}
	return sortedKeys(set)
}

// FunctionNames returns the function names of every image of the table.
func (t *Table) FunctionNames() []string {
	set := map[string]bool{}
	for _, im := range t.Images() {
		for _, n := range im.FunctionNames() {
			set[n] = true
		}
	}
	return sortedKeys(set)
}

// SourceFiles returns the source files of every image of the table.
func (t *Table) SourceFiles() []string {
	set := map[string]bool{}
	for _, im := range t.Images() {
		for _, n := range im.SourceFiles() {
			set[n] = true
		}
	}
	return sortedKeys(set)
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
