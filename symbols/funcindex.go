package symbols

import (
	"debug/dwarf"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// A FUNC spec must find every function of its name and every inlined copy
// of it, in whichever compile unit they are: glibc inlines its functions
// into many units. Reading every unit's DIE tree (with its line table, for
// the inlined calls' files) at the first lookup took 0.4-1.5 s for libc,
// which VS Code's first breakpointLocations waited for. So each image has
// an index from the names a FUNC spec matches to the units that have a
// block of that name, built once by a walk over the DIEs that reads only
// what names a block; a lookup then loads just those units. The walk
// visits the DIEs readChildren turns into blocks, in the same order, and
// names them with the same function (dieNameOf), so the index finds the
// blocks a scan of every unit would (TestFuncIndexMatchesScan). It skips
// over the raw DIEs (diescan.go) and reads with debug/dwarf only those
// that may become blocks; a unit it cannot read so is walked with
// debug/dwarf's Reader (children), which is five times slower.
//
// The walk runs on every core (units are independent) when a lookup waits
// for it, or on one goroutine in the background when a front end asks for
// that (IndexInBackground), off the thread that traces the process; a
// lookup that comes meanwhile waits for it. For libc it takes 20-40 ms of
// CPU, after the 100 ms of reading DWARF.
//
// Neither .gdb_index nor .debug_names is used: they are written by
// linkers and tools on request (gdb-add-index, lld --gdb-index), which
// neither Debian's libc6-dbg nor the Go toolchain does, and their entries
// are gdb's names, not the C++ tails and Go forms a spec here matches.

// funcIndex is an image's function name index.
type funcIndex struct {
	once  sync.Once
	built atomic.Bool
	// units maps each name to the indexes in Image.units of the units
	// that define or inline a function of that name; ascending.
	units map[string][]int32
	// goNames are the names frames show for the functions of Go units,
	// sorted: the Go names a spec without a package may mean (goname.go).
	goNames []string
	// readerOnly is set, before the index is built, to index without
	// the dieScanner (tests); scanned counts the units it walked.
	readerOnly bool
	scanned    int
}

// IndexInBackground reads the image's DWARF and builds its function and
// file indexes on other goroutines, now, if that has not been done, so
// that the first lookup does not pay for them. DAP has it done for every
// image as it is loaded (Table.IndexInBackground). The table does not do
// it itself: the few hundred ms of CPU it takes as the program starts
// running shift the timing of everything else (the terminal's
// TestWatchScript, whose watchpoint must not be hit before the resume
// that follows it is reported, failed half the time), and without it a
// lookup does the same work on every core, when it is needed.
//
// The background work takes one of bgSlots and runs on one goroutine,
// yielding between units (yield), so that the debugger's own goroutines
// find a P at once. Work that a lookup waits for is done on every core
// (workers).
func (im *Image) IndexInBackground() {
	im.bg.Do(func() {
		go func() {
			bgSlots <- struct{}{}
			defer func() { <-bgSlots }()
			im.bgSerial.Store(true)
			im.funcIndex()
			im.indexFiles()
		}()
	})
}

// yield lets other goroutines run, between two pieces of background
// work. That work is a few hundred ms of CPU, and a goroutine of the
// debugger that a request or an event needs (the tracing thread's
// included) would otherwise wait for a P up to a scheduler quantum (10
// ms). It does not make the work free: on a 2-core machine shared with
// the program, the CPU it takes still slowed a resume from 0.2 to 0.3-3
// ms (see IndexInBackground). Lowering the OS priority of the background
// thread was tried too, and was no better: a thread the kernel does not
// run keeps its P.
func (im *Image) yield() {
	if im.bgSerial.Load() {
		runtime.Gosched()
	}
}

// onWorkers runs fn on n goroutines and waits for them; with n == 1 on
// the calling one.
func onWorkers(n int, fn func()) {
	if n <= 1 {
		fn()
		return
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(fn)
	}
	wg.Wait()
}

// IndexInBackground starts IndexInBackground for every image of the table
// (images already indexed cost nothing).
func (t *Table) IndexInBackground() {
	for _, im := range t.Images() {
		im.IndexInBackground()
	}
}

// bgSlots bounds the goroutines that index in the background, across
// images: one core is left to the rest of the debugger.
var bgSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// workers is how many goroutines may read the image's DWARF for a build
// (of the DWARF itself, an index): one in the background, else one per
// core.
func (im *Image) workers() int {
	if im.bgSerial.Load() {
		return 1
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// funcIndex returns the image's function index, building it at the first
// call; callers that come while it is being built wait for it.
func (im *Image) funcIndex() *funcIndex {
	im.fidx.once.Do(im.buildFuncIndex)
	return &im.fidx
}

// funcsIndexed reports whether the function index is built (tests).
func (im *Image) funcsIndexed() bool { return im.fidx.built.Load() }

// unitsNaming returns the compile units that define or inline a function
// that the FUNC spec name matches, in DWARF order.
func (im *Image) unitsNaming(name string) []*unit {
	idx := im.funcIndex().units[name]
	if len(idx) == 0 {
		return nil
	}
	units := im.allUnits()
	out := make([]*unit, len(idx))
	for i, ui := range idx {
		out[i] = units[ui]
	}
	return out
}

func (im *Image) buildFuncIndex() {
	defer im.fidx.built.Store(true)
	dw := im.dwarf()
	if dw == nil {
		return
	}
	units := im.allUnits()
	raw := im.raw
	if raw != nil && raw.headers == nil {
		raw.headers = parseHeaders(raw.info)
	}
	if im.fidx.readerOnly {
		raw = nil
	}
	parts := make([]indexPart, min(im.workers(), max(1, len(units))))
	var next, part atomic.Int64
	for w := range parts {
		parts[w] = indexPart{dw: dw, raw: raw, r: dw.Reader(), or: dw.Reader(), names: map[dwarf.Offset]dieName{}, far: map[farKey]dieName{},
			units: map[string][]int32{}, goNames: map[string]bool{}}
	}
	onWorkers(len(parts), func() {
		p := &parts[part.Add(1)-1]
		// Units are taken one at a time, as they vary in size by orders
		// of magnitude; each part's lists stay ascending.
		for {
			i := next.Add(1) - 1
			if i >= int64(len(units)) {
				return
			}
			p.unit(units[i], int32(i))
			im.yield()
		}
	})
	all, goNames := parts[0].units, parts[0].goNames
	im.fidx.scanned = parts[0].scanned
	for _, p := range parts[1:] {
		im.fidx.scanned += p.scanned
		for n, l := range p.units {
			all[n] = append(all[n], l...)
		}
		for n := range p.goNames {
			goNames[n] = true
		}
	}
	if len(parts) > 1 {
		for _, l := range all {
			if len(l) > 1 {
				slices.Sort(l)
			}
		}
	}
	im.fidx.units = all
	im.fidx.goNames = sortedKeys(goNames)
}

// indexPart is one goroutine's share of the index: its readers and what
// it found.
type indexPart struct {
	dw      *dwarf.Data
	raw     *rawDWARF                // nil: walk with the Reader only
	r, or   *dwarf.Reader            // the walk; abstract origins and specifications
	names   map[dwarf.Offset]dieName // of DIEs in the unit being walked, [lo, hi)
	far     map[farKey]dieName       // of DIEs in other units, kept for every unit
	lo, hi  dwarf.Offset
	units   map[string][]int32
	goNames map[string]bool

	scanned int // units walked by scan
	scan    dieScanner
	ab      abbrevTable // the last unit's, at abOff
	abOff   uint64
	abOK    bool
	pending []dieName // found in the unit being scanned
}

// unit indexes the blocks of u, the ui'th unit: by the fast walk if it
// can, else by the Reader's.
func (p *indexPart) unit(u *unit, ui int32) {
	clear(p.names)
	p.lo, p.hi = 0, 0
	if p.raw != nil {
		if h, ok := p.raw.headerOf(u.off); ok {
			p.lo, p.hi = dwarf.Offset(h.base), dwarf.Offset(h.end)
		}
	}
	if p.raw != nil && p.scanUnit(u) {
		p.scanned++
		for _, n := range p.pending {
			p.add(u, ui, n)
		}
		return
	}
	p.r.Seek(u.off)
	cu, err := p.r.Next()
	if err != nil || cu == nil || !cu.Children {
		return
	}
	p.children(u, ui)
}

// children walks DIEs up to the end of the current children list as
// readChildren does, indexing what it would make a function or inlined
// block.
func (p *indexPart) children(u *unit, ui int32) {
	for {
		e, err := p.r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return
		}
		switch e.Tag {
		case dwarf.TagSubprogram, dwarf.TagInlinedSubroutine, dwarf.TagLexDwarfBlock:
			rg, _ := p.dw.Ranges(e)
			if len(nonEmpty(rg)) == 0 {
				if e.Tag == dwarf.TagLexDwarfBlock && e.Children {
					p.children(u, ui)
				} else if e.Children {
					p.r.SkipChildren()
				}
				continue
			}
			if e.Tag != dwarf.TagLexDwarfBlock {
				p.add(u, ui, p.name(u, e))
			}
			if e.Children {
				p.children(u, ui)
			}
		default:
			if e.Children {
				p.r.SkipChildren()
			}
		}
	}
}

// add indexes a block named n: the names FunctionNames lists for it.
func (p *indexPart) add(u *unit, ui int32, n dieName) {
	p.addName(n.name, ui)
	p.addName(n.plain, ui)
	if n.cxx {
		for _, s := range cxxSpecNames(n.name) {
			p.addName(s, ui)
		}
	}
	if u.lang == dwLangGo && n.name != "" {
		p.goNames[n.name] = true
	}
}

func (p *indexPart) addName(s string, ui int32) {
	if s == "" {
		return
	}
	if l := p.units[s]; len(l) == 0 || l[len(l)-1] != ui {
		p.units[s] = append(l, ui)
	}
}

// name is nameOf for the walk, with the part's own cache: the walk does
// not take the image's lock, so lookups go on while it runs.
//
// The names of a unit's own DIEs are forgotten after it, those of other
// units' kept: Go inlines a package's functions into every other, whose
// inlined calls name them through DW_AT_abstract_origin in the defining
// unit, which was read again for every unit. A name depends on the unit
// that asks only through its language (C names a function by its linkage
// name, Go never demangles), so the language is part of the key.
func (p *indexPart) name(u *unit, e *dwarf.Entry) dieName {
	local := e.Offset >= p.lo && e.Offset < p.hi || p.hi == 0
	fk := farKey{e.Offset, u.isC(), u.lang == dwLangGo}
	if local {
		if n, ok := p.names[e.Offset]; ok {
			return n
		}
	} else if n, ok := p.far[fk]; ok {
		return n
	}
	n := dieNameOf(u, e, func(o dwarf.Offset) (dieName, bool) {
		p.or.Seek(o)
		oe, err := p.or.Next()
		if err != nil || oe == nil {
			return dieName{}, false
		}
		return p.name(u, oe), true
	})
	if local {
		p.names[e.Offset] = n
	} else {
		p.far[fk] = n
	}
	return n
}

// farKey is a DIE of another unit, named for a unit of a language: C, Go
// or another.
type farKey struct {
	off       dwarf.Offset
	c, goLang bool
}

// scanUnit walks u with the dieScanner, collecting in pending the names
// of its blocks; false if it could not walk all of it.
func (p *indexPart) scanUnit(u *unit) bool {
	h, ok := p.raw.headerOf(u.off)
	if !ok {
		return false
	}
	if !p.abOK || p.abOff != h.abbrevOff {
		// Go's units share one table, gcc's have one each.
		p.abOff, p.abOK = h.abbrevOff, parseAbbrevs(p.raw.abbrev, h.abbrevOff, &p.ab)
	}
	if !p.abOK {
		return false
	}
	s := &p.scan
	*s = dieScanner{b: scanBuf{data: p.raw.info[:h.end], pos: h.dies}, h: h, abbrevs: &p.ab, offSize: 4}
	if h.dwarf64 {
		s.offSize = 8
	}
	p.pending = p.pending[:0]
	_, cu, _ := s.die()
	if cu == nil {
		return false
	}
	if cu.children {
		p.scanChildren(u)
	}
	return !s.b.bad
}

// scanChildren is children on the dieScanner: only a subprogram or
// inlined call with an address attribute is read with the Reader, to be
// ranged and named as loading does; without one its ranges are empty.
// A lexical block's children are walked whether it has ranges or not
// (readChildren hangs them under it or under its parent) and it is not
// named, so it is not read.
func (p *indexPart) scanChildren(u *unit) {
	s := &p.scan
	for !s.b.bad {
		off, a, sib := s.die()
		if a == nil {
			return
		}
		switch a.tag {
		case dwarf.TagSubprogram, dwarf.TagInlinedSubroutine:
			if a.hasPC {
				p.r.Seek(dwarf.Offset(off))
				e, err := p.r.Next()
				if err != nil || e == nil {
					s.b.bad = true
					return
				}
				if rg, _ := p.dw.Ranges(e); len(nonEmpty(rg)) > 0 {
					p.pending = append(p.pending, p.name(u, e))
					if a.children {
						p.scanChildren(u)
					}
					continue
				}
			}
			if a.children {
				s.skipChildren(sib)
			}
		case dwarf.TagLexDwarfBlock:
			if a.children {
				p.scanChildren(u)
			}
		default:
			if a.children {
				s.skipChildren(sib)
			}
		}
	}
}
