package symbols

import (
	"debug/dwarf"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

// The line table is kept the way gdb keeps it, because where a breakpoint
// on a line goes and which line a pc shows are gdb conventions users know:
// one table per source file (gdb's "subfile") per compile unit, rows
// recorded by the rules of gdb's lnp_state_machine::record_line, with an
// end marker (line 0) where a sequence ends or the file changes. Delve's
// pkg/dwarf/line answers pc<->line questions but does not expose the rows
// themselves, which these rules need, so the rows are read with the
// standard library's debug/dwarf LineReader (DWARF 2-5).

// lineEntry is one row: the code from pc on belongs to line (0: no line).
type lineEntry struct {
	pc   uint64 // link-time
	line int
	stmt bool
}

// subfile is the rows of one source file within one compile unit.
type subfile struct {
	name    string // cleaned path as the line table names it
	entries []lineEntry

	byLineOnce sync.Once
	byLine     []stmtRow // see rowsByLine
}

// lineTable is the line information of one compile unit.
type lineTable struct {
	files     []*subfile
	byName    map[string]*subfile // files by name
	fileIndex []*subfile          // by DWARF file number
	// prologueEnds are the rows marked DW_LNS_set_prologue_end, sorted.
	prologueEnds []uint64
}

// lineTable returns the unit's line table, building it on first use.
func (u *unit) lineTable() *lineTable {
	u.im.mu.Lock()
	defer u.im.mu.Unlock()
	return u.lineTableLocked()
}

func (u *unit) lineTableLocked() *lineTable {
	if u.lines != nil || u.linesErr != nil {
		return u.lines
	}
	lt, err := u.buildLines()
	if err != nil {
		u.linesErr = fmt.Errorf("%s: line table of %s: %w", u.im.DebugPath, u.name, err)
		return nil
	}
	u.lines = lt
	return lt
}

func (u *unit) buildLines() (*lineTable, error) {
	im := u.im
	r := im.dwarf().Reader()
	r.Seek(u.off)
	cu, err := r.Next()
	if err != nil {
		return nil, err
	}
	lr, err := im.dwarf().LineReader(cu)
	if err != nil {
		return nil, err
	}
	lt := &lineTable{byName: map[string]*subfile{}}
	if lr == nil {
		return lt, nil
	}
	byName := lt.byName
	dwarf5 := IsDWARF5(lr)
	sub := func(f *dwarf.LineFile) *subfile {
		if f == nil {
			return nil
		}
		n := JoinCompDir(u.compDir, f.Name, dwarf5)
		s := byName[n]
		if s == nil {
			s = &subfile{name: n}
			byName[n] = s
			lt.files = append(lt.files, s)
		}
		return s
	}
	indexFiles := func() {
		files := lr.Files()
		for len(lt.fileIndex) < len(files) {
			lt.fileIndex = append(lt.fileIndex, sub(files[len(lt.fileIndex)]))
		}
	}
	indexFiles()

	record := func(s *subfile, line int, pc uint64, stmt bool) {
		if line == 0 {
			// An end marker removes rows at its own address: they
			// would describe no code (buildsym_compunit::record_line).
			lastLine, any := 0, false
			for len(s.entries) > 0 {
				last := s.entries[len(s.entries)-1]
				lastLine, any = last.line, true
				if last.pc != pc {
					break
				}
				s.entries = s.entries[:len(s.entries)-1]
			}
			if !any || lastLine == 0 {
				return
			}
		}
		s.entries = append(s.entries, lineEntry{pc: pc, line: line, stmt: stmt})
	}

	// Per-sequence state of gdb's line state machine.
	var (
		lastSub     *subfile
		lastLine    int
		lastAddr    uint64
		stmtAtAddr  bool
		nonZeroDisc bool
		prevLine    int
		seqStart    = true
		recording   = true
		e           dwarf.LineEntry
	)
	for {
		if err := lr.Next(&e); err != nil {
			break
		}
		if seqStart {
			// Sequences at address 0 are functions the linker dropped.
			recording = e.Address != 0 && e.Address >= im.lo
			seqStart = false
		}
		if e.Line != prevLine {
			nonZeroDisc = e.Discriminator != 0
		} else if e.Discriminator != 0 {
			nonZeroDisc = true
		}
		prevLine = e.Line
		if e.EndSequence {
			if recording && lastSub != nil {
				record(lastSub, 0, e.Address, true)
			}
			lastSub, lastLine, lastAddr, stmtAtAddr, nonZeroDisc, prevLine = nil, 0, 0, false, false, 0
			seqStart = true
			continue
		}
		if len(lt.fileIndex) < len(lr.Files()) {
			indexFiles()
		}
		cur := sub(e.File)
		if cur == nil || !recording {
			continue
		}
		if e.PrologueEnd {
			lt.prologueEnds = append(lt.prologueEnds, e.Address)
		}
		fileChanged := lastSub != cur
		ignore := (fileChanged && lastAddr == e.Address && !e.IsStmt && stmtAtAddr) || e.Line == 0
		if fileChanged && !ignore && lastSub != nil {
			record(lastSub, 0, e.Address, true)
		}
		if !ignore {
			if fileChanged || e.Line != lastLine || !nonZeroDisc {
				record(cur, e.Line, e.Address, e.IsStmt)
			}
			lastSub, lastLine = cur, e.Line
		}
		if lastAddr != e.Address {
			stmtAtAddr = false
			lastAddr = e.Address
		}
		stmtAtAddr = stmtAtAddr || e.IsStmt
	}
	sort.Slice(lt.prologueEnds, func(i, j int) bool { return lt.prologueEnds[i] < lt.prologueEnds[j] })
	for _, s := range lt.files {
		sort.SliceStable(s.entries, func(i, j int) bool {
			a, b := s.entries[i], s.entries[j]
			if a.pc == b.pc && (a.line == 0) != (b.line == 0) {
				return a.line == 0
			}
			return a.pc < b.pc
		})
	}
	return lt, nil
}

// lineRow is the answer to "which line is this pc on": the row found and
// the extent [pc, end) of the code that belongs to it.
type lineRow struct {
	file    string
	line    int
	pc, end uint64
	stmt    bool
	hasLine bool
}

// find looks up link-time a the way gdb's find_pc_sect_line does: the row
// with the greatest address <= a over all files of the unit, preferring a
// statement row at that same address; the range ends at the next row of
// any file.
func (lt *lineTable) find(a uint64) lineRow {
	var (
		best    *lineEntry
		bestSub *subfile
		bestEnd uint64
		alt     *lineEntry
	)
	for _, s := range lt.files {
		ents := s.entries
		if len(ents) == 0 {
			continue
		}
		if ents[0].pc > a && (alt == nil || ents[0].pc < alt.pc) {
			alt = &ents[0]
		}
		idx := sort.Search(len(ents), func(i int) bool { return ents[i].pc > a })
		if idx > 0 {
			p := idx - 1
			if best == nil || ents[p].pc > best.pc {
				if !ents[p].stmt {
					t := p
					for t > 0 && ents[t-1].pc == ents[t].pc && ents[t-1].line != 0 && !ents[t].stmt {
						t--
					}
					if ents[t].stmt {
						p = t
					}
				}
				best, bestSub = &ents[p], s
				if bestEnd <= best.pc {
					bestEnd = 0
				}
			}
		}
		if best != nil && idx < len(ents) && ents[idx].pc > best.pc && (bestEnd == 0 || bestEnd > ents[idx].pc) {
			bestEnd = ents[idx].pc
		}
	}
	if best == nil || best.line == 0 {
		return lineRow{pc: a}
	}
	row := lineRow{file: bestSub.name, line: best.line, pc: best.pc, stmt: best.stmt, hasLine: true}
	switch {
	case bestEnd != 0 && (alt == nil || bestEnd < alt.pc):
		row.end = bestEnd
	case alt != nil:
		row.end = alt.pc
	}
	return row
}

// lineAt returns the line row for the link-time address a in the image.
func (im *Image) lineAt(a uint64) (lineRow, *unit) {
	u := im.unitFor(a)
	if u == nil {
		return lineRow{pc: a}, nil
	}
	lt := u.lineTable()
	if lt == nil {
		return lineRow{pc: a}, u
	}
	return lt.find(a), u
}

// JoinCompDir turns a file name as debug/dwarf's LineReader gives it into
// the name of the file: absolute when the unit's compilation directory is,
// else relative to where the build ran (Debian's libc has DW_AT_comp_dir
// "./nptl"). Front ends need a path they can open, whatever their working
// directory, and one spelling per file.
//
// For DWARF 4 debug/dwarf has done it: it joins each file with its
// directory entry and every relative directory with the compilation
// directory. DWARF 5 (dwarf5, which IsDWARF5 tells) lists the compilation
// directory itself as directory 0, and its other entries are relative to
// it, which debug/dwarf does not join. So a DWARF 5 name is joined here
// unless it already starts with the compilation directory, which tells
// the files of directory 0 from the rest; joining those again would double
// the directory ("nptl/nptl/pthread_create.c"). A directory entry that
// itself starts with the compilation directory's relative spelling would
// be taken as joined; gcc does not write such entries.
func JoinCompDir(compDir, name string, dwarf5 bool) string {
	if name == "" {
		return ""
	}
	dir := path.Clean(compDir)
	if !dwarf5 || path.IsAbs(name) || compDir == "" || dir == "." {
		return path.Clean(name)
	}
	if !path.IsAbs(dir) {
		if n := path.Clean(name); n == dir || strings.HasPrefix(n, dir+"/") {
			return n
		}
	}
	return path.Join(dir, name)
}

// IsDWARF5 tells a DWARF 5 line table from an older one by what
// debug/dwarf gives for file 0: DWARF 5 has a file 0 (the primary source
// file), older versions number files from 1 and debug/dwarf leaves entry 0
// nil.
func IsDWARF5(lr *dwarf.LineReader) bool {
	files := lr.Files()
	return len(files) > 0 && files[0] != nil
}
