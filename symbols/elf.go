package symbols

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/go-delve/delve/pkg/dwarf/frame"
)

// Image is one ELF object (executable or shared library) loaded at a bias:
// a run-time address is the link-time address plus Bias. Its DWARF comes
// from the file itself or from a separate debug file. An Image is safe for
// concurrent use; DWARF is read lazily, its sections at the first use and
// its compile units one at a time, so a large library costs little until
// it is looked at.
type Image struct {
	Path      string // the ELF file
	DebugPath string // the file with the DWARF; "" if there is none (HasDWARF: could it be read)
	BuildID   string // GNU build-id in hex, "" if none
	Bias      uint64 // load bias: run-time address minus link-time address
	Go        bool   // the binary was built by the Go toolchain

	exe    *elf.File
	dbg    *elf.File // separate debug file, or exe
	dwOnce sync.Once
	dwRead atomic.Bool // dwOnce has run: dw is final
	dw     *dwarf.Data // set by dwOnce: read it through dwarf()
	raw    *rawDWARF   // set by dwOnce: the bytes of dw, for diescan.go; nil if not at hand
	syms   []elfSym    // function symbols by link-time address

	lo, hi uint64    // link-time extent of the PT_LOAD segments
	ident  fileIdent // the file it was opened from (Table.reuse)

	mu          sync.Mutex
	units       []*unit
	unitsLoaded bool
	files       fileIndex // source files by base name, built at the first FILE:LINE
	names       map[dwarf.Offset]dieName
	fdes        frame.FrameDescriptionEntries
	fdesLoaded  bool

	quick    quickIndex  // see ResolveIn
	fidx     funcIndex   // function names to compile units (funcindex.go)
	bg       sync.Once   // IndexInBackground started
	bgSerial atomic.Bool // the background builds what is not built yet, on one goroutine
}

// elfSym is a function symbol from .symtab or .dynsym.
type elfSym struct {
	name       string
	addr, size uint64
}

// OpenImage opens the ELF file at path as if loaded at bias (0 for a
// non-PIE executable or to work in link-time addresses). It looks for a
// separate debug file when the binary has no DWARF of its own. A binary
// without any DWARF still opens: ELF symbols then name its functions.
func OpenImage(path string, bias uint64) (*Image, error) {
	id, _ := identify(path) // before the open: a file changed meanwhile is never reused
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	if f.Machine != elf.EM_X86_64 {
		f.Close()
		return nil, fmt.Errorf("%s: machine %v is not supported, only x86-64", path, f.Machine)
	}
	im := &Image{Path: path, Bias: bias, exe: f, dbg: f, names: map[dwarf.Offset]dieName{}, ident: id}
	im.BuildID = buildID(f)
	im.Go = f.Section(".go.buildinfo") != nil || f.Section(".gopclntab") != nil
	im.lo, im.hi = ^uint64(0), 0
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			im.lo = min(im.lo, p.Vaddr)
			im.hi = max(im.hi, p.Vaddr+p.Memsz)
		}
	}
	if !hasDWARF(f) {
		if p := findDebugFile(path, f, im.BuildID); p != "" {
			if d, err := elf.Open(p); err == nil {
				if hasDWARF(d) {
					im.dbg, im.DebugPath = d, p
				} else {
					d.Close()
				}
			}
		}
	} else {
		im.DebugPath = path
	}
	// The DWARF sections are not read here: decompressing libc's takes
	// 100-200 ms, which a library load on the ptrace thread must not pay.
	// dwarf() reads them at the first use, IndexInBackground before it.
	im.loadSymbols()
	return im, nil
}

// dwarf returns the image's DWARF, reading its sections at the first call
// (later and concurrent callers wait for that one); nil if it has none or
// it cannot be read.
func (im *Image) dwarf() *dwarf.Data {
	im.dwOnce.Do(func() {
		if im.DebugPath == "" {
			return
		}
		if d, raw, err := readDWARF(im.dbg, im.bgSerial.Load()); err == nil {
			enterEveryUnit(d)
			im.dw, im.raw = d, raw
		}
		im.dwRead.Store(true)
	})
	return im.dw
}

// enterEveryUnit moves a Reader through every unit of d. A Reader that
// first enters a DWARF 5 unit fills in the unit's base offsets (of its
// strings, addresses, range lists) in d itself, without a lock: two
// goroutines entering it at once race, and one may read a string through
// an offset not yet set. The image's DWARF is read by several goroutines
// (the function and file indexes, lookups, the expression evaluator), so
// every unit is entered once here, before anyone else has d.
func enterEveryUnit(d *dwarf.Data) {
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return
		}
		r.SkipChildren() // a compile unit's: on to the next unit
	}
}

func hasDWARF(f *elf.File) bool {
	for _, n := range []string{".debug_info", ".zdebug_info"} {
		if s := f.Section(n); s != nil && s.Type != elf.SHT_NOBITS {
			return true
		}
	}
	return false
}

// Close releases the files of the image.
func (im *Image) Close() error {
	err := im.exe.Close()
	if im.dbg != im.exe {
		err = errors.Join(err, im.dbg.Close())
	}
	return err
}

// HasDWARF reports whether debugging information was found for the image
// and could be read. The first call reads the DWARF sections, unless
// IndexInBackground has already.
func (im *Image) HasDWARF() bool { return im.dwarf() != nil }

// DWARFFound is HasDWARF without waiting for the sections to be read: it
// reports whether the image has debugging information that is not known
// to be unreadable. For what a front end only displays (DAP's module
// events, sent as a library loads, while its DWARF is being read).
func (im *Image) DWARFFound() bool {
	if im.dwRead.Load() {
		return im.dw != nil
	}
	return im.DebugPath != ""
}

// Contains reports whether the run-time address pc lies in one of the
// image's loadable segments.
func (im *Image) Contains(pc uint64) bool {
	a := pc - im.Bias
	return a >= im.lo && a < im.hi
}

// loadSymbols collects function symbols from both files (the debug file
// has the full .symtab when the binary is stripped) and .dynsym.
func (im *Image) loadSymbols() {
	// Keep every name of an address (glibc has pthread_kill,
	// __pthread_kill and __GI___pthread_kill on one function): call-site
	// targets and specs are looked up by any of them.
	type key struct {
		name string
		addr uint64
	}
	seen := map[key]bool{}
	add := func(ss []elf.Symbol, err error) {
		if err != nil {
			return
		}
		for _, s := range ss {
			t := elf.ST_TYPE(s.Info)
			if (t != elf.STT_FUNC && t != elf.STT_GNU_IFUNC) || s.Value == 0 || s.Section == elf.SHN_UNDEF {
				continue
			}
			if seen[key{s.Name, s.Value}] {
				continue
			}
			seen[key{s.Name, s.Value}] = true
			im.syms = append(im.syms, elfSym{name: s.Name, addr: s.Value, size: s.Size})
		}
	}
	if im.dbg != im.exe {
		add(im.dbg.Symbols())
	}
	add(im.exe.Symbols())
	add(im.exe.DynamicSymbols())
	sort.Slice(im.syms, func(i, j int) bool { return im.syms[i].addr < im.syms[j].addr })
}

// symbolAt returns the ELF function symbol containing the link-time
// address a. Symbols of size 0 extend to the next symbol.
func (im *Image) symbolAt(a uint64) (elfSym, bool) {
	i := sort.Search(len(im.syms), func(i int) bool { return im.syms[i].addr > a }) - 1
	if i < 0 {
		return elfSym{}, false
	}
	s := im.syms[i]
	end := s.addr + s.size
	if s.size == 0 {
		end = im.hi
		if i+1 < len(im.syms) {
			end = im.syms[i+1].addr
		}
	}
	if a >= end {
		return elfSym{}, false
	}
	return s, true
}

// readCode reads link-time addressed bytes from the file's loadable
// segments (for prologue analysis and signal-trampoline detection without
// touching the process).
func (im *Image) readCode(a uint64, buf []byte) bool {
	for _, p := range im.exe.Progs {
		if p.Type != elf.PT_LOAD || a < p.Vaddr || a+uint64(len(buf)) > p.Vaddr+p.Filesz {
			continue
		}
		_, err := p.ReadAt(buf, int64(a-p.Vaddr))
		return err == nil
	}
	return false
}

// biasFromMapping computes the load bias of f from one of its mappings:
// the mapping at file offset off starts at run-time address start.
func biasFromMapping(f *elf.File, start, off uint64) (uint64, bool) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Off&^0xfff == off {
			return start - p.Vaddr&^0xfff, true
		}
	}
	return 0, false
}

// openELFHeaders opens an ELF file for its program headers only.
func openELFHeaders(path string) (*elf.File, error) { return elf.Open(path) }
