package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// kind is the sort of auto-continued breakpoint measured.
type kind string

const (
	kindTrace kind = "trace" // counts hits only (ubpdbg trace)
	kindCond  kind = "cond"  // a condition that is always false
	kindLog   kind = "log"   // a logpoint {$tid}, its output discarded
)

func (k kind) spec(loc string) breakpoints.Spec {
	switch k {
	case kindCond:
		return breakpoints.Spec{Location: loc, Cond: "x < 0"}
	case kindLog:
		return breakpoints.Spec{Location: loc, Log: "{$tid}\n"}
	}
	return breakpoints.Spec{Location: loc, Trace: true}
}

// errNA marks a measurement that cannot be made (the reason is the rest).
var errNA = errors.New("n/a")

// ubpRun is one run of a program under a ubpdbg session.
type ubpRun struct {
	elapsed time.Duration // ContinueAll until the Exited event
	hits    uint64
	addr    uint64 // where the breakpoint went
	stops   int    // unexpected Stopped events
	output  int    // bytes of logpoint output
}

// newSession launches prog under a session with the default evaluator.
func newSession(prog string, args ...string) (*debugger.Session, error) {
	return debugger.Launch(debugger.LaunchConfig{
		Config:  debugger.Config{StopMode: debugger.StopThread},
		Program: prog, Args: args,
		Stdout: io.Discard, Stderr: os.Stderr,
	})
}

// runUbpdbg launches the hit program with threads threads of calls calls
// each, puts one breakpoint of kind k on f, and times the run. If ready is
// not nil, it is called (with the session's PID) just before the program is
// let go; the syscall counter uses it to attach strace.
func runUbpdbg(e *env, k kind, threads int, calls int64, ready func(pid int) error) (ubpRun, error) {
	var r ubpRun
	s, err := newSession(e.hit, strconv.Itoa(threads), strconv.FormatInt(calls, 10))
	if err != nil {
		return r, err
	}
	defer s.Close()
	info, err := s.SetBreakpoint(k.spec("f"))
	if err != nil {
		if k == kindCond {
			return r, fmt.Errorf("%w: %v", errNA, err)
		}
		return r, err
	}
	if !info.Verified {
		return r, fmt.Errorf("breakpoint on f not verified: %s", info.Message)
	}
	if len(info.Locations) > 0 {
		r.addr = info.Locations[0].Addr
	}
	if ready != nil {
		if err := ready(s.Pid()); err != nil {
			return r, err
		}
	}
	start := time.Now()
	if err := s.ContinueAll(); err != nil {
		return r, err
	}
	timeout := time.After(10 * time.Minute)
	for done := false; !done; {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				done = true
				break
			}
			switch ev.Kind {
			case debugger.Output:
				r.output += len(ev.Text)
			case debugger.Stopped:
				r.stops++
				if r.stops == 1 {
					fmt.Fprintf(os.Stderr, "bench: unexpected stop: thread %d: %s %s\n", ev.Tid, ev.Reason, ev.Description)
				}
				s.Continue(ev.Tid, true)
			case debugger.Exited:
				r.elapsed = time.Since(start)
				if ev.Status.Code != 0 || ev.Status.Signal != 0 {
					return r, fmt.Errorf("program ended: %v", ev.Status)
				}
				done = true
			}
		case <-timeout:
			return r, errors.New("timed out")
		}
	}
	s.Wait()
	if bi, ok := s.Breakpoint(info.ID); ok {
		r.hits = bi.Hits
		if k == kindCond {
			// A false condition never counts a hit: every trap evaluated it.
			r.hits = bi.Evaluations
		}
	}
	return r, nil
}
