package trace

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/internal/sessiontest"
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
	s := sessiontest.Launch(t, debugger.LaunchConfig{Program: prog, Stdout: &out})
	var rec recorder
	locs, err := Place(s, []string{"work", "no_such_function"}, true, "i={i}", false, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	report, status := Run(s, false, locs, nil, &rec, make(chan os.Signal), os.Stderr)

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

// TestTraceWatch: a watched global logs every change, in order and each
// once, by the one thread that writes it, and the report counts them and
// has the last value; the program's output is its native one.
func TestTraceWatch(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, "../debugger/testdata/watched.c")
	native := testharness.Native(t, prog)
	var final int
	if _, err := fmt.Sscanf(native.Stdout, "shared %d", &final); err != nil || final < 2 {
		t.Fatalf("native output %q", native.Stdout)
	}
	var out testprog.Output
	s := sessiontest.Launch(t, debugger.LaunchConfig{Program: prog, Stdout: &out})
	watched, err := Watch(s, []string{"shared"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Watch(s, []string{"no_such_global"}); err == nil {
		t.Error("watching no_such_global succeeded")
	}
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	report, status := Run(s, false, nil, watched, &rec, make(chan os.Signal), os.Stderr)
	if status != 0 || out.String() != native.Stdout {
		t.Errorf("status %d, output %q; want 0, %q", status, out.String(), native.Stdout)
	}
	if len(report.Watches) != 1 || report.Watches[0].Changes != final || report.Watches[0].Value != strconv.Itoa(final) {
		t.Errorf("report %+v, want %d changes ending at %d", report.Watches, final, final)
	}
	thread := ""
	for i, h := range rec.hits {
		var from, to int
		var tid, where string
		if n, _ := fmt.Sscanf(h, "shared: %d -> %d (thread %s in %s", &from, &to, &tid, &where); n != 4 || from != i || to != i+1 || where != "worker" {
			t.Errorf("line %d: %q, want shared: %d -> %d by worker", i, h, i, i+1)
		}
		if thread != "" && tid != thread {
			t.Errorf("line %d by thread %s, earlier ones by %s", i, tid, thread)
		}
		thread = tid
	}
	if len(rec.hits) != final {
		t.Errorf("%d lines, want %d", len(rec.hits), final)
	}
}
