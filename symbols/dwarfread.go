package symbols

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"io"
	"runtime"
	"strings"
	"sync"
)

// readDWARF is debug/elf's File.DWARF made cheaper for the files a
// debugger meets: it reads only the sections debug/dwarf keeps, and all of
// them at once. File.DWARF decompresses every .debug_* section one after
// another, location lists and aranges included, which debug/dwarf then
// drops (package eval reads the location lists itself, from DebugELF): for
// libc's debug file (compressed, 4 MB) that was 150 ms of a 200 ms open.
// Decompressing .debug_info, the largest, alongside the others makes the
// read about as long as that section's alone.
//
// Files whose DWARF sections need relocating (ET_REL objects, the odd
// shared object with .rela.debug_*) and DWARF 4 type units go through
// File.DWARF, which knows how; they get no rawDWARF, which the function
// index's fast walk (diescan.go) reads.
//
// With serial, the sections are read one after another, yielding the
// CPU now and then (see Image.yield): for the background.
func readDWARF(f *elf.File, serial bool) (*dwarf.Data, *rawDWARF, error) {
	// The sections dwarf.New takes, and those AddSection keeps.
	const nNew = 5
	names := [...]string{"abbrev", "info", "str", "line", "ranges", "addr", "line_str", "str_offsets", "rnglists"}
	var secs [len(names)]*elf.Section
	for i, s := range f.Sections {
		var suffix string
		switch {
		case strings.HasPrefix(s.Name, ".debug_"):
			suffix = s.Name[len(".debug_"):]
		case strings.HasPrefix(s.Name, ".zdebug_"):
			suffix = s.Name[len(".zdebug_"):]
		default:
			continue
		}
		if suffix == "types" || f.Type != elf.ET_EXEC && hasRelocations(f, i) {
			d, err := f.DWARF()
			return d, nil, err
		}
		for j, n := range names {
			if n == suffix && secs[j] == nil {
				secs[j] = s
			}
		}
	}
	var (
		data [len(names)][]byte
		errs [len(names)]error
		wg   sync.WaitGroup
	)
	for i, s := range secs {
		if s == nil {
			continue
		}
		read := func() {
			var b []byte
			var err error
			if serial {
				b, err = readYielding(s)
			} else {
				b, err = s.Data()
			}
			if err != nil && uint64(len(b)) < s.Size {
				errs[i] = err // File.DWARF keeps a section that was read whole despite an error
			}
			data[i] = b
		}
		if serial {
			read()
		} else {
			wg.Go(read)
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	d, err := dwarf.New(data[0], nil, nil, data[1], data[3], nil, data[4], data[2])
	if err != nil {
		return nil, nil, err
	}
	for i := nNew; i < len(names); i++ {
		if data[i] != nil {
			if err := d.AddSection(".debug_"+names[i], data[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	var raw *rawDWARF
	if f.ByteOrder == binary.LittleEndian {
		raw = &rawDWARF{info: data[1], abbrev: data[0]}
	}
	return d, raw, nil
}

// hasRelocations reports whether a relocation section of f applies to
// section i.
func hasRelocations(f *elf.File, i int) bool {
	for _, r := range f.Sections {
		if (r.Type == elf.SHT_RELA || r.Type == elf.SHT_REL) && int(r.Info) == i {
			return true
		}
	}
	return false
}

// readYielding is Section.Data that lets other goroutines run after each
// 64 KB: decompressing libc's .debug_info takes 60 ms in one go.
func readYielding(s *elf.Section) ([]byte, error) {
	r := s.Open()
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		runtime.Gosched()
	}
}
