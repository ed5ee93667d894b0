package debugger

import (
	"fmt"
	"github.com/ubpdbg/ubpdbg/breakpoints"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/target"
	"golang.org/x/sys/unix"
)

// crashProg builds crash.c without PIE, so that counts is at its link
// address.
func crashProg(t *testing.T) (prog, src string) {
	src = filepath.Join("testdata", "crash.c")
	return testprog.BuildC(t, []string{"-O0", "-pthread", "-no-pie"}, src), src
}

// TestFatalSignalStopsOneThread: a NULL dereference, abort() and a
// division by zero in one of four workers stop that worker, at the line,
// with reason exception and the kernel's account of the fault, while the
// other three keep counting (measured); continuing then lets the program
// die of the signal, as it does natively.
func TestFatalSignalStopsOneThread(t *testing.T) {
	prog, src := crashProg(t)
	for _, c := range []struct {
		how, desc string
		sig       unix.Signal
	}{
		{"segv", "SIGSEGV (segmentation fault): address not mapped to object at 0x0", unix.SIGSEGV},
		{"abort", "SIGABRT (aborted): raised by the program", unix.SIGABRT},
		{"fpe", "SIGFPE (floating point exception): integer divide by zero at 0x", unix.SIGFPE},
	} {
		t.Run(c.how, func(t *testing.T) {
			s := launch(t, LaunchConfig{Program: prog, Args: []string{c.how}})
			s.ContinueAll()
			ev := waitStop(t, s, nil)
			if ev.Reason != ReasonException || !strings.HasPrefix(ev.Description, c.desc) || ev.AllStopped {
				t.Fatalf("stop %+v, want exception %q in one thread", ev, c.desc)
			}
			frames, err := s.Stack(ev.Tid, 16)
			if err != nil {
				t.Fatal(err)
			}
			line := testharness.LineOf(t, src, "BP:"+c.how)
			found := false
			for _, f := range frames {
				found = found || (f.Function == "crash" && f.Line == line)
			}
			if !found {
				t.Errorf("stack %+v does not hold crash() at line %d", frames, line)
			}
			e, ok := s.ExceptionOf(ev.Tid)
			if !ok || e.ID != unix.SignalName(c.sig) || !e.Fatal || e.Description != ev.Description {
				t.Errorf("ExceptionOf = %+v, %v", e, ok)
			}
			counts := testharness.Symbol(t, prog, "counts")
			before := readCounters(t, s, counts, 4)
			time.Sleep(200 * time.Millisecond)
			after := readCounters(t, s, counts, 4)
			for i := range before {
				if moved := after[i] > before[i]; moved != (i != 2) {
					t.Errorf("worker %d counted %d -> %d while worker 2 was held", i, before[i], after[i])
				}
			}
			if err := s.Continue(ev.Tid, false); err != nil {
				t.Fatal(err)
			}
			drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
			if st := s.Wait(); st.Signal != int(c.sig) {
				t.Errorf("program ended with %v, want killed by %s", st, unix.SignalName(c.sig))
			}
		})
	}
}

// TestSignalHandling: the signal table decides. A fault that the program
// handles still stops (in C code, a handler can only report it), as not
// fatal, and the handler runs on continue; a signal it handles goes
// through without a stop unless the table says stop, and is dropped
// when it says nopass; a crash the table says not to stop at kills the
// program without a stop.
func TestSignalHandling(t *testing.T) {
	prog, _ := crashProg(t)
	run := func(t *testing.T, how string, sig unix.Signal, h *SignalHandling, onStop func(*Session, Event)) (string, target.ExitStatus) {
		var out syncBuffer
		s := launch(t, LaunchConfig{Program: prog, Args: []string{how}, Stdout: &out})
		if h != nil {
			if err := s.HandleSignal(sig, *h); err != nil {
				t.Fatal(err)
			}
		}
		s.ContinueAll()
		drain(t, s, func(ev Event) {
			if onStop == nil {
				t.Errorf("unexpected stop %+v", ev)
			} else {
				onStop(s, ev)
			}
			if err := s.Continue(ev.Tid, false); err != nil {
				t.Error(err)
			}
		})
		st := s.Wait() // first: the program's output is copied until then
		return out.String(), st
	}
	t.Run("handled fault", func(t *testing.T) {
		stops := 0
		out, st := run(t, "handled", 0, nil, func(s *Session, ev Event) {
			stops++
			e, ok := s.ExceptionOf(ev.Tid)
			if ev.Reason != ReasonException || !ok || e.Fatal || e.ID != "SIGSEGV" {
				t.Errorf("stop %+v, exception %+v %v: want a SIGSEGV that is not fatal", ev, e, ok)
			}
		})
		if stops != 1 || out != "handled SIGSEGV\n" || st.Code != 3 {
			t.Errorf("%d stops, output %q, %v; want 1, the handler's line, exit status 3", stops, out, st)
		}
	})
	t.Run("handled signal", func(t *testing.T) {
		out, st := run(t, "usr1", 0, nil, nil)
		if out != "usr1 1\n" || st.Code != 0 {
			t.Errorf("output %q, %v", out, st)
		}
	})
	for _, pass := range []bool{true, false} {
		t.Run("stop pass="+map[bool]string{true: "yes", false: "no"}[pass], func(t *testing.T) {
			stops := 0
			out, st := run(t, "usr1", unix.SIGUSR1, &SignalHandling{Stop: StopAlways, Pass: pass}, func(s *Session, ev Event) {
				stops++
				if ev.Reason != ReasonSignal || ev.Description != "SIGUSR1 (user defined signal 1): raised by the program" {
					t.Errorf("stop %+v", ev)
				}
				if _, ok := s.ExceptionOf(ev.Tid); ok {
					t.Error("a handled signal is reported as an exception")
				}
			})
			want := map[bool]string{true: "usr1 1\n", false: "usr1 0\n"}[pass]
			if stops != 1 || out != want || st.Code != 0 {
				t.Errorf("%d stops, output %q, %v; want 1 stop, %q", stops, out, st, want)
			}
		})
	}
	t.Run("nostop", func(t *testing.T) {
		_, st := run(t, "segv", unix.SIGSEGV, &SignalHandling{Stop: StopNever, Pass: true}, nil)
		if st.Signal != int(unix.SIGSEGV) {
			t.Errorf("program ended with %v, want SIGSEGV", st)
		}
	})
	t.Run("reserved", func(t *testing.T) {
		s := launch(t, LaunchConfig{Program: prog, Args: []string{"usr1"}})
		for _, sig := range []unix.Signal{unix.SIGTRAP, unix.SIGKILL, unix.SIGSTOP, 0, 65} {
			if err := s.HandleSignal(sig, SignalHandling{}); err == nil {
				t.Errorf("HandleSignal(%d) accepted", sig)
			}
		}
	})
}

// TestParseSignal: the ways a user writes a signal.
func TestParseSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{"SIGSEGV": unix.SIGSEGV, "segv": unix.SIGSEGV, "11": unix.SIGSEGV,
		"SIGUSR1": unix.SIGUSR1, "SIGRTMIN+2": 36, "sigrtmin+0": 34} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "SIGNOPE", "0", "65", "-1", "SIGRTMIN+31", "1x"} {
		if got, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) = %v, want an error", bad, got)
		}
	}
	if SignalName(36) != "SIGRTMIN+2" || SignalName(unix.SIGSEGV) != "SIGSEGV" {
		t.Errorf("SignalName: %s %s", SignalName(36), SignalName(unix.SIGSEGV))
	}
}

// TestFaultOutOfLine: a fault of the very instruction under a breakpoint,
// executed out of line (a condition that is never true passes it), is
// reported where the program has it, not in the XOL slot, and the
// program dies of it on continue as natively.
func TestFaultOutOfLine(t *testing.T) {
	prog, _ := crashProg(t)
	s := launch(t, LaunchConfig{Program: prog, Args: []string{"segv"}})
	s.ContinueAll()
	ev := waitStop(t, s, nil)
	regs, err := s.Regs(ev.Tid)
	if err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s.Wait()

	s = launch(t, LaunchConfig{Program: prog, Args: []string{"segv"}})
	bp := mustBreak(t, s, breakpoints.Spec{Location: fmt.Sprintf("*%#x", regs.Rip), Cond: "counts[0] < 0"})
	s.ContinueAll()
	ev = waitStop(t, s, nil)
	got, err := s.Regs(ev.Tid)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Reason != ReasonException || got.Rip != regs.Rip {
		t.Errorf("stop %+v at %#x, want the exception at %#x", ev, got.Rip, regs.Rip)
	}
	if info, _ := s.Breakpoint(bp.ID); info.Hits != 0 || info.Evaluations != 1 {
		t.Errorf("breakpoint at the faulting instruction: %d hits, %d evaluations; want 0 and 1", info.Hits, info.Evaluations)
	}
	if err := s.Continue(ev.Tid, false); err != nil {
		t.Fatal(err)
	}
	drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev) })
	if st := s.Wait(); st.Signal != int(unix.SIGSEGV) {
		t.Errorf("program ended with %v, want SIGSEGV", st)
	}
}

// TestCxxCatchpoints: catch throw and catch catch, set at the first
// instruction (libstdc++ is not loaded yet: they wait for it), stop the
// thread that throws at each throw and each catch, with the C++ type
// demangled and a fundamental value shown, as exceptions that are not
// fatal; the other threads count on meanwhile, and the program prints
// what it prints natively.
func TestCxxCatchpoints(t *testing.T) {
	prog := testprog.BuildCXX(t, []string{"-O0", "-pthread", "-no-pie"}, filepath.Join("testdata", "throw.cpp"))
	want := testharness.NativeOK(t, prog)
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	for _, kind := range []string{"throw", "catch"} {
		if _, err := s.CatchCxx(kind); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CatchCxx("bogus"); err == nil || !strings.Contains(err.Error(), "throw, catch or rethrow") {
		t.Errorf("CatchCxx(bogus): %v, want an error naming the kinds", err)
	}
	counts := testharness.Symbol(t, prog, "counts")
	var got []string
	s.ContinueAll()
	drain(t, s, func(ev Event) {
		e, ok := s.ExceptionOf(ev.Tid)
		if ev.Reason != ReasonException || !ok || e.Fatal || e.Description != ev.Description {
			t.Errorf("stop %+v, exception %+v %v", ev, e, ok)
		}
		got = append(got, ev.Description)
		if len(got) == 1 {
			before := readCounters(t, s, counts, 4)
			time.Sleep(100 * time.Millisecond)
			after := readCounters(t, s, counts, 4)
			for _, i := range []int{0, 2, 3} {
				if after[i] <= before[i] {
					t.Errorf("worker %d did not count while the thrower was held: %d -> %d", i, before[i], after[i])
				}
			}
		}
		if err := s.Continue(ev.Tid, false); err != nil {
			t.Error(err)
		}
	})
	s.Wait()
	wantStops := []string{
		"C++ exception thrown: int 42", "C++ exception caught: int 42",
		"C++ exception thrown: std::runtime_error", "C++ exception caught: std::runtime_error",
		"C++ exception thrown: app::BadThing", "C++ exception caught: app::BadThing",
		`C++ exception thrown: char const* "a C string"`, `C++ exception caught: char const* "a C string"`,
	}
	if strings.Join(got, "\n") != strings.Join(wantStops, "\n") {
		t.Errorf("stops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantStops, "\n"))
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
