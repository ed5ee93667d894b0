package eval

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/loclist"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// imgInfo is what eval keeps per image across stops: parsed types,
// function DIE trees, location-list readers and the name indexes. Every
// Context on the same image shares it, so a breakpoint condition pays for
// DWARF parsing once, not on every hit.
type imgInfo struct {
	im *symbols.Image
	dw *dwarf.Data

	mu        sync.Mutex
	typeCache map[dwarf.Offset]godwarf.Type
	trees     map[dwarf.Offset]*godwarf.Tree
	units     map[dwarf.Offset]*unitHdr
	loc2      *loclist.Dwarf2Reader
	loc5      *loclist.Dwarf5Reader
	addrSec   *godwarf.DebugAddrSection
	sectsRead bool
	bitOffs   map[dwarf.Offset][]int64

	refsFixed map[godwarf.Type]godwarf.Type // see fixRefs

	idxOnce sync.Once
	idx     *nameIndex
}

// unitHdr is what location lists and DW_OP_addrx need of a compile unit.
type unitHdr struct {
	off         dwarf.Offset
	version     int    // DWARF version, read only when needed (versionRead)
	versionRead bool   // see version()
	base        uint64 // DW_AT_low_pc, link-time
	addrBase    uint64
	lang        int64
}

var (
	imgMu    sync.Mutex
	imgInfos = map[*symbols.Image]*imgInfo{}
)

// infoFor returns the shared per-image state. Images are few and live as
// long as their process, so the map is never pruned.
func infoFor(im *symbols.Image) *imgInfo {
	imgMu.Lock()
	defer imgMu.Unlock()
	ii := imgInfos[im]
	if ii == nil {
		ii = &imgInfo{im: im, dw: im.DWARF(), typeCache: map[dwarf.Offset]godwarf.Type{},
			trees: map[dwarf.Offset]*godwarf.Tree{}, units: map[dwarf.Offset]*unitHdr{},
			bitOffs: map[dwarf.Offset][]int64{}}
		imgInfos[im] = ii
	}
	return ii
}

// readType reads the type DIE at off.
func (ii *imgInfo) readType(off dwarf.Offset) (t godwarf.Type, err error) {
	ii.mu.Lock()
	defer ii.mu.Unlock()
	defer func() {
		// godwarf assumes well-formed DWARF; a bad DIE must not take the
		// debugger (or its ptrace thread) down.
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("reading type at %#x: %v", off, r)
		}
	}()
	t, err = godwarf.ReadType(ii.dw, 0, off, ii.typeCache)
	if err == nil {
		t = ii.fixRefs(t)
	}
	return t, err
}

// tree returns the DIE tree of the function at off, abstract origins
// resolved, ranges in run-time addresses.
func (ii *imgInfo) tree(off dwarf.Offset) (t *godwarf.Tree, err error) {
	ii.mu.Lock()
	defer ii.mu.Unlock()
	if t := ii.trees[off]; t != nil {
		return t, nil
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("reading function DIE at %#x: %v", off, r)
		}
	}()
	t, err = godwarf.LoadTree(off, ii.dw, ii.im.Bias)
	if err != nil {
		return nil, err
	}
	ii.trees[off] = t
	return t, nil
}

// unit returns the header facts of the compile unit at off.
func (ii *imgInfo) unit(off dwarf.Offset) *unitHdr {
	ii.mu.Lock()
	defer ii.mu.Unlock()
	if u := ii.units[off]; u != nil {
		return u
	}
	u := &unitHdr{off: off}
	r := ii.dw.Reader()
	r.Seek(off)
	if e, err := r.Next(); err == nil && e != nil {
		u.base, _ = e.Val(dwarf.AttrLowpc).(uint64)
		u.addrBase = uint64(intAttr(e, dwarf.AttrAddrBase))
		u.lang = intAttr(e, dwarf.AttrLanguage)
	}
	ii.units[off] = u
	return u
}

// version returns the unit's DWARF version (ii.mu held). It decides
// between .debug_loc and .debug_loclists for DW_FORM_sec_offset locations,
// so findLoc asks only when the image has both: reading it is cheap in an
// uncompressed .debug_info but, in a compressed one (the -dbg and -dbgsym
// packages' debug files are), a Seek decompresses the section from its
// start up to the unit, seconds in a large library.
func (ii *imgInfo) version(u *unitHdr) int {
	if !u.versionRead {
		u.version, u.versionRead = ii.unitVersion(u.off), true
	}
	return u.version
}

// unitVersion reads the DWARF version from the unit header, which
// debug/dwarf does not expose.
func (ii *imgInfo) unitVersion(off dwarf.Offset) int {
	s := ii.im.DebugELF().Section(".debug_info")
	if s == nil {
		return 4
	}
	r := s.Open()
	var hdr [14]byte
	if _, err := r.Seek(int64(off), io.SeekStart); err != nil {
		return 4
	}
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 4
	}
	if binary.LittleEndian.Uint32(hdr[:]) == 0xffffffff {
		return int(binary.LittleEndian.Uint16(hdr[12:]))
	}
	return int(binary.LittleEndian.Uint16(hdr[4:]))
}

// sections loads the location-list and address sections once.
func (ii *imgInfo) sections() {
	if ii.sectsRead {
		return
	}
	ii.sectsRead = true
	f := ii.im.DebugELF()
	if b := sectionData(f, ".debug_loc"); b != nil {
		ii.loc2 = loclist.NewDwarf2Reader(b, 8)
	}
	if b := sectionData(f, ".debug_loclists"); b != nil {
		ii.loc5 = loclist.NewDwarf5Reader(b)
	}
	if b := sectionData(f, ".debug_addr"); b != nil {
		ii.addrSec = godwarf.ParseAddr(b)
	}
}

func sectionData(f *elf.File, name string) []byte {
	s := f.Section(name)
	if s == nil || s.Type == elf.SHT_NOBITS {
		return nil
	}
	b, err := s.Data()
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// findLoc returns the location expression of a location list at the
// run-time pc, or nil if the list has no entry there.
func (ii *imgInfo) findLoc(cu dwarf.Offset, off int64, class dwarf.Class, pc uint64) (instr []byte, err error) {
	u := ii.unit(cu)
	ii.mu.Lock()
	defer ii.mu.Unlock()
	ii.sections()
	defer func() {
		// Delve's readers index without bounds checks.
		if r := recover(); r != nil {
			instr, err = nil, fmt.Errorf("malformed location list at %#x", off)
		}
	}()
	var da *godwarf.DebugAddr
	if ii.addrSec != nil {
		da = ii.addrSec.GetSubsection(u.addrBase)
	}
	// Search in link-time addresses: Delve's DWARF 5 reader adds the
	// static base to offset pairs but not to start_end/startx entries, so
	// giving it a zero static base keeps every kind of entry consistent.
	base, a := u.base, pc-ii.im.Bias
	var e *loclist.Entry
	switch {
	case class == dwarf.ClassLocList:
		return nil, fmt.Errorf("DW_FORM_loclistx locations are not supported")
	case ii.loc5 != nil && (ii.loc2 == nil || ii.version(u) >= 5):
		e, err = ii.loc5.Find(int(off), 0, base, a, da)
	case ii.loc2 != nil:
		e, err = ii.loc2.Find(int(off), 0, base, a, nil)
	default:
		return nil, fmt.Errorf("location list but no .debug_loc or .debug_loclists")
	}
	if err != nil || e == nil {
		return nil, err
	}
	return e.Instr, nil
}

// debugAddr reads entry i of the unit's .debug_addr table.
func (ii *imgInfo) debugAddr(cu dwarf.Offset, i uint64) (uint64, error) {
	u := ii.unit(cu)
	ii.mu.Lock()
	defer ii.mu.Unlock()
	ii.sections()
	if ii.addrSec == nil {
		return 0, fmt.Errorf("no .debug_addr section")
	}
	return ii.addrSec.GetSubsection(u.addrBase).Get(i)
}

func intAttr(e godwarf.Entry, a dwarf.Attr) int64 {
	switch v := e.Val(a).(type) {
	case int64:
		return v
	case uint64:
		return int64(v)
	case dwarf.Offset:
		return int64(v)
	}
	return 0
}
