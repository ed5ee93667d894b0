package debugger

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// watchedProg builds watched.c without PIE (progress is at its link
// address) and runs it once natively.
func watchedProg(t *testing.T) (prog, src, native string) {
	src = filepath.Join("testdata", "watched.c")
	prog = testprog.BuildC(t, []string{"-O0", "-pthread", "-no-pie"}, src)
	out, err := exec.Command(prog).Output()
	if err != nil {
		t.Fatal(err)
	}
	return prog, src, string(out)
}

// stopFrame is where a stop is: frame 0's function and line, and the
// value of the worker's id there (-1 outside worker).
func stopFrame(t *testing.T, s *Session, tid int) (fn string, line int, id int) {
	t.Helper()
	frames, err := s.Stack(tid, 4)
	if err != nil || len(frames) == 0 {
		t.Fatalf("stack of %d: %v", tid, err)
	}
	id = -1
	if frames[0].Function == "worker" {
		v, err := s.Evaluate(tid, 0, "id", false)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Sscan(v.Value, &id)
	}
	return frames[0].Function, frames[0].Line, id
}

// TestWatchWrite: a write watch set while every thread runs stops worker
// 2, the only writer, right after its write (at the WRITE line or the next
// one), with the old and the new value; the second store of the same value
// (SAME) does not stop. In thread mode the other workers keep counting
// while worker 2 is held (measured), in all-stop mode nothing counts.
// Deleted, the watch stops nothing more, and the program ends as natively.
func TestWatchWrite(t *testing.T) {
	prog, src, native := watchedProg(t)
	write := testharness.LineOf(t, src, "/* WRITE */")
	progress := testharness.Symbol(t, prog, "progress")
	for _, mode := range []StopMode{StopThread, StopAll} {
		t.Run(string(mode), func(t *testing.T) {
			var out syncBuffer
			s := launch(t, LaunchConfig{Program: prog, Stdout: &out, Config: Config{StopMode: mode}})
			s.ContinueAll()
			time.Sleep(50 * time.Millisecond) // every worker is running
			w, err := s.Watch(WatchSpec{Expr: "shared", Kind: WatchWrite})
			if err != nil {
				t.Fatal(err)
			}
			if w.Size != 8 || w.Type != "long int" || w.Scope != "" {
				t.Errorf("watch %+v: want 8 bytes of long, no scope", w)
			}
			var prev int64 = -1
			for i := 0; i < 3; i++ {
				ev := waitStop(t, s, nil)
				if ev.Reason != ReasonDataBreakpoint || len(ev.BreakpointIDs) != 1 || ev.BreakpointIDs[0] != w.ID {
					t.Fatalf("stop %+v, want watchpoint %d", ev, w.ID)
				}
				if ev.AllStopped != (mode == StopAll) {
					t.Errorf("stop %+v in mode %s", ev, mode)
				}
				fn, line, id := stopFrame(t, s, ev.Tid)
				if fn != "worker" || id != 2 || (line != write && line != write+1) {
					t.Errorf("stopped in %s line %d, worker %d; want worker 2 at line %d or %d", fn, line, id, write, write+1)
				}
				var oldV, newV int64
				if n, _ := fmt.Sscanf(ev.Text, "Hardware watchpoint %d: shared\n\nOld value = %d\nNew value = %d", new(int), &oldV, &newV); n != 3 || newV != oldV+1 {
					t.Errorf("stop text %q: want old and new values one apart", ev.Text)
				}
				if prev >= 0 && oldV != prev {
					t.Errorf("old value %d, want %d (the last new value: no write was missed or doubled)", oldV, prev)
				}
				prev = newV
				if i == 0 {
					before := readCounters(t, s, progress, 4)
					time.Sleep(100 * time.Millisecond)
					after := readCounters(t, s, progress, 4)
					for k := range before {
						moved := after[k] > before[k]
						if want := mode == StopThread && k != 2; moved != want {
							t.Errorf("worker %d counted %d -> %d while worker 2 was held (mode %s)", k, before[k], after[k], mode)
						}
					}
				}
				if err := s.Continue(ev.Tid, false); err != nil {
					t.Fatal(err)
				}
			}
			if ws := s.Watchpoints(); len(ws) != 1 || ws[0].Hits != 3 {
				t.Errorf("watchpoints %+v, want one with 3 hits", ws)
			}
			if err := s.ClearBreakpoint(w.ID); err != nil {
				t.Fatal(err)
			}
			drain(t, s, func(ev Event) {
				t.Errorf("stop %+v after the watch was deleted", ev)
				s.Continue(ev.Tid, false)
			})
			if st := s.Wait(); st.Code != 0 || out.String() != native {
				t.Errorf("ended %+v with %q, want %q", st, out.String(), native)
			}
		})
	}
}

// TestWatchReadAndAccess: a read watch on config, which only worker 3
// reads and nothing writes, stops worker 3 at its READ line and shows the
// value; an access watch on shared stops both its writer and its reader.
func TestWatchReadAndAccess(t *testing.T) {
	prog, src, _ := watchedProg(t)
	read := testharness.LineOf(t, src, "/* READ */")
	var out syncBuffer
	// Long enough for every stop on a loaded machine; ended by setting
	// its stop flag once the watches are gone.
	s := launch(t, LaunchConfig{Program: prog, Args: []string{"1000000"}, Stdout: &out})
	s.ContinueAll()
	rw, err := s.Watch(WatchSpec{Expr: "config", Kind: WatchRead})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		ev := waitStop(t, s, nil)
		fn, line, id := stopFrame(t, s, ev.Tid)
		if ev.Reason != ReasonDataBreakpoint || fn != "worker" || id != 3 || line != read {
			t.Errorf("stop %+v in %s line %d worker %d, want the read watch in worker 3 at line %d", ev, fn, line, id, read)
		}
		if want := fmt.Sprintf("Hardware read watchpoint %d: config\n\nValue = 7", rw.ID); ev.Text != want {
			t.Errorf("stop text %q, want %q", ev.Text, want)
		}
		s.Continue(ev.Tid, false)
	}
	if err := s.ClearBreakpoint(rw.ID); err != nil {
		t.Fatal(err)
	}
	aw, err := s.Watch(WatchSpec{Expr: "shared", Kind: WatchAccess})
	if err != nil {
		t.Fatal(err)
	}
	workers := map[int]bool{}
	for i := 0; i < 12 && len(workers) < 2; i++ {
		ev := waitStop(t, s, nil)
		if ev.Reason != ReasonDataBreakpoint || ev.BreakpointIDs[0] != aw.ID {
			t.Fatalf("stop %+v, want the access watch", ev)
		}
		_, _, id := stopFrame(t, s, ev.Tid)
		workers[id] = true
		s.Continue(ev.Tid, false)
	}
	if !workers[2] || !workers[3] || len(workers) != 2 {
		t.Errorf("the access watch stopped workers %v, want 2 (writes) and 3 (reads)", workers)
	}
	s.ClearBreakpoint(aw.ID)
	if err := s.WriteMemory(testharness.Symbol(t, prog, "stop"), []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	drain(t, s, func(ev Event) { s.Continue(ev.Tid, false) })
	// Wait: the program's output is copied until then.
	if st := s.Wait(); st.Code != 0 {
		t.Errorf("ended %+v", st)
	}
	if !regexp.MustCompile(`^shared \d+ deep 15\n$`).MatchString(out.String()) {
		t.Errorf("output %q, want shared N deep 15", out.String())
	}
}

// TestWatchLocalEndsWithFrame: a watch on deep's local acc stops at each
// change of it, and when deep returns the watch is deleted (gdb's message)
// and the thread stops in main, where deep returned to.
func TestWatchLocalEndsWithFrame(t *testing.T) {
	prog, src, _ := watchedProg(t)
	local := testharness.LineOf(t, src, "/* LOCAL */")
	native, err := exec.Command(prog, "20").Output()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Args: []string{"20"}, Stdout: &out})
	mustBreak(t, s, breakpoints.Spec{Location: "deep"})
	s.ContinueAll()
	ev := waitStop(t, s, nil)
	w, err := s.Watch(WatchSpec{Expr: "acc", Kind: WatchWrite, Tid: ev.Tid})
	if err != nil {
		t.Fatal(err)
	}
	if w.Scope != "deep" || w.ScopeTid != ev.Tid {
		t.Errorf("watch %+v: want it tied to deep's frame in thread %d", w, ev.Tid)
	}
	var changes []string
	var messages strings.Builder
	for {
		if err := s.Continue(ev.Tid, false); err != nil {
			t.Fatal(err)
		}
		ev = waitStop(t, s, func(e Event) {
			if e.Kind == Output {
				messages.WriteString(e.Text)
			}
		})
		if ev.Reason != ReasonDataBreakpoint {
			t.Fatalf("stop %+v, want the watch or its end", ev)
		}
		if ev.Description != fmt.Sprintf("watchpoint %d", w.ID) {
			break
		}
		_, line, _ := stopFrame(t, s, ev.Tid)
		if line != local && line != local-1 {
			t.Errorf("stopped at line %d, want the loop (%d)", line, local)
		}
		changes = append(changes, ev.Text[strings.Index(ev.Text, "New value = ")+len("New value = "):])
	}
	// The first write is acc's initialisation (0), unless the stack
	// already held 0 there.
	if got := strings.TrimPrefix(strings.Join(changes, " "), "0 "); got != "1 3 6 10 15" {
		t.Errorf("acc became %s, want 1 3 6 10 15", got)
	}
	if want := fmt.Sprintf("watchpoint %d out of scope", w.ID); ev.Description != want {
		t.Errorf("last stop %q, want %q", ev.Description, want)
	}
	if !strings.Contains(messages.String(), fmt.Sprintf("Watchpoint %d deleted because the program has left the block", w.ID)) {
		t.Errorf("no deletion message in %q", messages.String())
	}
	if fn, _, _ := stopFrame(t, s, ev.Tid); fn != "main" {
		t.Errorf("out of scope in %s, want main", fn)
	}
	if ws := s.Watchpoints(); len(ws) != 0 {
		t.Errorf("watchpoints left: %+v", ws)
	}
	s.Continue(ev.Tid, false)
	drain(t, s, func(ev Event) { t.Errorf("stop %+v", ev) })
	s.Wait() // the program's output is copied until then
	if out.String() != string(native) {
		t.Errorf("output %q, want %q", out.String(), native)
	}
}

// TestWatchRefused: what cannot be watched is refused with the reason,
// and the registers' limit is said with who holds them.
func TestWatchRefused(t *testing.T) {
	prog, _, _ := watchedProg(t)
	s := launch(t, LaunchConfig{Program: prog})
	s.ContinueAll()
	full, err := s.Watch(WatchSpec{Expr: "progress", Kind: WatchWrite})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec WatchSpec
		want string
	}{
		{WatchSpec{Expr: "shared", Kind: WatchWrite}, "needs 1 debug register(s) and 0 of x86's 4 are free"},
		{WatchSpec{Expr: "1 + 2", Kind: WatchWrite}, "not in memory"},
		{WatchSpec{Expr: "no_such_thing", Kind: WatchWrite}, "no_such_thing"},
		{WatchSpec{Expr: "", Kind: WatchWrite}, "nothing to watch"},
		{WatchSpec{Expr: "shared", Kind: WatchWrite, Tid: 1}, "running"},
	} {
		_, err := s.Watch(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Watch(%+v) = %v, want an error with %q", c.spec, err, c.want)
		}
	}
	if err := s.EnableBreakpoint(full.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Watch(WatchSpec{Expr: "shared", Kind: WatchWrite}); err != nil {
		t.Errorf("with progress's watch disabled: %v", err)
	}
	if err := s.EnableBreakpoint(full.ID, true); err == nil {
		t.Error("enabling 4 more registers' worth succeeded")
	}
}
