package symbols

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
)

// Where a breakpoint on a function goes.
//
// gcc: as gdb does. If the compile unit has location lists and comes from
// gcc >= 4.5 (gdb's "locations_valid"), variables are right from the
// first instruction, so the breakpoint goes on the entry pc. Otherwise
// gdb's amd64 prologue analyser skips "[endbr64] push %rbp; mov %rsp,%rbp"
// and, as the result usually lands inside the first line-table row, the
// breakpoint moves to the start of the next row: at -O0 that is the
// second row of the function, its first body line.
//
// Go: Delve's rule. The Go compiler marks the end of the prologue (the
// stack-growth check) with DW_LNS_set_prologue_end; the breakpoint goes
// there, else past the stack-check pattern, else on the entry.

// funcStart returns the link-time address a breakpoint on function block b
// gets (skip) or its entry pc (!skip).
func (im *Image) funcStart(u *unit, b *block, skip bool) uint64 {
	entry := b.entry()
	if !skip {
		return entry
	}
	u.load()
	if isGoProducer(u.producer) {
		if b.kind == funcBlock {
			return im.goPrologueEnd(u, b)
		}
		return entry
	}
	if u.locationsValid() {
		return entry
	}
	if b.kind != funcBlock {
		// An inlined copy: gdb skips the prologue of the function it
		// sits in and keeps the copy's entry unless that is earlier.
		f := b
		for f != nil && f.kind != funcBlock {
			f = f.parent
		}
		if f == nil {
			return entry
		}
		return max(entry, im.funcStart(u, f, true))
	}
	pc := im.analyzePrologue(entry)
	lt := u.lineTable()
	if lt == nil {
		return pc
	}
	row := lt.find(pc)
	if row.hasLine && row.pc != pc && entry <= row.end && row.end < b.end() {
		pc = row.end
	}
	return pc
}

// skipPrologueNoDebug is gdb's rule for a function known only from the
// ELF symbol table.
func (im *Image) skipPrologueNoDebug(a uint64) uint64 {
	pc := im.analyzePrologue(a)
	row, _ := im.lineAt(pc)
	if row.hasLine && row.pc != pc {
		s1, ok1 := im.symbolAt(pc)
		s2, ok2 := im.symbolAt(row.end)
		if ok1 && ok2 && s1 == s2 {
			pc = row.end
		}
	}
	return pc
}

// analyzePrologue recognises the frame set-up gdb's
// amd64_analyze_prologue does and returns the address after it, or a
// itself when the function sets up no frame pointer.
func (im *Image) analyzePrologue(a uint64) uint64 {
	var buf [8]byte
	if !im.readCode(a, buf[:]) {
		return a
	}
	code := buf[:]
	pc := a
	if bytes.HasPrefix(code, []byte{0xf3, 0x0f, 0x1e, 0xfa}) { // endbr64
		code, pc = code[4:], pc+4
	}
	if code[0] != 0x55 { // push %rbp
		return a
	}
	switch {
	case bytes.HasPrefix(code[1:], []byte{0x48, 0x89, 0xe5}), bytes.HasPrefix(code[1:], []byte{0x48, 0x8b, 0xec}):
		return pc + 4 // movq %rsp,%rbp
	case bytes.HasPrefix(code[1:], []byte{0x89, 0xe5}), bytes.HasPrefix(code[1:], []byte{0x8b, 0xec}):
		return pc + 3 // movl %esp,%ebp
	}
	return a
}

// locationsValid is gdb's test for trusting variable locations at a
// function's first instruction: gcc >= 4.5 and the unit uses location
// lists (that is, it was optimised).
func (u *unit) locationsValid() bool {
	if !u.hasLoclist {
		return false
	}
	p := u.producer
	if !strings.HasPrefix(p, "GNU ") {
		return false
	}
	// "GNU C17 12.2.0 -mtune=generic ...": the version is the first
	// word that starts with a digit.
	for _, w := range strings.Fields(p)[1:] {
		if w == "" || w[0] < '0' || w[0] > '9' {
			continue
		}
		parts := strings.SplitN(w, ".", 3)
		major, _ := strconv.Atoi(parts[0])
		minor := 0
		if len(parts) > 1 {
			minor, _ = strconv.Atoi(parts[1])
		}
		return major > 4 || (major == 4 && minor >= 5)
	}
	return false
}

// goPrologueEnd places a breakpoint on a Go function the way Delve does.
func (im *Image) goPrologueEnd(u *unit, b *block) uint64 {
	entry := b.entry()
	lt := u.lineTable()
	if lt != nil {
		i := sort.Search(len(lt.prologueEnds), func(i int) bool { return lt.prologueEnds[i] >= entry })
		if i < len(lt.prologueEnds) && b.contains(lt.prologueEnds[i]) {
			return lt.prologueEnds[i]
		}
	}
	return entry
}
