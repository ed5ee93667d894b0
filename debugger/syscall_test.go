package debugger

import (
	"fmt"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"golang.org/x/sys/unix"
)

// TestResumeFromSystemCalls: a thread paused inside a blocking system call
// (futex, nanosleep, read, poll, epoll_wait, accept) is in the kernel's
// syscall-restart state; whatever the user does next (step over, step out,
// continue, with or without a signal sent to it meanwhile, whose handler
// has SA_RESTART or not), the call goes on as it would have, and the
// program's output is its native output. Every thread, main's included,
// is acted on in turn while the others run (thread mode) or stop (all-stop
// mode, where each action resumes the others).
func TestResumeFromSystemCalls(t *testing.T) {
	prog := buildC(t, "syscalls.c", "-O0")
	// Seconds before main releases the calls: every thread must be
	// paused and acted on within them. Under the race detector the first
	// stops also read libc's DWARF (read at its first use) about ten times
	// slower, which took more than 2 s.
	delay := "2"
	if raceEnabled {
		delay = "6"
	}
	want := testharness.NativeOK(t, prog, delay)
	actions := []struct {
		name string
		sig  unix.Signal // sent to the paused thread before the action
		act  func(s *Session, tid int) error
		step bool // the action ends with a step stop
	}{
		{"next", 0, (*Session).Next, true},
		{"stepout", 0, (*Session).StepOut, true},
		{"continue", 0, func(s *Session, tid int) error { return s.Continue(tid, false) }, false},
		{"next after SIGUSR1", unix.SIGUSR1, (*Session).Next, true},
		{"stepout after SIGUSR2", unix.SIGUSR2, (*Session).StepOut, true},
	}
	for _, mode := range []StopMode{StopThread, StopAll} {
		for _, a := range actions {
			t.Run(fmt.Sprintf("%s/%s", mode, a.name), func(t *testing.T) {
				var out, log syncBuffer
				defer func() {
					if t.Failed() {
						t.Logf("engine log:\n%s", log.String())
					}
				}()
				s := launch(t, LaunchConfig{Config: Config{StopMode: mode, Log: &log}, Program: prog, Args: []string{delay}, Stdout: &out})
				if err := s.ContinueAll(); err != nil {
					t.Fatal(err)
				}
				var ths []ThreadInfo
				for deadline := time.Now().Add(10 * time.Second); len(ths) < 7 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					ths, _ = s.Threads()
				}
				if len(ths) != 7 {
					t.Fatalf("%d threads, want 7", len(ths))
				}
				time.Sleep(200 * time.Millisecond) // every thread into its call
				// A step can end at any time: epoll_wait, for one, fails with
				// EINTR after any stop (signal(7)), and the program calls it
				// again. Stops are checked as they come.
				steps := map[int]int{} // step stops by thread
				check := func(ev Event) {
					if ev.Reason == ReasonPause && mode == StopAll {
						// A pause answered after a stop of every thread
						// had come first and they had all been resumed.
						return
					}
					if !a.step || ev.Reason != ReasonStep {
						fr, _ := s.Stack(ev.Tid, 1)
						t.Errorf("stop %+v at %+v after %s from a system call", ev, fr, a.name)
					} else {
						steps[ev.Tid]++
					}
				}
				for _, th := range ths {
					if err := s.Pause(th.Tid); err != nil {
						t.Fatalf("pause %d: %v; output so far %q", th.Tid, err, out.String())
					}
					var early []Event
					for {
						ev := waitStop(t, s, nil)
						if ev.Tid == th.Tid && ev.Reason == ReasonPause {
							break
						}
						check(ev)
						early = append(early, ev)
						if ev.AllStopped && s.Stopped(th.Tid) {
							// The pause is answered by this stop of them
							// all (unless the stop is an old one, from
							// before the threads were last resumed).
							break
						}
					}
					if a.sig != 0 {
						if err := unix.Tgkill(s.Pid(), th.Tid, a.sig); err != nil {
							t.Fatal(err)
						}
					}
					if err := a.act(s, th.Tid); err != nil {
						t.Fatalf("%s of thread %d: %v", a.name, th.Tid, err)
					}
					for _, ev := range early {
						if err := s.Continue(ev.Tid, false); err != nil {
							t.Fatal(err)
						}
					}
				}
				// The other steps end once main releases the calls; each
				// thread must then be back in the program, not in a fault.
				for ev := range s.Events() {
					if ev.Kind != Stopped {
						continue
					}
					check(ev)
					if err := s.ContinueAll(); err != nil {
						t.Fatal(err)
					}
				}
				st := s.Wait()
				for i, th := range ths {
					if a.step && steps[th.Tid] != 1 {
						t.Errorf("thread %d (%d of %d): %d step stops, want 1", th.Tid, i, len(ths), steps[th.Tid])
					}
				}
				if out.String() != want {
					t.Errorf("output %q, want %q (exit %v)", out.String(), want, st)
				}
			})
		}
	}
}
