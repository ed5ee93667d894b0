package symbols

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/ubpdbg/ubpdbg/internal/procmaps"
)

// Table is the set of images of one address space: a process's
// executable and shared libraries (LoadProcess). Safe for concurrent use.
type Table struct {
	pid    int
	mu     sync.Mutex
	images []*Image
	// unmapped keeps the last few images that were unloaded, for a
	// program that dlopens and dlcloses the same library again and again:
	// the next load of the unchanged file reuses the image and what was
	// parsed of it (and what other packages cache per image).
	unmapped []*Image
}

// keepUnmapped is how many unloaded images a table keeps for reuse.
const keepUnmapped = 8

// LoadProcess reads /proc/PID/maps and opens every mapped ELF file at its
// load bias. Call Reload after the process has loaded more libraries.
func LoadProcess(pid int) (*Table, error) {
	t := &Table{pid: pid}
	if err := t.Reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// fileMappings returns the mappings of files (paths that start with "/").
func fileMappings(pid int) ([]procmaps.Mapping, error) {
	all, err := procmaps.Read(pid)
	var ms []procmaps.Mapping
	for _, m := range all {
		if strings.HasPrefix(m.Path, "/") {
			ms = append(ms, m)
		}
	}
	return ms, err
}

// Reload re-reads the process's mappings: it opens images for newly
// mapped files and drops images that are no longer mapped (dlclose).
func (t *Table) Reload() error {
	_, err := t.Update()
	return err
}

// Changes says which images an Update added and which it dropped.
type Changes struct {
	Added   []*Image // newly mapped (dlopen), in /proc/PID/maps order
	Removed []*Image // no longer mapped (dlclose)
}

// Update is Reload that also says what changed, so that breakpoints can
// follow: locations are added in the images that came and dropped in the
// ones that went.
func (t *Table) Update() (Changes, error) {
	var ch Changes
	if t.pid == 0 {
		return ch, nil
	}
	ms, err := fileMappings(t.pid)
	if err != nil {
		return ch, err
	}
	// The first mapping of a file (lowest address) gives its bias.
	type key struct {
		path string
		bias uint64
	}
	wanted := map[key]bool{}
	var order []key
	for _, m := range ms {
		if strings.HasSuffix(m.Path, " (deleted)") {
			continue
		}
		seen := false
		for _, k := range order {
			if k.path == m.Path {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		k := key{path: m.Path}
		bias, ok := biasOf(m)
		if !ok {
			continue
		}
		k.bias = bias
		wanted[k] = true
		order = append(order, k)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var keep []*Image
	have := map[key]bool{}
	for _, im := range t.images {
		k := key{im.Path, im.Bias}
		if wanted[k] {
			keep = append(keep, im)
			have[k] = true
		} else {
			t.setAside(im)
			ch.Removed = append(ch.Removed, im)
		}
	}
	var errs []error
	for _, k := range order {
		if have[k] {
			continue
		}
		im := t.reuse(k.path, k.bias)
		if im == nil {
			if im, err = OpenImage(k.path, k.bias); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		keep = append(keep, im)
		ch.Added = append(ch.Added, im)
	}
	t.images = keep
	if len(keep) == 0 {
		return ch, errors.Join(append(errs, fmt.Errorf("process %d: no ELF files mapped", t.pid))...)
	}
	return ch, nil
}

// setAside keeps an unloaded image for reuse, closing the oldest one kept
// beyond keepUnmapped. Caller holds t.mu.
func (t *Table) setAside(im *Image) {
	t.unmapped = append(t.unmapped, im)
	if len(t.unmapped) > keepUnmapped {
		t.unmapped[0].Close()
		t.unmapped = t.unmapped[1:]
	}
}

// reuse takes back an unloaded image of the file at path, mapped again at
// the same bias, if the file has not changed since it was opened (same
// inode, size and modification time). Caller holds t.mu.
func (t *Table) reuse(path string, bias uint64) *Image {
	id, ok := identify(path)
	if !ok {
		return nil
	}
	for i, im := range t.unmapped {
		if im.Path == path && im.Bias == bias && im.ident == id {
			t.unmapped = append(t.unmapped[:i:i], t.unmapped[i+1:]...)
			return im
		}
	}
	return nil
}

// fileIdent tells whether a file is still the one an image was read from.
type fileIdent struct {
	dev, ino, size uint64
	mtime          int64
}

func identify(path string) (fileIdent, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return fileIdent{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileIdent{}, false
	}
	return fileIdent{dev: sys.Dev, ino: sys.Ino, size: uint64(st.Size()), mtime: st.ModTime().UnixNano()}, true
}

// biasOf opens just the ELF headers of m's file to compute its bias.
func biasOf(m procmaps.Mapping) (uint64, bool) {
	f, err := openELFHeaders(m.Path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return biasFromMapping(f, m.Start, m.Offset)
}

// Images returns the table's images, executable first for a process.
func (t *Table) Images() []*Image {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*Image(nil), t.images...)
}

// ImageAt returns the image mapped at run-time address pc, or nil.
func (t *Table) ImageAt(pc uint64) *Image {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, im := range t.images {
		if im.Contains(pc) {
			return im
		}
	}
	return nil
}

// LookupPC describes a run-time address: function, file, line and the
// inlined calls it is in.
func (t *Table) LookupPC(pc uint64) PCInfo {
	if im := t.ImageAt(pc); im != nil {
		return im.LookupPC(pc)
	}
	return PCInfo{PC: pc}
}

// Resolve resolves a location spec over all images to the addresses a
// breakpoint on it gets.
func (t *Table) Resolve(spec string) ([]Location, error) {
	return resolve(t.Images(), spec, true)
}

// ResolveLines is Resolve without skipping prologues (gdb's "info line").
func (t *Table) ResolveLines(spec string) ([]Location, error) {
	return resolve(t.Images(), spec, false)
}

// Close closes all images.
func (t *Table) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, im := range append(t.images, t.unmapped...) {
		errs = append(errs, im.Close())
	}
	t.images, t.unmapped = nil, nil
	return errors.Join(errs...)
}
