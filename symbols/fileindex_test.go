package symbols

import (
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestIndexLinesInBackground: the file index of every image of a real
// process (a C program waiting on its input: the program, libc, ld.so) is
// built without any lookup asking for it, and a FILE:LINE lookup then
// finds the program's line. The process is not traced.
func TestIndexLinesInBackground(t *testing.T) {
	needTools(t, "gcc")
	bin := buildC(t, t.TempDir(), "dlreopen", "-O0", abs(t, "testdata/dlreopen.c"))
	cmd := exec.Command(bin, "/nonexistent.so")
	in, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	var tab *Table
	testharness.Until(t, "the program's libc mapped", func() bool {
		var err error
		if tab != nil {
			tab.Close()
		}
		tab, err = LoadProcess(cmd.Process.Pid)
		return err == nil && len(tab.Images()) >= 3
	}, nil)
	defer tab.Close()
	tab.IndexLinesInBackground()
	testharness.Until(t, "every image's file index", func() bool {
		for _, im := range tab.Images() {
			if !im.linesIndexed() {
				return false
			}
		}
		return true
	}, nil)
	line := testharness.LineOf(t, "testdata/dlreopen.c", "h = dlopen(argv[1]")
	locs, err := tab.Resolve("dlreopen.c:" + strconv.Itoa(line))
	if err != nil || len(locs) != 1 {
		t.Fatalf("dlreopen.c:%d: %v %v", line, locs, err)
	}
}

// TestFileIndexMatchesLineTables: the file index, built from the line
// tables' headers, gives for every file name (and a suffix of each) the
// subfiles a scan of every unit's line table gives, in the same order,
// and what is read through it (SourceFilesNamed, mayMatch) agrees with
// SourceFiles: in libc (with its debug file, if installed) and a C
// program.
func TestFileIndexMatchesLineTables(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	bins := []string{testprog.BuildC(t, []string{"-O2"}, abs(t, "testdata/lines.c"))}
	if _, err := os.Stat("/lib/x86_64-linux-gnu/libc.so.6"); err == nil {
		bins = append(bins, "/lib/x86_64-linux-gnu/libc.so.6")
	}
	for _, bin := range bins {
		im, err := OpenImage(bin, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer im.Close()
		wants := map[string]bool{}
		for _, u := range im.allUnits() {
			if lt := u.lineTable(); lt != nil {
				for _, sf := range lt.files {
					wants[sf.name] = true
					wants[path.Base(sf.name)] = true
					if i := strings.IndexByte(sf.name, '/'); i >= 0 {
						wants[sf.name[i+1:]] = true
					}
				}
			}
		}
		if len(wants) == 0 {
			t.Fatalf("%s: no source files", bin)
		}
		names := slices.Sorted(maps.Keys(wants))
		if len(names) > 500 {
			r := rand.New(rand.NewPCG(3, 4))
			r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
			names = append(names[:500], "malloc.c", "malloc/malloc.c", "stdio.h", "qsort.c")
		}
		for _, want := range names {
			var scan []symtab
			for _, u := range im.allUnits() {
				if lt := u.lineTable(); lt != nil {
					for _, sf := range lt.files {
						if fileMatches(sf.name, want) {
							scan = append(scan, symtab{im, u, sf})
						}
					}
				}
			}
			if got := im.filesNamed(want); !slices.Equal(got, scan) {
				t.Errorf("%s: %q: the index gives %d files, the line tables %d", bin, want, len(got), len(scan))
			}
		}
		// SourceFilesNamed is SourceFiles for one base name, and
		// mayMatch agrees with a look at SourceFiles.
		all := im.SourceFiles()
		for _, want := range names {
			b := path.Base(want)
			var w []string
			for _, f := range all {
				if path.Base(f) == b {
					w = append(w, f)
				}
			}
			if got := im.SourceFilesNamed(b); !slices.Equal(got, w) {
				t.Errorf("%s: SourceFilesNamed(%q) = %q, SourceFiles has %q", bin, b, got, w)
			}
			sp := spec{kind: specLine, text: want, line: 1}
			if got, w := im.mayMatch(sp), slices.ContainsFunc(all, func(f string) bool { return fileMatches(f, want) }); got != w {
				t.Errorf("%s: mayMatch(%q) = %v, SourceFiles say %v", bin, want, got, w)
			}
		}
		t.Logf("%s: %d names, %d compared", bin, len(wants), len(names))
	}
}
