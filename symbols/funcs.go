package symbols

import (
	"debug/dwarf"
	"sort"
)

// unit is one DWARF compile unit of an image.
type unit struct {
	im       *Image
	off      dwarf.Offset
	name     string
	compDir  string
	producer string
	lang     int64
	ranges   [][2]uint64 // link-time

	loaded     bool         // funcs, calls and hasLoclist are valid
	funcs      []*block     // out-of-line functions
	index      []rangeEntry // ranges of funcs, sorted, for pc lookup
	calls      map[uint64]callSite
	hasLoclist bool

	lines    *lineTable
	linesErr error
}

type rangeEntry struct {
	lo, hi uint64
	b      *block
}

type blockKind uint8

const (
	funcBlock   blockKind = iota // DW_TAG_subprogram with code
	inlineBlock                  // DW_TAG_inlined_subroutine
	lexBlock                     // DW_TAG_lexical_block
)

// block is a function, an inlined call or a lexical block: the scopes
// gdb builds its block tree from. Addresses are link-time.
type block struct {
	kind     blockKind
	off      dwarf.Offset
	name     string      // as frames show it (C: the linkage name if any)
	plain    string      // DW_AT_name, also matched by FUNC specs
	cxx      bool        // name is a demangled C++ name (cxxname.go)
	line     int         // declaration line of the function
	ranges   [][2]uint64 // in DWARF order: ranges[0][0] is the entry pc
	callFile string      // inlined: where the call is
	callLine int
	hasSyms  bool // declares something: gdb only makes a block then
	parent   *block
	children []*block
	u        *unit
}

func (b *block) entry() uint64 { return b.ranges[0][0] }

func (b *block) contains(a uint64) bool {
	for _, r := range b.ranges {
		if a >= r[0] && a < r[1] {
			return true
		}
	}
	return false
}

// end is the highest address of the block (for "is the next line still in
// this function" checks).
func (b *block) end() uint64 {
	var e uint64
	for _, r := range b.ranges {
		e = max(e, r[1])
	}
	return e
}

// function returns the innermost enclosing function or inlined function.
func (b *block) function() *block {
	for b != nil && b.kind == lexBlock {
		b = b.parent
	}
	return b
}

// callSite is a DW_TAG_call_site: used to rebuild frames of tail calls.
type callSite struct {
	returnPC uint64 // link-time
	tail     bool
	target   dwarf.Offset // DIE of the called function, 0 if unknown
}

// dieName is what a frame or a spec calls a function DIE.
type dieName struct {
	name  string
	plain string
	line  int
	cxx   bool // name is a demangled C++ name
}

// loadUnits scans the compile units (not their children). Caller holds mu.
func (im *Image) loadUnits() {
	if im.unitsLoaded {
		return
	}
	im.unitsLoaded = true
	if im.dwarf() == nil {
		return
	}
	r := im.dwarf().Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return
		}
		if e.Tag != dwarf.TagCompileUnit && e.Tag != dwarf.TagPartialUnit {
			r.SkipChildren()
			continue
		}
		u := &unit{im: im, off: e.Offset}
		u.name, _ = e.Val(dwarf.AttrName).(string)
		u.compDir, _ = e.Val(dwarf.AttrCompDir).(string)
		u.producer, _ = e.Val(dwarf.AttrProducer).(string)
		u.lang, _ = e.Val(dwarf.AttrLanguage).(int64)
		u.ranges, _ = im.dwarf().Ranges(e)
		im.units = append(im.units, u)
		r.SkipChildren()
	}
}

// allUnits returns every compile unit of the image.
func (im *Image) allUnits() []*unit {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.loadUnits()
	return im.units
}

// unitFor returns the compile unit covering link-time address a.
func (im *Image) unitFor(a uint64) *unit {
	for _, u := range im.allUnits() {
		for _, r := range u.ranges {
			if a >= r[0] && a < r[1] {
				return u
			}
		}
	}
	return nil
}

// isC reports whether the unit is C, whose frames gdb names by
// DW_AT_linkage_name when there is one (glibc's __GI_raise for raise).
func (u *unit) isC() bool {
	switch u.lang {
	case 0x1, 0x2, 0xc, 0x1d, 0x2c: // C89, C, C99, C11, C17
		return true
	}
	return false
}

// load reads the unit's DIE tree into blocks. Safe to call repeatedly.
func (u *unit) load() {
	im := u.im
	im.mu.Lock()
	defer im.mu.Unlock()
	if u.loaded {
		return
	}
	u.loaded = true
	u.calls = map[uint64]callSite{}
	r := im.dwarf().Reader()
	r.Seek(u.off)
	cu, err := r.Next()
	if err != nil || cu == nil || !cu.Children {
		return
	}
	root := &block{u: u}
	u.readChildren(r, root)
	u.funcs = root.children
	for _, f := range u.funcs {
		f.parent = nil
		for _, rg := range f.ranges {
			u.index = append(u.index, rangeEntry{rg[0], rg[1], f})
		}
	}
	sort.Slice(u.index, func(i, j int) bool { return u.index[i].lo < u.index[j].lo })
}

// readChildren reads DIEs up to the end of the current children list,
// hanging blocks under parent.
func (u *unit) readChildren(r *dwarf.Reader, parent *block) {
	im := u.im
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return
		}
		switch e.Tag {
		case dwarf.TagSubprogram, dwarf.TagInlinedSubroutine, dwarf.TagLexDwarfBlock:
			rg, _ := im.dwarf().Ranges(e)
			rg = nonEmpty(rg)
			if len(rg) == 0 {
				if e.Tag == dwarf.TagLexDwarfBlock && e.Children {
					// gdb reads the children of a block without
					// addresses as if it were not there.
					u.readChildren(r, parent)
				} else if e.Children {
					r.SkipChildren()
				}
				continue
			}
			b := &block{off: e.Offset, ranges: rg, parent: parent, u: u}
			switch e.Tag {
			case dwarf.TagSubprogram:
				b.kind = funcBlock
			case dwarf.TagInlinedSubroutine:
				b.kind = inlineBlock
				b.callLine = int(intVal(e, dwarf.AttrCallLine))
				b.callFile = u.fileName(intVal(e, dwarf.AttrCallFile))
				parent.hasSyms = true // the inlined function's symbol
			default:
				b.kind = lexBlock
			}
			if b.kind != lexBlock {
				n := im.nameOf(u, e)
				b.name, b.plain, b.line, b.cxx = n.name, n.plain, n.line, n.cxx
			}
			parent.children = append(parent.children, b)
			if e.Children {
				u.readChildren(r, b)
			}
			if b.kind == lexBlock && !b.hasSyms {
				// gdb makes no block for a scope that declares nothing:
				// its children belong to the parent.
				parent.children = parent.children[:len(parent.children)-1]
				for _, c := range b.children {
					c.parent = parent
				}
				parent.children = append(parent.children, b.children...)
			}
		case dwarf.TagVariable, dwarf.TagFormalParameter:
			if e.Val(dwarf.AttrName) != nil || e.Val(dwarf.AttrAbstractOrigin) != nil {
				parent.hasSyms = true
			}
			if f := e.AttrField(dwarf.AttrLocation); f != nil && (f.Class == dwarf.ClassLocListPtr || f.Class == dwarf.ClassLocList) {
				u.hasLoclist = true
			}
			if e.Children {
				r.SkipChildren()
			}
		case dwarf.TagCallSite, tagGNUCallSite:
			u.addCallSite(e)
			if e.Children {
				r.SkipChildren()
			}
		default:
			if e.Tag == dwarf.TagLabel || e.Tag == dwarf.TagTypedef || e.Tag == dwarf.TagStructType ||
				e.Tag == dwarf.TagUnionType || e.Tag == dwarf.TagEnumerationType {
				if e.Val(dwarf.AttrName) != nil && parent.kind == lexBlock {
					parent.hasSyms = true
				}
			}
			if e.Children {
				r.SkipChildren()
			}
		}
	}
}

// DWARF 5 call-site attributes and their GNU forerunners.
const (
	tagGNUCallSite      dwarf.Tag  = 0x4109
	attrMIPSLinkageName dwarf.Attr = 0x2007
	attrCallReturnPC    dwarf.Attr = 0x7d
	attrCallTailCall    dwarf.Attr = 0x82
	attrCallOrigin      dwarf.Attr = 0x7f
	attrGNUTailCall     dwarf.Attr = 0x2115
	attrGNUCallTarget   dwarf.Attr = 0x2113
)

func (u *unit) addCallSite(e *dwarf.Entry) {
	var cs callSite
	if v, ok := e.Val(attrCallReturnPC).(uint64); ok {
		cs.returnPC = v
	} else if v, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
		cs.returnPC = v // DW_TAG_GNU_call_site: low_pc is the return address
	} else {
		return
	}
	cs.tail = flagVal(e, attrCallTailCall) || flagVal(e, attrGNUTailCall)
	if o, ok := e.Val(attrCallOrigin).(dwarf.Offset); ok {
		cs.target = o
	} else if o, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
		cs.target = o
	}
	u.calls[cs.returnPC] = cs
}

func flagVal(e *dwarf.Entry, a dwarf.Attr) bool {
	v, _ := e.Val(a).(bool)
	return v
}

func intVal(e *dwarf.Entry, a dwarf.Attr) int64 {
	switch v := e.Val(a).(type) {
	case int64:
		return v
	case uint64:
		return int64(v)
	}
	return 0
}

func nonEmpty(rg [][2]uint64) [][2]uint64 {
	out := rg[:0:0]
	for _, r := range rg {
		if r[1] > r[0] && r[0] != 0 {
			out = append(out, r)
		}
	}
	return out
}

// nameOf names a function DIE, following DW_AT_abstract_origin and
// DW_AT_specification. Caller holds im.mu.
func (im *Image) nameOf(u *unit, e *dwarf.Entry) dieName {
	if n, ok := im.names[e.Offset]; ok {
		return n
	}
	n := dieNameOf(u, e, func(o dwarf.Offset) (dieName, bool) {
		r := im.dwarf().Reader()
		r.Seek(o)
		oe, err := r.Next()
		if err != nil || oe == nil {
			return dieName{}, false
		}
		return im.nameOf(u, oe), true
	})
	im.names[e.Offset] = n
	return n
}

// dieNameOf names the function DIE e of unit u (nil if unknown); origin
// names the DIE at an offset, for a DIE whose name is its abstract
// origin's or its specification's. Both nameOf and the function index
// (funcindex.go) name DIEs with it, so that they agree.
func dieNameOf(u *unit, e *dwarf.Entry, origin func(dwarf.Offset) (dieName, bool)) dieName {
	var n dieName
	n.line = int(intVal(e, dwarf.AttrDeclLine))
	ln, _ := e.Val(dwarf.AttrLinkageName).(string)
	if ln == "" {
		ln, _ = e.Val(attrMIPSLinkageName).(string)
	}
	nm, _ := e.Val(dwarf.AttrName).(string)
	n.plain = nm
	switch {
	case ln != "" && (u == nil || u.isC()):
		n.name = ln
	case ln != "" && u.lang != dwLangGo && cxxDisplayName(ln) != "":
		n.name, n.cxx = cxxDisplayName(ln), true
	default:
		n.name = nm
	}
	if n.name == "" {
		for _, a := range []dwarf.Attr{dwarf.AttrAbstractOrigin, dwarf.AttrSpecification} {
			o, ok := e.Val(a).(dwarf.Offset)
			if !ok {
				continue
			}
			on, ok := origin(o)
			if !ok {
				continue
			}
			n.name, n.plain, n.cxx = on.name, on.plain, on.cxx
			if n.line == 0 {
				n.line = on.line
			}
			break
		}
	}
	return n
}

// fileName maps a DW_AT_call_file / decl_file index to a path, through the
// unit's line table header.
func (u *unit) fileName(i int64) string {
	lt := u.lineTableLocked()
	if lt == nil || i < 0 || int(i) >= len(lt.fileIndex) || lt.fileIndex[i] == nil {
		return ""
	}
	return lt.fileIndex[i].name
}

// outerFunc returns the out-of-line function containing link-time a.
func (u *unit) outerFunc(a uint64) *block {
	u.load()
	i := sort.Search(len(u.index), func(i int) bool { return u.index[i].lo > a }) - 1
	if i >= 0 && a < u.index[i].hi {
		return u.index[i].b
	}
	return nil
}

// innermost returns the innermost block (gdb's block_for_pc) at a.
func (u *unit) innermost(a uint64) *block {
	b := u.outerFunc(a)
	for b != nil {
		var next *block
		for _, c := range b.children {
			if c.contains(a) {
				next = c
				break
			}
		}
		if next == nil {
			return b
		}
		b = next
	}
	return nil
}
