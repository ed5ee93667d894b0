package dap

import (
	"debug/dwarf"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ubpdbg/ubpdbg/symbols"
)

// Source paths. Clients name files by absolute path, but line tables often
// name them relative to the compile unit's directory (gcc -g src/x.c gives
// "src/x.c" with DW_AT_comp_dir elsewhere, and Go's debug/dwarf does not
// join the two for DWARF 5), and symbols matches a FILE:LINE spec against
// the line table's spelling. So we translate both ways: a client path to
// the spelling for breakpoints, a spelling to the absolute path for stack
// frames and the rest.

type srcFile struct {
	name string // as the line table spells it (cleaned, as symbols does)
	abs  string // joined with the unit's DW_AT_comp_dir
}

type imageSources struct {
	files  []srcFile
	byName map[string]string // spelling -> absolute path
}

// sourceMap caches each image's files: reading every compile unit's line
// table header of a large library is worth doing once.
type sourceMap struct {
	mu     sync.Mutex
	images map[string]*imageSources // by image path (loadedSources)
	dirs   map[unitKey]string       // compile directories
}

func (s *session) sources() *sourceMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srcs == nil {
		s.srcs = &sourceMap{images: map[string]*imageSources{}, dirs: map[unitKey]string{}}
	}
	return s.srcs
}

func (m *sourceMap) of(im *symbols.Image) *imageSources {
	m.mu.Lock()
	defer m.mu.Unlock()
	if is := m.images[im.Path]; is != nil {
		return is
	}
	is := &imageSources{byName: map[string]string{}}
	if d := im.DWARF(); d != nil {
		rd := d.Reader()
		for {
			e, err := rd.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag != dwarf.TagCompileUnit && e.Tag != dwarf.TagPartialUnit {
				rd.SkipChildren()
				continue
			}
			dir, _ := e.Val(dwarf.AttrCompDir).(string)
			lr, err := d.LineReader(e)
			rd.SkipChildren()
			if err != nil || lr == nil {
				continue
			}
			for _, f := range lr.Files() {
				if f == nil || f.Name == "" {
					continue
				}
				name := path.Clean(f.Name)
				if _, ok := is.byName[name]; ok {
					continue
				}
				abs := name
				if !path.IsAbs(name) && dir != "" {
					abs = path.Join(dir, name)
				}
				is.byName[name] = abs
				is.files = append(is.files, srcFile{name, abs})
			}
		}
		sort.Slice(is.files, func(i, j int) bool { return is.files[i].abs < is.files[j].abs })
	}
	m.images[im.Path] = is
	return is
}

// specFile turns a client's path into the spelling a FILE:LINE spec must
// use: the line table's own, when a loaded image names the file relative
// to its compile directory ("testdata/x.c" for /src/testdata/x.c). The
// longest such spelling wins. It uses symbols' own file lists, which the
// spec's resolution reads anyway, so it costs no second pass over the
// DWARF. Otherwise (an absolute spelling, or an image not loaded yet) the
// client's path is the best guess.
func (s *session) specFile(t *symbols.Table, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	p = filepath.Clean(p)
	best := ""
	for _, im := range t.Images() {
		for _, n := range im.SourceFiles() {
			if n == p {
				return p
			}
			if !path.IsAbs(n) && len(n) > len(best) && strings.HasSuffix(p, "/"+strings.TrimPrefix(n, "./")) {
				best = n
			}
		}
	}
	if best != "" {
		return best
	}
	return p
}

// absFile turns a line table's spelling of a file, at pc in image im, into
// an absolute path for the client: a relative one is joined with the
// directory of the compile unit at pc.
func (s *session) absFile(im *symbols.Image, pc uint64, name string) string {
	if name == "" || path.IsAbs(name) || im == nil {
		return name
	}
	if dir := s.sources().compDir(im, pc); dir != "" {
		return path.Join(dir, name)
	}
	return name
}

// compDir finds the DW_AT_comp_dir of the unit covering pc (cached per
// unit: every frame of a stack asks).
func (m *sourceMap) compDir(im *symbols.Image, pc uint64) string {
	u := im.UnitAt(pc)
	d := im.DWARF()
	if !u.Found || d == nil {
		return ""
	}
	key := unitKey{im.Path, u.Unit}
	m.mu.Lock()
	defer m.mu.Unlock()
	if dir, ok := m.dirs[key]; ok {
		return dir
	}
	rd := d.Reader()
	rd.Seek(u.Unit)
	var dir string
	if e, err := rd.Next(); err == nil && e != nil {
		dir, _ = e.Val(dwarf.AttrCompDir).(string)
	}
	m.dirs[key] = dir
	return dir
}

type unitKey struct {
	image string
	unit  dwarf.Offset
}
