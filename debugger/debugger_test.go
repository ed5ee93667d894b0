package debugger

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

func buildC(t *testing.T, src, opt string) string {
	return testprog.BuildC(t, []string{opt, "-pthread"}, filepath.Join("testdata", src))
}

type syncBuffer = testprog.Output

// drain collects events until the session ends.
func drain(t *testing.T, s *Session, onStop func(Event)) []Event {
	t.Helper()
	var evs []Event
	// The whole run, not one event: a program may run long between them.
	timeout := time.After(2 * testharness.Timeout)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				return evs
			}
			evs = append(evs, ev)
			if ev.Kind == Stopped && onStop != nil {
				onStop(ev)
			}
		case <-timeout:
			t.Fatalf("the session did not end; %d events so far\n%s", len(evs), sessionState(s))
		}
	}
}

func TestCountEveryHit(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			prog := buildC(t, "hot.c", opt)
			want := testharness.NativeOK(t, prog)
			var out syncBuffer
			s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
			bp := mustBreak(t, s, breakpoints.Spec{Location: "work", HitCond: "> 1000000000"})
			if err := s.ContinueAll(); err != nil {
				t.Fatal(err)
			}
			drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
			s.Wait()
			info, _ := s.Breakpoint(bp.ID)
			if info.Hits != 80000 {
				t.Errorf("%d hits, want 80000", info.Hits)
			}
			if out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}

// TestPendingLibraryBreakpoint: a breakpoint on a libc function set before
// libc is loaded is pending (unverified, with the reason), gets placed when
// the dynamic linker loads libc, and counts every call.
func TestPendingLibraryBreakpoint(t *testing.T) {
	prog := buildC(t, "hot.c", "-O2")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	bp, err := s.SetBreakpoint(breakpoints.Spec{Location: "pthread_mutex_unlock", Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if bp.Verified || !strings.Contains(bp.Message, "pending") {
		t.Fatalf("before libc is loaded: %+v, want unverified and pending", bp)
	}
	s.ContinueAll()
	changed := false
	for ev := range s.Events() {
		if ev.Kind == BreakpointChanged && ev.BreakpointID == bp.ID {
			changed = true
		}
		if ev.Kind == Stopped {
			t.Errorf("unexpected stop %+v", ev)
			s.Continue(ev.Tid, false)
		}
	}
	s.Wait()
	info, _ := s.Breakpoint(bp.ID)
	if !changed || !info.Verified {
		t.Errorf("breakpoint not placed when libc loaded: changed=%v %+v", changed, info)
	}
	// work() unlocks once per call; libc itself may unlock a few more times.
	if info.Hits < 80000 || info.Hits > 80100 {
		t.Errorf("%d hits of pthread_mutex_unlock, want 80000 (and a few of libc's own)", info.Hits)
	}
}

// TestGoGoroutinesCountedOnce: goroutines migrate between threads and are
// preempted by signals while in XOL slots; every call still counts once
// and a logpoint shows each (goroutine, i) pair exactly once.
func TestGoGoroutinesCountedOnce(t *testing.T) {
	for _, o := range testprog.GoOpts {
		flags := o.Flags
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			prog := testprog.BuildGo(t, flags, "./testdata/gohot")
			want := testharness.NativeOK(t, prog)
			var out syncBuffer
			s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
			bp := mustBreak(t, s, breakpoints.Spec{Location: "main.work", Log: "{g} {i}"})
			s.ContinueAll()
			seen := map[string]int{}
			for ev := range s.Events() {
				if ev.Kind == Output && ev.Category == "console" {
					seen[strings.TrimSpace(ev.Text)]++
				}
				if ev.Kind == Stopped {
					t.Errorf("unexpected stop %+v", ev)
					s.Continue(ev.Tid, false)
				}
			}
			s.Wait()
			info, _ := s.Breakpoint(bp.ID)
			if info.Hits != 80000 || len(seen) != 80000 {
				t.Errorf("%d hits, %d distinct log lines; want 80000 of each", info.Hits, len(seen))
			}
			for line, n := range seen {
				if n != 1 {
					t.Errorf("%q logged %d times", line, n)
					break
				}
			}
			if out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}

// TestBreakpointsSurviveExec: after the program execs (here: itself, from
// a second thread), breakpoints are resolved again in the new image and
// hit there.
func TestBreakpointsSurviveExec(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, "../target/testdata/forkexec.c")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Args: []string{"exec"}, Stdout: &out})
	bp := mustBreak(t, s, breakpoints.Spec{Location: "main", Trace: true})
	s.ContinueAll()
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	s.Wait()
	// main runs once before the exec and once after it.
	if info, _ := s.Breakpoint(bp.ID); info.Hits != 2 || !info.Verified {
		t.Errorf("%+v: want 2 hits of main, one in each image", info)
	}
	if out.String() != "before exec\nafter exec\n" {
		t.Errorf("output %q", out.String())
	}
}
