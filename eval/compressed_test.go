package eval

import (
	"debug/elf"
	"path/filepath"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestCompressedDWARF evaluates the -O2 program's variables (many in
// location lists) with its debug sections compressed, as Debian's -dbg and
// -dbgsym files are. Such an image has .debug_loclists and no .debug_loc,
// so no unit's DWARF version is read: in a compressed .debug_info that
// read decompresses the section from its start up to the unit, which made
// a backtrace with arguments in libjvm.so's debug file take seconds.
func TestCompressedDWARF(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O2", "-gdwarf-5", "-gz=zlib", "-pthread", "-no-pie"}, filepath.Join("testdata", "cvars", "cvars.c"))
	f, err := elf.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	info, loc, loclists := f.Section(".debug_info"), f.Section(".debug_loc"), f.Section(".debug_loclists")
	f.Close()
	if info == nil || info.Flags&elf.SHF_COMPRESSED == 0 || loclists == nil || loc != nil {
		t.Skip("gcc -gz=zlib -gdwarf-5 did not give compressed .debug_info with .debug_loclists alone")
	}
	s := launch(t, prog, "x")
	s.next("compute")
	c := s.context("compute")
	args, err := c.Args()
	dump(t, "arg", args, err)
	checkPrinted(t, c, s, true)
	checkArgs(t, args, []string{"n", "scale", "o"})
	ii := infoFor(c.im)
	ii.mu.Lock()
	defer ii.mu.Unlock()
	if len(ii.units) == 0 {
		t.Fatal("no unit was looked at: the test shows nothing")
	}
	for off, u := range ii.units {
		if u.versionRead {
			t.Errorf("unit %#x: its DWARF version was read, with only .debug_loclists to choose", off)
		}
	}
}
