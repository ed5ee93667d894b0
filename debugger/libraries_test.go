package debugger

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// Breakpoints follow the program: library functions set at the entry
// stop, libraries loaded and unloaded again and again, and exec.

// hitsIn sums the hits of a breakpoint's locations in the image whose
// path contains lib (e.g. "/libc.so"), and says how many there are.
func hitsIn(s *Session, info breakpoints.Info, lib string) (hits uint64, locs int) {
	for _, l := range info.Locations {
		if im := s.Symbols().ImageAt(l.Addr); im != nil && strings.Contains(im.Path, lib) {
			hits += l.Hits
			locs++
		}
	}
	return hits, locs
}

// TestLibraryFunctionAtEntry: `calloc` and `opendir` set at the entry
// stop, where only ld.so (which has inlined copies of both) is loaded,
// also get libc's definitions when libc loads, as gdb's do, and count the
// program's own calls exactly: calloc as a counting breakpoint, opendir as
// one that stops, with the program's caller main on the stack each time.
func TestLibraryFunctionAtEntry(t *testing.T) {
	prog := buildC(t, "libcalls.c", "-O2")
	const callocs, opendirs = 300, 25
	args := []string{fmt.Sprint(callocs), fmt.Sprint(opendirs), "0"}
	want := testharness.NativeOK(t, prog, args...)
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Args: args, Stdout: &out})
	cbp, err := s.SetBreakpoint(breakpoints.Spec{Location: "calloc", Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	obp, err := s.SetBreakpoint(breakpoints.Spec{Location: "opendir"})
	if err != nil {
		t.Fatal(err)
	}
	if _, n := hitsIn(s, cbp, "/libc.so"); n != 0 {
		t.Fatalf("libc is loaded at the entry stop already: %+v", cbp)
	}
	s.ContinueAll()
	var stops, fromMain int
	drain(t, s, func(ev Event) {
		stops++
		// frame 0 is opendir's inlined invalid_name, 1 opendir, then main.
		if frames, err := s.Stack(ev.Tid, 3); err == nil && len(frames) == 3 && strings.HasSuffix(frames[1].Function, "opendir") && frames[2].Function == "main" {
			fromMain++
		} else if stops == 1 {
			t.Logf("first stop's frames: %+v (%v)", frames, err)
		}
		s.Continue(ev.Tid, false)
	})
	s.Wait()
	c, _ := s.Breakpoint(cbp.ID)
	o, _ := s.Breakpoint(obp.ID)
	if hits, n := hitsIn(s, c, "/libc.so"); n != 1 || hits != callocs {
		t.Errorf("calloc: %d hits at %d locations in libc, want %d at 1; %+v", hits, n, callocs, c.Locations)
	}
	if hits, n := hitsIn(s, o, "/libc.so"); n != 1 || hits != opendirs {
		t.Errorf("opendir: %d hits at %d locations in libc, want %d at 1; %+v", hits, n, opendirs, o.Locations)
	}
	if _, n := hitsIn(s, c, "/ld-linux"); n == 0 {
		t.Errorf("calloc lost ld.so's inlined copies (gdb keeps them): %+v", c.Locations)
	}
	if stops != opendirs || fromMain != opendirs {
		t.Errorf("%d stops at opendir, %d called from main; want %d of each", stops, fromMain, opendirs)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// buildDlcycle builds the dlopen/dlclose loop and its library.
func buildDlcycle(t *testing.T) (prog, lib string) {
	lib = testprog.BuildC(t, []string{"-O2", "-shared", "-fPIC"}, filepath.Join("testdata", "dlib.c"))
	return buildC(t, "dlcycle.c", "-O2"), lib
}

// TestPendingBreakpointEveryDlopen: breakpoints on a function and on a
// line of a library that is not loaded yet are pending; they are placed at
// every dlopen of it and taken out at every dlclose (its memory is gone:
// nothing is written there), and count every call of 100 cycles exactly.
func TestPendingBreakpointEveryDlopen(t *testing.T) {
	prog, lib := buildDlcycle(t)
	const cycles, calls = 100, 10
	args := []string{lib, fmt.Sprint(cycles), fmt.Sprint(calls)}
	want := testharness.NativeOK(t, prog, args...)
	var out, log syncBuffer
	s := launch(t, LaunchConfig{Config: Config{Log: &log}, Program: prog, Args: args, Stdout: &out})
	var ids []int
	for _, loc := range []string{"dlib_work", "dlib.c:" + fmt.Sprint(testharness.LineOf(t, "testdata/dlib.c", "DLIB_WORK"))} {
		bp, err := s.SetBreakpoint(breakpoints.Spec{Location: loc, Trace: true})
		if err != nil {
			t.Fatal(err)
		}
		if bp.Verified || !bp.Pending {
			t.Fatalf("%s before the library is loaded: %+v, want pending", loc, bp)
		}
		ids = append(ids, bp.ID)
	}
	s.ContinueAll()
	changed := map[int]int{}
	for ev := range s.Events() {
		if ev.Kind == BreakpointChanged {
			changed[ev.BreakpointID]++
		}
		if ev.Kind == Stopped {
			t.Errorf("unexpected stop %+v", ev)
			s.Continue(ev.Tid, false)
		}
	}
	s.Wait()
	for _, id := range ids {
		info, _ := s.Breakpoint(id)
		var unloaded uint64
		for _, l := range info.Unloaded {
			unloaded += l.Hits
		}
		if info.Hits != cycles*calls || unloaded != cycles*calls {
			t.Errorf("breakpoint %d: %d hits, %d in unloaded locations; want %d", id, info.Hits, unloaded, cycles*calls)
		}
		// Placed at each dlopen, taken out at each dlclose.
		if changed[id] != 2*cycles {
			t.Errorf("breakpoint %d changed %d times, want %d", id, changed[id], 2*cycles)
		}
		if !info.Pending || len(info.Locations) != 0 {
			t.Errorf("breakpoint %d after the last dlclose: %+v, want pending", id, info)
		}
	}
	if strings.Contains(log.String(), "cannot") {
		t.Errorf("engine log:\n%s", log.String())
	}
	// Only the dynamic linker's notification breakpoint is left: no site
	// in the unmapped library, whose int3 went with its memory.
	if n := s.sites.Len(); n != 1 {
		t.Errorf("%d int3 sites after the last dlclose, want 1 (ld.so's _dl_debug_state): %+v", n, s.sites.All())
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// TestBreakpointsFollowExecSelf: a program that execs itself three times
// runs work() and libc's opendir() 1,000 times in each of its four
// images; breakpoints set once at the first entry stop count all 4,000
// of each, and the locations of the images before an exec are kept as
// unloaded with their hits.
func TestBreakpointsFollowExecSelf(t *testing.T) {
	prog := buildC(t, "execself.c", "-O2")
	const gens, calls = 4, 1000
	args := []string{fmt.Sprint(gens), fmt.Sprint(calls)}
	want := testharness.NativeOK(t, prog, args...)
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Args: args, Stdout: &out})
	var ids []int
	for _, loc := range []string{"work", "opendir"} {
		bp := mustBreak(t, s, breakpoints.Spec{Location: loc, Trace: true})
		ids = append(ids, bp.ID)
	}
	s.ContinueAll()
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	s.Wait()
	for _, id := range ids {
		info, _ := s.Breakpoint(id)
		var perLoc uint64
		for _, l := range append(info.Locations, info.Unloaded...) {
			perLoc += l.Hits
		}
		// ld.so's opendir is never called by a program's start.
		if info.Hits != gens*calls || perLoc != gens*calls {
			t.Errorf("%s: %d hits (%d by location), want %d", info.Spec.Location, info.Hits, perLoc, gens*calls)
		}
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
