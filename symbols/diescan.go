package symbols

import (
	"debug/dwarf"
	"encoding/binary"
	"sort"
)

// The function index's walk (funcindex.go) with debug/dwarf's Reader
// decodes every attribute of every DIE into an Entry, strings and all:
// 200 ms of CPU for libc, nearly all of it spent on the variables, types
// and parameters the index never looks at. dieScanner walks the DIE tree
// from the raw .debug_info and .debug_abbrev instead, skipping attribute
// values by their form without decoding them, and hands to debug/dwarf
// only the DIEs that may become blocks (a subprogram or an inlined call
// with an address attribute), which are then read, ranged and named
// exactly as loading does. It visits the DIEs readChildren does, so the
// index is the same (TestFuncIndexMatchesScan runs both walks); a unit it
// cannot walk (a form it does not know, a truncated unit) is walked with
// the Reader instead.

// rawDWARF is the decompressed data of the sections the scanner reads,
// the same bytes debug/dwarf holds.
type rawDWARF struct {
	info, abbrev []byte
	headers      []unitHeader // every unit of info, by offset
}

// unitHeader is what the scanner needs of a unit's header.
type unitHeader struct {
	base      uint64 // offset of the header: references in the unit count from it
	dies, end uint64 // offset of the first DIE and of the unit's end
	vers      int
	dwarf64   bool
	addrSize  int
	abbrevOff uint64
}

// parseHeaders lists the units of info; nil if it cannot.
func parseHeaders(info []byte) []unitHeader {
	var hs []unitHeader
	order := binary.LittleEndian
	for off := uint64(0); off < uint64(len(info)); {
		if off+4 > uint64(len(info)) {
			return nil
		}
		n := uint64(order.Uint32(info[off:]))
		h := unitHeader{base: off}
		p := off + 4
		if n == 0xffffffff {
			if p+8 > uint64(len(info)) {
				return nil
			}
			n, h.dwarf64 = order.Uint64(info[p:]), true
			p += 8
		} else if n >= 0xfffffff0 {
			return nil
		}
		h.end = p + n
		if n == 0 {
			off = h.end // debug/dwarf skips empty units too
			continue
		}
		if h.end > uint64(len(info)) || p+2 > h.end {
			return nil
		}
		h.vers = int(order.Uint16(info[p:]))
		p += 2
		offSize := uint64(4)
		if h.dwarf64 {
			offSize = 8
		}
		readOff := func() uint64 {
			if h.dwarf64 {
				return order.Uint64(info[p:])
			}
			return uint64(order.Uint32(info[p:]))
		}
		switch {
		case h.vers == 5:
			if p+2+offSize > h.end {
				return nil
			}
			utype := info[p]
			h.addrSize = int(info[p+1])
			p += 2
			h.abbrevOff = readOff()
			p += offSize
			switch utype {
			case 2, 6: // DW_UT_type, DW_UT_split_type: signature and type offset
				p += 8 + offSize
			case 4, 5: // DW_UT_skeleton, DW_UT_split_compile: dwo_id
				p += 8
			}
		case h.vers >= 2 && h.vers <= 4:
			if p+offSize+1 > h.end {
				return nil
			}
			h.abbrevOff = readOff()
			p += offSize
			h.addrSize = int(info[p])
			p++
		default:
			return nil
		}
		h.dies = p
		hs = append(hs, h)
		off = h.end
	}
	return hs
}

// scanAbbrev is one abbreviation: what the scanner needs to know of a DIE
// without decoding it.
type scanAbbrev struct {
	tag      dwarf.Tag
	children bool
	hasPC    bool // a low_pc, high_pc or ranges attribute
	lo, hi   int  // the forms of its attributes, in order: abbrevTable.forms[lo:hi]
	sibling  int  // index in those of DW_AT_sibling, -1 if none
}

// abbrevTable is a unit's abbreviations by code. gcc numbers them 1, 2,
// 3...: those are in dense, the others in sparse.
type abbrevTable struct {
	dense  []scanAbbrev // code i+1
	sparse map[uint64]*scanAbbrev
	forms  []uint64 // of every abbreviation's attributes
}

func (t *abbrevTable) get(code uint64) *scanAbbrev {
	if code-1 < uint64(len(t.dense)) {
		return &t.dense[code-1]
	}
	return t.sparse[code]
}

// parseAbbrevs reads the abbreviation table at off into t, reusing its
// memory (gcc gives every unit its own table: 2000 in libc, whose
// allocation was a quarter of the index's time); false if it cannot.
func parseAbbrevs(data []byte, off uint64, t *abbrevTable) bool {
	t.dense, t.forms, t.sparse = t.dense[:0], t.forms[:0], nil
	if off >= uint64(len(data)) {
		return false
	}
	b := scanBuf{data: data, pos: off}
	var sparse []scanAbbrev
	var sparseCodes []uint64
	for {
		code := b.uleb()
		if code == 0 || b.bad {
			break
		}
		a := scanAbbrev{tag: dwarf.Tag(b.uleb()), sibling: -1, lo: len(t.forms)}
		a.children = b.u8() != 0
		for !b.bad {
			attr, form := b.uleb(), b.uleb()
			if attr == 0 && form == 0 {
				break
			}
			if form == formImplicitConst {
				b.sleb() // the value is here, not in the DIEs
			}
			switch dwarf.Attr(attr) {
			case dwarf.AttrLowpc, dwarf.AttrHighpc, dwarf.AttrRanges:
				a.hasPC = true
			case dwarf.AttrSibling:
				if a.sibling < 0 {
					a.sibling = len(t.forms) - a.lo
				}
			}
			t.forms = append(t.forms, form)
		}
		a.hi = len(t.forms)
		if code == uint64(len(t.dense))+1 && len(sparse) == 0 {
			t.dense = append(t.dense, a)
		} else {
			sparse = append(sparse, a)
			sparseCodes = append(sparseCodes, code)
		}
	}
	if b.bad {
		return false
	}
	if len(sparse) > 0 {
		t.sparse = map[uint64]*scanAbbrev{}
		for i := range sparse {
			t.sparse[sparseCodes[i]] = &sparse[i]
		}
	}
	return true
}

// The forms skip needs by name.
const (
	formAddr          = 0x01
	formBlock2        = 0x03
	formBlock4        = 0x04
	formData2         = 0x05
	formData4         = 0x06
	formData8         = 0x07
	formString        = 0x08
	formBlock         = 0x09
	formBlock1        = 0x0a
	formData1         = 0x0b
	formFlag          = 0x0c
	formSdata         = 0x0d
	formStrp          = 0x0e
	formUdata         = 0x0f
	formRefAddr       = 0x10
	formRef1          = 0x11
	formRef2          = 0x12
	formRef4          = 0x13
	formRef8          = 0x14
	formRefUdata      = 0x15
	formIndirect      = 0x16
	formSecOffset     = 0x17
	formExprloc       = 0x18
	formFlagPresent   = 0x19
	formStrx          = 0x1a
	formAddrx         = 0x1b
	formRefSup4       = 0x1c
	formStrpSup       = 0x1d
	formData16        = 0x1e
	formLineStrp      = 0x1f
	formRefSig8       = 0x20
	formImplicitConst = 0x21
	formLoclistx      = 0x22
	formRnglistx      = 0x23
	formRefSup8       = 0x24
	formStrx1         = 0x25
	formStrx2         = 0x26
	formStrx3         = 0x27
	formStrx4         = 0x28
	formAddrx1        = 0x29
	formAddrx2        = 0x2a
	formAddrx3        = 0x2b
	formAddrx4        = 0x2c
	formGNUAddrIndex  = 0x1f01
	formGNUStrIndex   = 0x1f02
	formGNURefAlt     = 0x1f20
	formGNUStrpAlt    = 0x1f21
)

// scanBuf reads little-endian DWARF data; past the end or on a malformed
// value it sets bad and reads zeros.
type scanBuf struct {
	data []byte
	pos  uint64
	bad  bool
}

func (b *scanBuf) u8() byte {
	if b.pos >= uint64(len(b.data)) {
		b.bad = true
		return 0
	}
	c := b.data[b.pos]
	b.pos++
	return c
}

func (b *scanBuf) skip(n uint64) {
	if n > uint64(len(b.data))-b.pos {
		b.bad = true
		b.pos = uint64(len(b.data))
		return
	}
	b.pos += n
}

func (b *scanBuf) fixed(n uint64) uint64 {
	if n > uint64(len(b.data))-b.pos {
		b.bad = true
		b.pos = uint64(len(b.data))
		return 0
	}
	var v uint64
	for i := n; i > 0; i-- {
		v = v<<8 | uint64(b.data[b.pos+i-1])
	}
	b.pos += n
	return v
}

func (b *scanBuf) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c := b.u8()
		if b.bad {
			return 0
		}
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		if c&0x80 == 0 {
			return v
		}
	}
}

func (b *scanBuf) sleb() {
	for {
		c := b.u8()
		if b.bad || c&0x80 == 0 {
			return
		}
	}
}

// dieScanner walks the DIEs of one unit.
type dieScanner struct {
	b       scanBuf
	h       unitHeader
	abbrevs *abbrevTable
	offSize uint64
}

// skipAttr skips one attribute value of the given form; it returns the
// value of a reference form, resolved to a section offset, for
// DW_AT_sibling.
func (s *dieScanner) skipAttr(form uint64) (ref uint64) {
	b := &s.b
	switch form {
	case formAddr:
		b.skip(uint64(s.h.addrSize))
	case formData1, formRef1, formFlag, formStrx1, formAddrx1:
		if form == formRef1 {
			return b.fixed(1) + s.h.base
		}
		b.skip(1)
	case formData2, formRef2, formStrx2, formAddrx2:
		if form == formRef2 {
			return b.fixed(2) + s.h.base
		}
		b.skip(2)
	case formStrx3, formAddrx3:
		b.skip(3)
	case formData4, formRef4, formRefSup4, formStrx4, formAddrx4:
		if form == formRef4 {
			return b.fixed(4) + s.h.base
		}
		b.skip(4)
	case formData8, formRef8, formRefSig8, formRefSup8:
		if form == formRef8 {
			return b.fixed(8) + s.h.base
		}
		b.skip(8)
	case formData16:
		b.skip(16)
	case formSdata:
		b.sleb()
	case formUdata, formStrx, formAddrx, formLoclistx, formRnglistx, formGNUAddrIndex, formGNUStrIndex:
		b.uleb()
	case formRefUdata:
		return b.uleb() + s.h.base
	case formString:
		for b.u8() != 0 && !b.bad {
		}
	case formStrp, formLineStrp, formSecOffset, formStrpSup, formGNURefAlt, formGNUStrpAlt:
		b.skip(s.offSize)
	case formRefAddr:
		if s.h.vers == 2 {
			return b.fixed(uint64(s.h.addrSize))
		}
		return b.fixed(s.offSize)
	case formBlock1:
		b.skip(b.fixed(1))
	case formBlock2:
		b.skip(b.fixed(2))
	case formBlock4:
		b.skip(b.fixed(4))
	case formBlock, formExprloc:
		b.skip(b.uleb())
	case formFlagPresent, formImplicitConst:
	case formIndirect:
		return s.skipAttr(b.uleb())
	default:
		b.bad = true
	}
	return 0
}

// die reads the DIE at the scanner's position: its offset, abbreviation
// (nil for the null entry ending a list of children) and sibling.
func (s *dieScanner) die() (off uint64, a *scanAbbrev, sibling uint64) {
	off = s.b.pos
	if off >= s.h.end {
		// The Reader would go on into the next unit: leave such a
		// unit to it.
		s.b.bad = true
		return off, nil, 0
	}
	code := s.b.uleb()
	if code == 0 || s.b.bad {
		return off, nil, 0
	}
	a = s.abbrevs.get(code)
	if a == nil {
		s.b.bad = true
		return off, nil, 0
	}
	for i, f := range s.abbrevs.forms[a.lo:a.hi] {
		ref := s.skipAttr(f)
		if i == a.sibling {
			sibling = ref
		}
	}
	return off, a, sibling
}

// skipChildren skips the children of the DIE just read, as the Reader's
// SkipChildren does: to its sibling if that is ahead, else entry by entry.
func (s *dieScanner) skipChildren(sibling uint64) {
	if sibling >= s.b.pos && sibling != 0 {
		if sibling > s.h.end {
			s.b.bad = true
			return
		}
		s.b.pos = sibling
		return
	}
	for !s.b.bad {
		_, a, sib := s.die()
		if a == nil {
			return
		}
		if a.children {
			s.skipChildren(sib)
		}
	}
}

// headerOf finds the header of the unit whose first DIE is at off.
func (raw *rawDWARF) headerOf(off dwarf.Offset) (unitHeader, bool) {
	hs := raw.headers
	i := sort.Search(len(hs), func(i int) bool { return hs[i].dies >= uint64(off) })
	if i < len(hs) && hs[i].dies == uint64(off) {
		return hs[i], true
	}
	return unitHeader{}, false
}
