package trace

import (
	"os"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// recorder keeps what Run says; Run calls it from its own goroutine only.
type recorder struct{ hits, notes []string }

func (r *recorder) Hit(tid int, text string) { r.hits = append(r.hits, text) }
func (r *recorder) Note(text string)         { r.notes = append(r.notes, text) }

// TestTraceCountsAndExitStatus: every one of 1000 calls is counted and
// logged, the program's output and exit status are its native ones, and a
// spec that never matched is said at the end and makes the status at
// least 1 (here the program's 3 stays).
func TestTraceCountsAndExitStatus(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0"}, "testdata/calls.c")
	native := testharness.Native(t, prog)
	var out testprog.Output
	s, err := debugger.Launch(debugger.LaunchConfig{Program: prog, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rec recorder
	locs, err := Place(s, []string{"work", "no_such_function"}, true, "i={i}", false, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	report, status := Run(s, false, locs, &rec, make(chan os.Signal), os.Stderr)

	if out.String() != native.Stdout || native.Code != 3 {
		t.Errorf("output %q, want the native %q (native status %d)", out.String(), native.Stdout, native.Code)
	}
	if status != 3 || report.Exit == nil || report.Exit.Code != 3 || report.Exit.Signal != "" {
		t.Errorf("status %d, exit %+v; want 3", status, report.Exit)
	}
	var hits uint64
	pending := 0
	for _, l := range report.Locations {
		switch l.Location {
		case "work":
			hits += l.Hits
		case "no_such_function":
			if l.Address == "pending" {
				pending++
			}
		}
	}
	if hits != 1000 || pending != 1 {
		t.Errorf("work hit %d times (want 1000), %d pending rows (want 1): %+v", hits, pending, report.Locations)
	}
	if len(rec.hits) != 1000 || rec.hits[0] != "i=0\n" || rec.hits[999] != "i=999\n" {
		t.Errorf("%d logged hits, first %q", len(rec.hits), rec.hits[:min(1, len(rec.hits))])
	}
	if !strings.Contains(strings.Join(rec.notes, "\n"), "no_such_function: not found in the program or in any library it loaded") {
		t.Errorf("notes do not say the spec was never found: %q", rec.notes)
	}
}
