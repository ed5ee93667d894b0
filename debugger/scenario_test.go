package debugger

import (
	"fmt"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestThreeThreadsScenario, in both stop modes: three threads call work()
// in loops. A breakpoint for one thread stops only that thread, three
// times; a temporary conditional breakpoint (id == 2 && i > 5) stops the
// third worker once and is gone; each worker is paused in turn and its
// stack shows worker(); every reported stop can be continued; the program
// ends with its native output. Issue 21 asks for 50 of 50 runs under
// -race (go test -race -count=50 -run TestThreeThreadsScenario ./debugger).
func TestThreeThreadsScenario(t *testing.T) {
	prog := buildC(t, "three.c", "-O0")
	want := testharness.NativeOK(t, prog)
	for _, mode := range []StopMode{StopThread, StopAll} {
		t.Run(string(mode), func(t *testing.T) {
			var out, log syncBuffer
			s, err := Launch(LaunchConfig{Config: Config{StopMode: mode, Log: &log},
				Program: prog, Stdout: &out})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			defer func() {
				if t.Failed() {
					t.Logf("engine log:\n%s", log.String())
				}
			}()
			cont := func(ev Event) {
				t.Helper()
				var err error
				if mode == StopAll {
					err = s.ContinueAll()
				} else {
					err = s.Continue(ev.Tid, false)
				}
				if err != nil {
					t.Fatalf("continue after %+v: %v", ev, err)
				}
			}
			// The workers loop until the test says stop.
			if _, err := s.Evaluate(s.Pid(), 0, "debugged = 1", true); err != nil {
				t.Fatal(err)
			}
			// Learn the workers' tids: each one's first call of work.
			first, err := s.SetBreakpoint(breakpoints.Spec{Location: "work", Cond: "i == 0"})
			if err != nil || !first.Verified {
				t.Fatalf("%v %+v", err, first)
			}
			if err := s.ContinueAll(); err != nil {
				t.Fatal(err)
			}
			byID := map[int]int{} // worker id -> tid
			for len(byID) < 3 {
				ev := waitStop(t, s, nil)
				if ev.Reason != ReasonBreakpoint {
					t.Fatalf("stop %+v", ev)
				}
				v, err := s.Evaluate(ev.Tid, 0, "id", false)
				if err != nil {
					t.Fatal(err)
				}
				var id int
				fmt.Sscan(v.Value, &id)
				byID[id] = ev.Tid
				cont(ev)
			}
			if err := s.ClearBreakpoint(first.ID); err != nil {
				t.Fatal(err)
			}
			// A breakpoint of worker 1's thread only.
			mine, err := s.SetBreakpoint(breakpoints.Spec{Location: "work", Thread: byID[1]})
			if err != nil || !mine.Verified {
				t.Fatalf("%v %+v", err, mine)
			}
			for n := 0; n < 3; n++ {
				ev := waitStop(t, s, nil)
				if ev.Tid != byID[1] || ev.Reason != ReasonBreakpoint {
					t.Fatalf("stop %d %+v, want thread %d's breakpoint", n, ev, byID[1])
				}
				cont(ev)
			}
			if err := s.ClearBreakpoint(mine.ID); err != nil {
				t.Fatal(err)
			}
			tmp, err := s.SetBreakpoint(breakpoints.Spec{Location: "work", Cond: "id == 2 && i > 5", Temporary: true})
			if err != nil || !tmp.Verified {
				t.Fatalf("%v %+v", err, tmp)
			}
			var ev Event
			for {
				ev = waitStop(t, s, nil)
				if len(ev.BreakpointIDs) == 1 && ev.BreakpointIDs[0] == mine.ID {
					cont(ev) // taken before mine was deleted
					continue
				}
				break
			}
			if ev.Tid != byID[2] || len(ev.BreakpointIDs) != 1 || ev.BreakpointIDs[0] != tmp.ID {
				t.Fatalf("stop %+v, want worker 2 (%d) at the temporary breakpoint %d", ev, byID[2], tmp.ID)
			}
			if _, ok := s.Breakpoint(tmp.ID); ok {
				t.Error("the temporary breakpoint is still there")
			}
			cont(ev)
			// Pause each worker; its stack goes through worker().
			for id := 0; id < 3; id++ {
				tid := byID[id]
				if err := s.Pause(tid); err != nil {
					t.Fatal(err)
				}
				for {
					ev := waitStop(t, s, nil)
					if ev.Tid == tid || ev.AllStopped && s.Stopped(tid) {
						break
					}
					t.Fatalf("stop %+v while pausing %d", ev, tid)
				}
				frames, err := s.Stack(tid, 16)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, f := range frames {
					found = found || f.Function == "worker"
				}
				if !found {
					t.Errorf("worker %d's stack has no worker(): %+v", id, frames)
				}
				if id == 2 {
					if _, err := s.Evaluate(tid, 0, "stop = 1", true); err != nil {
						t.Fatal(err)
					}
				}
				cont(Event{Tid: tid})
			}
			drain(t, s, func(ev Event) { t.Errorf("unexpected stop %+v", ev); cont(ev) })
			s.Wait()
			if out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}
