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
// "src/x.c" with DW_AT_comp_dir elsewhere), and symbols matches a
// FILE:LINE spec against its own spelling of a file (joined with the
// unit's DW_AT_comp_dir: absolute when that is). So a client's path is
// turned into that spelling for breakpoints, and frames and the rest
// use symbols' spelling as it is. Files that are not on this machine are
// listing.go's.

type srcFile struct {
	name string // as symbols spells it: absolute if the unit's DW_AT_comp_dir is
}

type imageSources struct {
	files  []srcFile
	byName map[string]string // spelling -> path
}

// sourceMap caches each image's files: reading every compile unit's line
// table header of a large library is worth doing once.
type sourceMap struct {
	mu     sync.Mutex
	images map[string]*imageSources // by image path (loadedSources)
}

func (s *session) sources() *sourceMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srcs == nil {
		s.srcs = &sourceMap{images: map[string]*imageSources{}}
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
			dwarf5 := symbols.IsDWARF5(lr)
			for _, f := range lr.Files() {
				if f == nil || f.Name == "" {
					continue
				}
				// As symbols names files in frames and breakpoints.
				name := symbols.JoinCompDir(dir, f.Name, dwarf5)
				if _, ok := is.byName[name]; ok {
					continue
				}
				is.byName[name] = name
				is.files = append(is.files, srcFile{name})
			}
		}
		sort.Slice(is.files, func(i, j int) bool { return is.files[i].name < is.files[j].name })
	}
	m.images[im.Path] = is
	return is
}

// specFile turns a client's path into the spelling a FILE:LINE spec must
// use: the line table's own, when a loaded image names the file relative
// to its compile directory ("testdata/x.c" for /src/testdata/x.c). The
// longest such spelling wins. Only files of the path's base name can be
// such a spelling: they are read from symbols' file index, through the
// line tables of just the units that name them (SourceFiles would read
// every line table of libc at the client's first breakpoint request).
// Otherwise (an absolute spelling, or an image not loaded yet) the
// client's path is the best guess.
func (s *session) specFile(t *symbols.Table, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	p = filepath.Clean(p)
	best := ""
	for _, im := range t.Images() {
		for _, n := range im.SourceFilesNamed(path.Base(p)) {
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
