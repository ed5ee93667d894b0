package symbols

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// A location spec has one of three forms:
//
//	FUNC       a function by name: the address after its prologue, and
//	           the entry of every inlined copy
//	FILE:LINE  every statement address of the line, in every inlined copy
//	           and instantiation; FILE is a base name or any path suffix;
//	           a line without code moves to the next line that has code
//	*ADDR      that exact instruction (0x... hex, or decimal)
//
// The addresses are the ones gdb's "break SPEC" picks (Resolve) or, with
// no prologue skipping, the ones "info line SPEC" reports (ResolveLines).

// Location is one address a spec resolved to.
type Location struct {
	PC       uint64 // run-time address
	Image    *Image
	Function string // function containing PC ("" if unknown)
	File     string
	Line     int
}

// ErrNotFound is wrapped by every error of a spec that matches nothing.
var ErrNotFound = errors.New("location not found")

// ErrPastEnd is wrapped, with ErrNotFound, by the error of a FILE:LINE
// spec whose file is known but has no code at or after the line: a typo,
// which no library loaded later can make right.
var ErrPastEnd = errors.New("line past the end of the file")

// pastEndError is that error: ErrNotFound and ErrPastEnd at once.
type pastEndError struct{ msg string }

func (e pastEndError) Error() string { return e.msg }

func (e pastEndError) Is(target error) bool { return target == ErrNotFound || target == ErrPastEnd }

type specKind int

const (
	specFunc specKind = iota
	specLine
	specAddr
)

type spec struct {
	kind specKind
	text string // function name or file
	line int
	addr uint64
}

// parseSpec splits a location spec into its form.
func parseSpec(s string) (spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return spec{}, errors.New("empty location spec")
	}
	if s[0] == '*' {
		a, err := strconv.ParseUint(strings.TrimSpace(s[1:]), 0, 64)
		if err != nil {
			return spec{}, fmt.Errorf("bad address in %q: want 0x-prefixed hex or decimal", s)
		}
		return spec{kind: specAddr, addr: a}, nil
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && i < len(s)-1 {
		if n, err := strconv.Atoi(s[i+1:]); err == nil {
			if n <= 0 {
				return spec{}, fmt.Errorf("bad line number in %q", s)
			}
			return spec{kind: specLine, text: s[:i], line: n}, nil
		}
	}
	return spec{kind: specFunc, text: s}, nil
}

// Resolve resolves a location spec within this image to the addresses a
// breakpoint on it gets.
func (im *Image) Resolve(spec string) ([]Location, error) {
	return resolve([]*Image{im}, spec, true)
}

// ResolveLines is Resolve without moving past function prologues: the
// addresses where the spec's lines start (gdb's "info line").
func (im *Image) ResolveLines(spec string) ([]Location, error) {
	return resolve([]*Image{im}, spec, false)
}

// ResolveIn resolves a spec in the given images only, as Resolve does
// over a table, except that an address none of them contains matches
// nothing: it is for placing breakpoints in images that were just loaded.
// It is called for every breakpoint at every library load, so a spec that
// cannot match (the usual case) is told apart quickly, by the names and
// source files the images have (errNotInImages, without formatting).
func ResolveIn(ims []*Image, spec string) ([]Location, error) {
	return resolveIn(ims, spec, true)
}

func resolveIn(ims []*Image, spec string, skip bool) ([]Location, error) {
	sp, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(ims, func(im *Image) bool { return im.mayMatch(sp) }) {
		return nil, errNotInImages
	}
	return resolve(ims, spec, skip)
}

// ResolveLinesIn is ResolveIn without skipping prologues.
func ResolveLinesIn(ims []*Image, spec string) ([]Location, error) {
	return resolveIn(ims, spec, false)
}

var errNotInImages = fmt.Errorf("%w in these images", ErrNotFound)

// quickIndex is what mayMatch needs of an image, built at its first use:
// the names a FUNC spec matches.
type quickIndex struct {
	funcsOnce sync.Once
	funcs     map[string]bool
}

// mayMatch reports whether sp can match anything in the image; false
// means resolving it there would find nothing.
func (im *Image) mayMatch(sp spec) bool {
	q := &im.quick
	switch sp.kind {
	case specAddr:
		return im.Contains(sp.addr)
	case specFunc:
		q.funcsOnce.Do(func() {
			q.funcs = map[string]bool{}
			for _, n := range im.FunctionNames() {
				q.funcs[n] = true
			}
		})
		return q.funcs[sp.text]
	}
	// A file the spec names with rows: SourceFiles would say as much,
	// but it reads every line table (170 ms for libc, at every library
	// load on the tracing thread); the file index reads those of the
	// units that name the file.
	return slices.ContainsFunc(im.filesNamed(sp.text), func(t symtab) bool { return len(t.sf.entries) > 0 })
}

func resolve(ims []*Image, text string, skip bool) ([]Location, error) {
	sp, err := parseSpec(text)
	if err != nil {
		return nil, err
	}
	var locs []Location
	switch sp.kind {
	case specAddr:
		for _, im := range ims {
			if im.Contains(sp.addr) {
				return []Location{im.location(sp.addr)}, nil
			}
		}
		// An address outside every image is still an address: the
		// user asked for exactly that instruction.
		return []Location{{PC: sp.addr}}, nil
	case specFunc:
		locs, err = resolveFunc(ims, sp.text, skip)
	case specLine:
		locs, err = resolveLine(ims, sp.text, sp.line, skip)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(locs, func(i, j int) bool { return locs[i].PC < locs[j].PC })
	return locs, nil
}

// location describes a run-time pc as a Location.
func (im *Image) location(pc uint64) Location {
	l := Location{PC: pc, Image: im}
	info := im.LookupPC(pc)
	if len(info.Frames) > 0 {
		f := info.Frames[0]
		l.Function, l.File, l.Line = f.Function, f.File, f.Line
	}
	return l
}

// resolveFunc finds every function (and inlined copy) named name, or
// else the Go function name means without its package (goname.go).
func resolveFunc(ims []*Image, name string, skip bool) ([]Location, error) {
	locs := resolveFuncExact(ims, name, skip)
	if len(locs) > 0 {
		return locs, nil
	}
	if cands := goFuncCandidates(ims, name); len(cands) > 0 {
		return resolveGoShort(ims, name, cands, skip)
	}
	return nil, fmt.Errorf("%w: no function %q", ErrNotFound, name)
}

// resolveFuncExact finds the functions (and inlined copies) that DWARF or
// the ELF symbols name name. Of DWARF it reads only the units that the
// function index says have one.
func resolveFuncExact(ims []*Image, name string, skip bool) []Location {
	var locs []Location
	seen := map[uint64]bool{}
	add := func(im *Image, pc uint64) {
		if !seen[pc] {
			seen[pc] = true
			locs = append(locs, im.location(pc))
		}
	}
	for _, im := range ims {
		found := false
		for _, u := range im.unitsNaming(name) {
			u.load()
			walkBlocks(u.funcs, func(b *block) {
				if b.kind == lexBlock || (b.name != name && b.plain != name && !(b.cxx && cxxMatches(b.name, name))) {
					return
				}
				found = true
				add(im, im.Bias+im.funcStart(u, b, skip))
			})
		}
		if found {
			continue
		}
		// No debug information names it: fall back to the ELF symbol
		// (gdb's minimal symbols).
		for _, s := range im.syms {
			if s.name == name {
				a := s.addr
				if skip {
					a = im.skipPrologueNoDebug(a)
				}
				add(im, im.Bias+a)
			}
		}
	}
	return locs
}

func walkBlocks(bs []*block, fn func(*block)) {
	for _, b := range bs {
		fn(b)
		walkBlocks(b.children, fn)
	}
}

// symtab is one source file's rows in one compile unit: the unit of
// gdb's FILE:LINE search.
type symtab struct {
	im *Image
	u  *unit
	sf *subfile
}

// fileMatches reports whether the line table's path names the file the
// user typed: the same path, or a suffix of it starting at a '/'.
func fileMatches(path, want string) bool {
	want = strings.TrimPrefix(want, "./")
	return path == want || strings.HasSuffix(path, "/"+want)
}

// resolveLine implements gdb's create_sals_line_offset: exact rows of the
// line in every matching file; else the smallest later line with code;
// then one address per block, so that a line split across several ranges
// of one scope gets one breakpoint, but each inlined copy gets its own.
func resolveLine(ims []*Image, file string, line int, skip bool) ([]Location, error) {
	var tabs []symtab
	for _, im := range ims {
		tabs = append(tabs, im.filesNamed(file)...)
	}
	if len(tabs) == 0 {
		return nil, fmt.Errorf("%w: no source file named %s", ErrNotFound, file)
	}
	type cand struct {
		t  symtab
		pc uint64 // link-time
	}
	decode := func(line int) (out []cand, best int) {
		for _, t := range tabs {
			at, next := t.sf.rowsAt(line)
			for _, r := range at {
				out = append(out, cand{t, r.pc})
			}
			if next != 0 && (best == 0 || next < best) {
				best = next
			}
		}
		return out, best
	}
	cands, best := decode(line)
	if len(cands) == 0 && best != 0 {
		cands, _ = decode(best)
	}
	if len(cands) == 0 {
		return nil, pastEndError{fmt.Sprintf("%v: no code at or after line %d in %s (%s)", ErrNotFound, line, file, nearestLines(tabs, line))}
	}
	blocks := make([]*block, len(cands))
	keep := make([]bool, len(cands))
	for i, c := range cands {
		blocks[i] = c.t.u.innermost(c.pc)
		keep[i] = true
	}
	// gdb's filter, kept literally: each pc drops the next one in the
	// same block, which in effect keeps the first pc of every block.
	for i := range cands {
		if blocks[i] == nil {
			continue
		}
		for j := i + 1; j < len(cands); j++ {
			if blocks[j] == blocks[i] {
				keep[j] = false
				break
			}
		}
	}
	var locs []Location
	for i, c := range cands {
		if !keep[i] {
			continue
		}
		a := c.pc
		if skip {
			if f := c.t.u.outerFunc(a); f != nil {
				if post := c.t.im.funcStart(c.t.u, f, true); a < post {
					a = post
				}
			}
		}
		locs = append(locs, c.t.im.location(c.t.im.Bias+a))
	}
	return locs, nil
}

// nearestLines says which lines around line have code, for errors.
func nearestLines(tabs []symtab, line int) string {
	before, after := 0, 0
	for _, t := range tabs {
		if b := t.sf.lineBefore(line); b > before {
			before = b
		}
		if _, a := t.sf.rowsAt(line); a != 0 && (after == 0 || a < after) {
			after = a
		}
	}
	switch {
	case before == 0 && after == 0:
		return "the file has no line information"
	case after == 0:
		return fmt.Sprintf("the last line with code is %d", before)
	case before == 0:
		return fmt.Sprintf("the first line with code is %d", after)
	}
	return fmt.Sprintf("nearest lines with code: %d and %d", before, after)
}
