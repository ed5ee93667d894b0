package symbols

import (
	"path"
	"sort"
)

// Names for front ends that offer completion (the terminal's Tab): what a
// user can type in a location spec.

// FunctionNames returns the names a FUNC spec matches in the image: every
// function with code that DWARF names (frame name and DW_AT_name), and
// every ELF function symbol. Sorted, without duplicates. The names come
// from the function index (funcindex.go), which the first call waits for.
func (im *Image) FunctionNames() []string {
	set := map[string]bool{}
	for n := range im.funcIndex().units {
		set[n] = true
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

// SourceFilesNamed returns the files of SourceFiles whose base name is
// base, reading only the line tables of the units that name such a file
// (the file index's), where SourceFiles reads every one.
func (im *Image) SourceFilesNamed(base string) []string {
	set := map[string]bool{}
	for _, t := range im.filesNamed(base) {
		if len(t.sf.entries) > 0 && path.Base(t.sf.name) == base {
			set[t.sf.name] = true
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
