package symbols

import (
	"debug/dwarf"
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
//
// The file index is built from the line tables' headers, which list a
// unit's files, without running their line programs: a lookup then reads
// the line tables of just the units that have the file. Building every
// line table of libc took 170 ms of CPU, the headers take 20-30 ms. (A
// file a line program adds with DW_LNE_define_file is not in its header:
// DWARF 5 dropped that opcode, and gcc, clang and Go do not emit it.)

// fileIndex maps the base name of each source file of an image to the
// compile units whose line tables name it.
type fileIndex struct {
	once   sync.Once
	byBase map[string][]fileRef
	built  atomic.Bool // byBase is complete
}

// fileRef is a source file of a unit, named as its line table names it
// (subfile.name).
type fileRef struct {
	u    *unit
	name string
}

// indexFiles builds the image's file index, once; callers that come while
// it is being built wait for it.
func (im *Image) indexFiles() {
	im.files.once.Do(func() {
		defer im.files.built.Store(true)
		dw := im.dwarf()
		if dw == nil {
			return
		}
		// The headers are read on every core, each unit's names kept
		// apart, and put together in unit order.
		units := im.allUnits()
		names := make([][]string, len(units))
		var next atomic.Int64
		onWorkers(min(im.workers(), max(1, len(units))), func() {
			// JoinCompDir, for each unit, for each of the dozens of
			// headers every unit of libc includes: the same names
			// again and again.
			joined := map[joinKey]string{}
			r := dw.Reader()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(units)) {
					return
				}
				names[i] = unitFileNames(dw, r, units[i], joined)
				im.yield()
			}
		})
		idx := map[string][]fileRef{}
		for i, u := range units {
			for _, n := range names[i] {
				b := path.Base(n)
				idx[b] = append(idx[b], fileRef{u, n})
			}
		}
		im.files.byBase = idx
	})
}

type joinKey struct {
	dir, name string
	dwarf5    bool
}

// unitFileNames lists the files of u's line table header, named and in
// the order buildLines gives its subfiles: lookups keep the order a scan
// of the line tables had, which gdb's one-location-per-block filter
// depends on.
func unitFileNames(dw *dwarf.Data, r *dwarf.Reader, u *unit, joined map[joinKey]string) []string {
	r.Seek(u.off)
	cu, err := r.Next()
	if err != nil || cu == nil {
		return nil
	}
	lr, err := dw.LineReader(cu)
	if err != nil || lr == nil {
		return nil
	}
	dwarf5 := IsDWARF5(lr)
	var out []string
	seen := map[string]bool{}
	for _, f := range lr.Files() {
		if f == nil {
			continue
		}
		k := joinKey{u.compDir, f.Name, dwarf5}
		n, ok := joined[k]
		if !ok {
			n = JoinCompDir(k.dir, k.name, dwarf5)
			joined[k] = n
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// linesIndexed reports whether the file index is built (tests).
func (im *Image) linesIndexed() bool { return im.files.built.Load() }

// IndexLinesInBackground builds the file index of every image now, off the
// caller's goroutine, so that the first FILE:LINE lookup a front end makes
// (VS Code's breakpointLocations as soon as a file is open) does not pay
// for reading the line table headers of libc, or wait for its DWARF.
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
	for _, f := range im.files.byBase[path.Base(want)] {
		if !fileMatches(f.name, want) {
			continue
		}
		if lt := f.u.lineTable(); lt != nil && lt.byName[f.name] != nil {
			out = append(out, symtab{im, f.u, lt.byName[f.name]})
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
