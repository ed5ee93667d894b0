package symbols

import (
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestFuncIndexMatchesScan: the function index names the same units as a
// scan of every unit's blocks does, for every name, and a function
// breakpoint found through it gets the locations the scan gives (the way
// every FUNC spec was resolved before the index): in libc (with its debug
// file, if installed), a C program built with inlining, a C++ and a Go
// program.
func TestFuncIndexMatchesScan(t *testing.T) {
	needTools(t, "gcc", "g++", "go")
	t.Parallel()
	bins := map[string]string{
		"c":      testprog.BuildC(t, []string{"-O2"}, abs(t, "testdata/lines.c")),
		"c-dw4":  testprog.BuildC(t, []string{"-O2", "-gdwarf-4"}, abs(t, "testdata/lines.c")),
		"cxx":    testprog.BuildCXX(t, []string{"-O0"}, abs(t, "testdata/cxxnames.cpp")),
		"cxx-O2": testprog.BuildCXX(t, []string{"-O2", "-gdwarf-4", "-fdebug-types-section"}, abs(t, "testdata/cxxnames.cpp")),
		"go":     testprog.BuildGo(t, testprog.GoOpts[0].Flags, "./testdata/goprog"),
	}
	if _, err := os.Stat("/lib/x86_64-linux-gnu/libc.so.6"); err == nil {
		bins["libc"] = "/lib/x86_64-linux-gnu/libc.so.6"
	}
	for name, bin := range bins {
		// Both walks: the dieScanner's, which must take every unit of
		// these, and the Reader's, which it falls back to; and the
		// scanner's on one goroutine, in the background.
		for _, walk := range []string{"scan", "reader", "background"} {
			readerOnly := walk == "reader"
			t.Run(name+"/"+walk, func(t *testing.T) {
				im, err := OpenImage(bin, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer im.Close()
				if !im.HasDWARF() {
					t.Skipf("%s has no DWARF", bin)
				}
				im.fidx.readerOnly = readerOnly
				if walk == "background" {
					im.IndexInBackground()
					testharness.Until(t, "the index built in the background", im.funcsIndexed, nil)
					if !im.bgSerial.Load() {
						t.Fatal("the background did not build the index")
					}
				}
				checkFuncIndex(t, im, walk == "scan")
				// Type units (-fdebug-types-section) need File.DWARF,
				// whose sections the scanner does not get.
				want := len(im.allUnits())
				if readerOnly || name == "cxx-O2" {
					want = 0
				}
				if im.fidx.scanned != want {
					t.Errorf("the dieScanner walked %d units, want %d", im.fidx.scanned, want)
				}
			})
		}
	}
}

// checkFuncIndex compares the image's function index with a scan of its
// blocks and, if resolve, function breakpoints found through it with
// those found by the scan.
func checkFuncIndex(t *testing.T, im *Image, resolve bool) {
	// The scan: every block of every unit, named as loading names them.
	units := im.allUnits()
	want := map[string][]int32{}
	wantGo := map[string]bool{}
	var cxx []*block
	for i, u := range units {
		u.load()
		walkBlocks(u.funcs, func(b *block) {
			if b.kind == lexBlock {
				return
			}
			for _, n := range []string{b.name, b.plain} {
				if n != "" && !slices.Contains(want[n], int32(i)) {
					want[n] = append(want[n], int32(i))
				}
			}
			if b.cxx {
				cxx = append(cxx, b)
			}
			if u.lang == dwLangGo && b.name != "" {
				wantGo[b.name] = true
			}
		})
	}
	// C++ blocks match more names than their own (cxxMatches): every
	// name of the image is tried on each.
	var all []string
	for n := range want {
		all = append(all, n)
	}
	for _, b := range cxx {
		for _, n := range cxxSpecNames(b.name) {
			if _, ok := want[n]; !ok {
				want[n] = nil
				all = append(all, n)
			}
		}
	}
	for _, b := range cxx {
		ui := int32(slices.Index(units, b.u))
		for _, n := range all {
			if cxxMatches(b.name, n) && !slices.Contains(want[n], ui) {
				want[n] = append(want[n], ui)
			}
		}
	}
	for n := range want {
		slices.Sort(want[n])
	}
	idx := im.funcIndex()
	if !im.funcsIndexed() {
		t.Fatal("funcIndex returned before the index was built")
	}
	for n, w := range want {
		if got := idx.units[n]; !slices.Equal(got, w) {
			t.Errorf("index: %q is in units %v, the scan finds it in %v", n, got, w)
		}
	}
	for n := range idx.units {
		if _, ok := want[n]; !ok {
			t.Errorf("index: %q, which no block is named", n)
		}
	}
	if got, w := idx.goNames, sortedKeys(wantGo); !slices.Equal(got, w) {
		t.Errorf("index: %d Go names, the scan has %d", len(got), len(w))
	}

	if !resolve {
		return
	}
	// End to end, through the index and through the scan: every name of
	// a small program, a sample of libc's.
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range want {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) > 1000 {
		r := rand.New(rand.NewPCG(1, 2))
		r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		names = append(names[:1000], "malloc", "free", "memcpy", "qsort", "printf", "abort", "raise", "__libc_start_main")
	}
	t.Logf("%d units, %d names, %d compared", len(units), len(want), len(names))
	for _, n := range names {
		for _, skip := range []bool{true, false} {
			got := resolveFuncExact([]*Image{im}, n, skip)
			w := resolveFuncScan(im, n, skip)
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%q (skip %v): index gives %+v, scan %+v", n, skip, got, w)
			}
		}
	}
}

// resolveFuncScan is resolveFuncExact as it was before the function index:
// every block of every unit is tried.
func resolveFuncScan(im *Image, name string, skip bool) []Location {
	var locs []Location
	seen := map[uint64]bool{}
	add := func(pc uint64) {
		if !seen[pc] {
			seen[pc] = true
			locs = append(locs, im.location(pc))
		}
	}
	found := false
	for _, u := range im.allUnits() {
		u.load()
		walkBlocks(u.funcs, func(b *block) {
			if b.kind == lexBlock || (b.name != name && b.plain != name && !(b.cxx && cxxMatches(b.name, name))) {
				return
			}
			found = true
			add(im.Bias + im.funcStart(u, b, skip))
		})
	}
	if !found {
		for _, s := range im.syms {
			if s.name == name {
				a := s.addr
				if skip {
					a = im.skipPrologueNoDebug(a)
				}
				add(im.Bias + a)
			}
		}
	}
	return locs
}

// TestFuncIndexInBackground: lookups that come while the index is being
// built wait for it and get what they would after (run with -race).
func TestFuncIndexInBackground(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	bin := testprog.BuildC(t, []string{"-O2"}, abs(t, "testdata/lines.c"))
	ref, err := OpenImage(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	want, err := ref.Resolve("twice")
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		im, err := OpenImage(bin, 0)
		if err != nil {
			t.Fatal(err)
		}
		im.IndexInBackground()
		done := make(chan []Location)
		go func() {
			locs, _ := im.Resolve("twice")
			done <- locs
		}()
		im.LookupPC(want[0].PC) // loads a unit while the index may be walking it
		got := <-done
		if len(got) != len(want) {
			t.Fatalf("with the index being built: %+v, want %+v", got, want)
		}
		for i := range got {
			if got[i].PC != want[i].PC || got[i].Function != want[i].Function {
				t.Errorf("with the index being built: %+v, want %+v", got[i], want[i])
			}
		}
		im.Close()
	}
}
