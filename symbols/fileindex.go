package symbols

import (
	"path"
	"sort"
	"sync"
	"sync/atomic"
)

// The line lookups behind "FILE:LINE" locations go through two indexes,
// built once: an image's source files by base name (a DAP client sets a
// file's breakpoints one request per file, each with every line of it, and
// scanning every file of every compile unit for each line made 100,000
// lines take a minute), and a file's statement rows sorted by line (so a
// line is found by binary search, not by a scan of the file's rows).

// fileIndex maps the base name of each source file of an image to the
// compile units' rows for it.
type fileIndex struct {
	once   sync.Once
	byBase map[string][]symtab
	built  atomic.Bool // byBase is complete
}

// indexFiles builds the image's file index, once; callers that come while
// it is being built wait for it.
func (im *Image) indexFiles() {
	im.files.once.Do(func() {
		idx := map[string][]symtab{}
		for _, u := range im.allUnits() {
			lt := u.lineTable()
			if lt == nil {
				continue
			}
			for _, sf := range lt.files {
				b := path.Base(sf.name)
				idx[b] = append(idx[b], symtab{im, u, sf})
			}
		}
		im.files.byBase = idx
		im.files.built.Store(true)
	})
}

// linesIndexed reports whether the file index is built (tests).
func (im *Image) linesIndexed() bool { return im.files.built.Load() }

// IndexLinesInBackground builds the file index of every image now, off the
// caller's goroutine, so that the first FILE:LINE lookup a front end makes
// (VS Code's breakpointLocations as soon as a file is open) does not pay
// for reading every line table of libc: 200-600 ms here.
func (t *Table) IndexLinesInBackground() {
	for _, im := range t.Images() {
		go im.indexFiles()
	}
}

// filesNamed returns the rows of every source file of im whose path
// matches want (see fileMatches).
func (im *Image) filesNamed(want string) []symtab {
	im.indexFiles()
	var out []symtab
	for _, t := range im.files.byBase[path.Base(want)] {
		if fileMatches(t.sf.name, want) {
			out = append(out, t)
		}
	}
	return out
}

// stmtRow is a statement row of a source file.
type stmtRow struct {
	line int
	pc   uint64 // link-time
}

// rowsByLine returns the file's statement rows (line > 0) sorted by line;
// rows of one line keep the line table's order.
func (sf *subfile) rowsByLine() []stmtRow {
	sf.byLineOnce.Do(func() {
		rows := make([]stmtRow, 0, len(sf.entries))
		for _, e := range sf.entries {
			if e.stmt && e.line != 0 {
				rows = append(rows, stmtRow{e.line, e.pc})
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].line < rows[j].line })
		sf.byLine = rows
	})
	return sf.byLine
}

// rowsAt returns the rows of exactly line, and the smallest line after it
// that has rows (0 if none).
func (sf *subfile) rowsAt(line int) (at []stmtRow, next int) {
	rows := sf.rowsByLine()
	i := sort.Search(len(rows), func(i int) bool { return rows[i].line >= line })
	j := i
	for j < len(rows) && rows[j].line == line {
		j++
	}
	if j < len(rows) {
		next = rows[j].line
	}
	return rows[i:j], next
}

// lineBefore returns the largest line before line that has rows (0 if
// none).
func (sf *subfile) lineBefore(line int) int {
	rows := sf.rowsByLine()
	i := sort.Search(len(rows), func(i int) bool { return rows[i].line >= line })
	if i == 0 {
		return 0
	}
	return rows[i-1].line
}
