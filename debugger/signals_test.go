package debugger

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"golang.org/x/sys/unix"
)

// TestOwnSIGTRAP: a program's own int3 and raise(SIGTRAP) stop the
// thread when they would kill the program, and continuing does not
// deliver them (gdb's "handle SIGTRAP nopass", Delve); a program that
// catches SIGTRAP itself gets both, as natively, and nothing stops.
func TestOwnSIGTRAP(t *testing.T) {
	prog := buildC(t, "selftrap.c", "-O0")
	t.Run("no handler", func(t *testing.T) {
		var out syncBuffer
		s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
		s.ContinueAll()
		for _, want := range []string{"breakpoint instruction in the program", "signal SIGTRAP"} {
			ev := waitStop(t, s, nil)
			if ev.Reason != ReasonSignal || ev.Description != want {
				t.Errorf("stop %+v, want %q", ev, want)
			}
			if err := s.Continue(ev.Tid, false); err != nil {
				t.Fatal(err)
			}
		}
		drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
		if st := s.Wait(); st.String() != "exit status 0" {
			t.Errorf("program ended with %v", st)
		}
		if want := "after int3\nafter raise\ncaught 0\n"; out.String() != want {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	})
	t.Run("own handler", func(t *testing.T) {
		want := testharness.NativeOK(t, prog, "handler")
		var out syncBuffer
		s := launch(t, LaunchConfig{Program: prog, Args: []string{"handler"}, Stdout: &out})
		s.ContinueAll()
		drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
		s.Wait()
		if out.String() != want || !strings.Contains(want, "caught 2") {
			t.Errorf("output %q, want %q (caught 2)", out.String(), want)
		}
	})
}

// TestGoRuntimeBreakpoint: runtime.Breakpoint stops the goroutine's
// thread, and the program goes on after continue instead of dying of
// "SIGTRAP: trace trap".
func TestGoRuntimeBreakpoint(t *testing.T) {
	// Optimized, runtime.Breakpoint is inlined; with -N -l it is a frame
	// of its own around runtime.breakpoint's int3, left through its frame
	// pointer.
	for _, o := range testprog.GoOpts {
		flags := o.Flags
		t.Run(fmt.Sprint(flags), func(t *testing.T) { goRuntimeBreakpoint(t, flags) })
	}
}

func goRuntimeBreakpoint(t *testing.T, flags []string) {
	prog := testprog.BuildGo(t, flags, "./testdata/gotrap")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out, Stderr: &out})
	s.ContinueAll()
	ev := waitStop(t, s, nil)
	if ev.Reason != ReasonSignal || ev.Signal != int(unix.SIGTRAP) {
		t.Fatalf("stop %+v, want the SIGTRAP of runtime.Breakpoint", ev)
	}
	// Shown in the caller right after the call, as Delve shows it, not
	// in the runtime's assembly.
	src, _ := filepath.Abs("testdata/gotrap/main.go")
	call := testharness.LineOf(t, src, "runtime.Breakpoint()")
	// (Without -N -l runtime.Breakpoint is inlined into main.main, and
	// the return address may still be in its inlined copy: an inlined
	// frame of it, then main.main.)
	fr, err := s.Stack(ev.Tid, 1)
	for len(fr) > 1 && fr[0].Inlined && fr[0].Function == "runtime.Breakpoint" {
		fr = fr[1:]
	}
	if err != nil || len(fr) != 1 || fr[0].Function != "main.main" || fr[0].File != src || fr[0].Line < call || fr[0].Line > call+1 {
		t.Errorf("stopped at %+v (%v, %s), want main.main after the call at line %d", fr, err, ev.Description, call)
	} else if ev.Description != "runtime.Breakpoint()" {
		t.Errorf("stop described as %q", ev.Description)
	}
	if err := s.Continue(ev.Tid, false); err != nil {
		t.Fatal(err)
	}
	drain(t, s, func(ev Event) {
		if err := s.ContinueAll(); err != nil {
			t.Errorf("continue after %+v: %v", ev, err)
		}
	})
	if st := s.Wait(); st.String() != "exit status 0" {
		t.Errorf("program ended with %v; output %q", st, out.String())
	}
	if out.String() != "before\nafter\n" {
		t.Errorf("output %q", out.String())
	}
}

// TestStepOverSignalHandler: SIGALRM arrives every 2 ms while a line
// is single-stepped (step into): each handler runs at full speed and the
// step ends on the next line of main, never in the handler. (A timer
// faster than a single step's round trip would leave the step no time to
// move between signals: under -race, 200 us did.)
func TestStepOverSignalHandler(t *testing.T) {
	prog := buildC(t, "sigstep.c", "-O0")
	src, _ := filepath.Abs(filepath.Join("testdata", "sigstep.c"))
	long, after := testharness.LineOf(t, src, "LONG_LINE"), testharness.LineOf(t, src, "AFTER_LONG")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	if bp, err := s.SetBreakpoint(breakpoints.Spec{Location: fmt.Sprintf("sigstep.c:%d", long)}); err != nil || !bp.Verified {
		t.Fatalf("breakpoint: %v %+v", err, bp)
	}
	s.ContinueAll()
	ev := waitStop(t, s, nil)
	if ev.Reason != ReasonBreakpoint {
		t.Fatalf("stop %+v, want the breakpoint", ev)
	}
	if err := s.ClearBreakpoint(1); err != nil {
		t.Fatal(err)
	}
	// The for statement has several parts on one line: step until the
	// line changes.
	for i := 0; ; i++ {
		if err := s.StepIn(ev.Tid); err != nil {
			t.Fatal(err)
		}
		ev = waitStop(t, s, nil)
		fr, err := s.Stack(ev.Tid, 1)
		if err != nil || len(fr) == 0 {
			t.Fatalf("stack after step: %v", err)
		}
		if ev.Reason != ReasonStep || fr[0].Function != "main" {
			t.Fatalf("step %d ended %+v in %s:%d, want main", i, ev, fr[0].Function, fr[0].Line)
		}
		if fr[0].Line == after {
			break
		}
		if fr[0].Line != long || i > 10 {
			t.Fatalf("step %d ended at line %d, want %d or %d", i, fr[0].Line, long, after)
		}
	}
	s.Continue(ev.Tid, false)
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	s.Wait()
	if want := "x 44851, handler ran: yes\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
