package symbols

import (
	"debug/dwarf"
	"debug/elf"
)

// What the expression evaluator (package eval) needs beyond lines and
// frames: the raw DWARF and ELF of an image, and which compile unit and
// function DIE cover an address. Kept in one file so that the rest of the
// package's API stays about lines, functions and stacks.

// DWARF returns the image's parsed DWARF, or nil if it has none. The
// first call reads the sections (see Image.dwarf).
func (im *Image) DWARF() *dwarf.Data { return im.dwarf() }

// ELF returns the image's own ELF file (program headers such as PT_TLS
// and PT_DYNAMIC are read from it).
func (im *Image) ELF() *elf.File { return im.exe }

// DebugELF returns the ELF file the DWARF was read from: the image itself,
// or its separate debug file. Location lists and .debug_addr live there.
func (im *Image) DebugELF() *elf.File { return im.dbg }

// UnitInfo names the compile unit and out-of-line function DIE that cover
// an address.
type UnitInfo struct {
	Unit     dwarf.Offset // DW_TAG_compile_unit
	Lang     int64        // its DW_AT_language (0 if absent)
	Function dwarf.Offset // DW_TAG_subprogram containing the address; 0 if none
	Found    bool
}

// UnitAt finds the compile unit and function containing the run-time
// address pc.
func (im *Image) UnitAt(pc uint64) UnitInfo {
	if im.dwarf() == nil {
		return UnitInfo{}
	}
	a := pc - im.Bias
	u := im.unitFor(a)
	if u == nil {
		return UnitInfo{}
	}
	ui := UnitInfo{Unit: u.off, Lang: u.lang, Found: true}
	if f := u.outerFunc(a); f != nil {
		ui.Function = f.off
	}
	return ui
}
