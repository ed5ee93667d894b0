package debugger

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// waitStop returns the next Stopped event, passing other events to other.
func waitStop(t *testing.T, s *Session, other func(Event)) Event {
	t.Helper()
	return waitStopWithin(t, s, other, testharness.Timeout)
}

// waitStopWithin is waitStop for a stop that comes after a stretch of
// the program's run (many hits first), with drain's allowance for it.
func waitStopWithin(t *testing.T, s *Session, other func(Event), d time.Duration) Event {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				t.Fatal("session ended while waiting for a stop")
			}
			if ev.Kind == Stopped {
				return ev
			}
			if other != nil {
				other(ev)
			}
		case <-timeout:
			t.Fatalf("no stop within %v\n%s", d, sessionState(s))
		}
	}
}

// sessionState describes threads and breakpoints for a test that timed
// out: a rare hang on a loaded machine must leave something to read.
func sessionState(s *Session) string {
	var b strings.Builder
	ths, err := s.Threads()
	if err != nil {
		fmt.Fprintf(&b, "threads: %v\n", err)
	}
	for _, th := range ths {
		fmt.Fprintf(&b, "thread %+v\n", th)
	}
	for _, bp := range s.Breakpoints() {
		fmt.Fprintf(&b, "breakpoint %d %q: %d hits, verified %v\n", bp.ID, bp.Spec.Location, bp.Hits, bp.Verified)
	}
	b.WriteString(testharness.Tasks(s.Pid()))
	fmt.Fprintf(&b, "xol %+v", s.XOLStats())
	return b.String()
}

func readCounters(t *testing.T, s *Session, addr uint64, n int) []int64 {
	buf := make([]byte, 8*n)
	if _, err := s.ReadMemory(addr, buf); err != nil {
		t.Fatal(err)
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	return out
}

func TestNonStop(t *testing.T) {
	prog := buildC(t, "nonstop.c", "-O0")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	mustBreak(t, s, breakpoints.Spec{Location: "stopper"})
	mustBreak(t, s, breakpoints.Spec{Location: "tick", Log: "tick {$tid}"})
	var logs atomic.Int64
	onOther := func(ev Event) {
		if ev.Kind == Output && strings.HasPrefix(ev.Text, "tick ") {
			logs.Add(1)
		}
	}
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	// The pace of the threads with nobody stopped, in this run, on this
	// machine as loaded as it is now: the bar for the pace while one is
	// stopped.
	bias := s.Symbols().Images()[0].Bias
	counters := testharness.Symbol(t, prog, "counters") + bias
	base0 := readCounters(t, s, counters, 8)
	time.Sleep(500 * time.Millisecond)
	base1 := readCounters(t, s, counters, 8)
	if err := s.WriteMemory(testharness.Symbol(t, prog, "go_stop")+bias, []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	ev := waitStop(t, s, onOther)
	if ev.Reason != ReasonBreakpoint || ev.AllStopped {
		t.Fatalf("stop %+v: want a breakpoint stop of one thread", ev)
	}
	a := ev.Tid

	// The other events keep coming while A is stopped: drain them.
	done := make(chan struct{})
	stopped := make(chan Event, 16)
	go func() {
		for {
			select {
			case ev, ok := <-s.Events():
				if !ok {
					close(stopped)
					return
				}
				if ev.Kind == Stopped {
					stopped <- ev
				}
				onOther(ev)
			case <-done:
				return
			}
		}
	}()
	before := readCounters(t, s, counters, 8)
	logsBefore := logs.Load()
	time.Sleep(2 * time.Second)
	after := readCounters(t, s, counters, 8)
	// Each other thread keeps at least half its pace (over 2 s, against
	// 500 ms before); unloaded that is thousands of ticks.
	minTicks := int64(100)
	for i := 1; i < 8; i++ {
		got, base := after[i]-before[i], base1[i]-base0[i]
		if got < minTicks || got < 4*base/2 {
			t.Errorf("thread %d advanced %d ticks in 2 s while thread 0 was stopped, against %d in 500 ms before", i, got, base)
		}
	}
	if after[0] != before[0] {
		t.Errorf("stopped thread 0 ticked: %d -> %d", before[0], after[0])
	}
	if n := logs.Load() - logsBefore; n < 7*minTicks {
		t.Errorf("only %d logpoint messages arrived while thread 0 was stopped", n)
	}
	checkOthersRunning(t, s, a, counters)

	// Step through stopper line by line while the others run.
	var lines []int
	for i := 0; i < 8; i++ {
		th := threadInfo(t, s, a)
		if th.Func != "stopper" {
			break
		}
		lines = append(lines, th.Line)
		if err := s.Next(a); err != nil {
			t.Fatal(err)
		}
		st := testharness.Receive(t, stopped, "stop after next", func() string { return sessionState(s) })
		if st.Tid != a || st.Reason != ReasonStep {
			t.Fatalf("after next: %+v", st)
		}
		checkOthersRunning(t, s, a, counters)
	}
	if len(lines) < 4 || !increasing(lines) {
		t.Errorf("next went through lines %v of stopper, want at least 4 increasing lines", lines)
	}
	close(done)
	if err := s.ContinueAll(); err != nil {
		t.Fatal(err)
	}
	drain(t, s, nil)
	s.Wait()
	if out.String() != "stopper returned 27\n" {
		t.Errorf("output %q", out.String())
	}
}

func increasing(xs []int) bool {
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			return false
		}
	}
	return true
}

func threadInfo(t *testing.T, s *Session, tid int) ThreadInfo {
	ths, err := s.Threads()
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range ths {
		if th.Tid == tid {
			return th
		}
	}
	t.Fatalf("no thread %d", tid)
	return ThreadInfo{}
}

// checkOthersRunning checks that only tid is stopped: the session reports
// every other thread running, and their tick counters advance. (The kernel's
// own view is no help here: threads that pass a hot logpoint spend most of
// their time queued in a trace stop for their next hit.)
func checkOthersRunning(t *testing.T, s *Session, tid int, counters uint64) {
	t.Helper()
	ths, err := s.Threads()
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range ths {
		if th.Tid == tid && !th.Stopped {
			t.Errorf("thread %d should be stopped", tid)
		}
		if th.Tid != tid && th.Stopped {
			t.Errorf("thread %d is stopped (%s), only %d should be", th.Tid, th.Reason, tid)
		}
	}
	if testharness.TaskState(s.Pid(), tid) != "t" {
		t.Errorf("thread %d is not in a trace stop", tid)
	}
	window := 300 * time.Millisecond
	if raceEnabled {
		window = time.Second
	}
	a := readCounters(t, s, counters, 8)
	time.Sleep(window)
	b := readCounters(t, s, counters, 8)
	for i := 1; i < 8; i++ {
		if b[i] <= a[i] {
			t.Errorf("thread %d did not tick in %v", i, window)
		}
	}
}

func TestAllStop(t *testing.T) {
	prog := buildC(t, "hot.c", "-O0")
	want := testharness.NativeOK(t, prog)
	var out syncBuffer
	s := launch(t, LaunchConfig{Config: Config{StopMode: StopAll}, Program: prog, Stdout: &out})
	bp := mustBreak(t, s, breakpoints.Spec{Location: "work", HitCond: "% 20000"})
	s.ContinueAll()
	stops := 0
	for {
		ev, ok := <-s.Events()
		if !ok {
			break
		}
		if ev.Kind != Stopped {
			continue
		}
		stops++
		if !ev.AllStopped {
			t.Errorf("all-stop stop without AllStopped: %+v", ev)
		}
		ths, _ := s.Threads()
		for _, th := range ths {
			if !th.Stopped {
				t.Errorf("stop %d: thread %d is not stopped", stops, th.Tid)
			}
			if st := testharness.TaskState(s.Pid(), th.Tid); st != "t" {
				t.Errorf("stop %d: thread %d is in state %q, want t", stops, th.Tid, st)
			}
		}
		if err := s.Continue(ev.Tid, false); err != nil {
			t.Fatal(err)
		}
	}
	s.Wait()
	if stops != 4 {
		t.Errorf("%d stops, want 4 (80,000 hits, hit condition %% 20000)", stops)
	}
	if info, _ := s.Breakpoint(bp.ID); info.Hits != 80000 {
		t.Errorf("%d hits, want 80000", info.Hits)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// TestPauseThroughLogpoint: pausing a thread that keeps hitting a logpoint
// stops it every time, even when the pause's interrupt is answered by a
// logpoint trap rather than by an interrupt stop.
func TestPauseThroughLogpoint(t *testing.T) {
	prog := buildC(t, "nonstop.c", "-O0")
	s := launch(t, LaunchConfig{Program: prog, Stdout: &syncBuffer{}})
	if _, err := s.SetBreakpoint(breakpoints.Spec{Location: "tick", Log: "t"}); err != nil {
		t.Fatal(err)
	}
	s.ContinueAll()
	var ths []ThreadInfo
	for deadline := time.Now().Add(10 * time.Second); len(ths) < 9 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ths, _ = s.Threads()
	}
	if len(ths) < 9 {
		t.Fatalf("%d threads", len(ths))
	}
	victim := ths[3].Tid
	for i := 0; i < 30; i++ {
		if err := s.Pause(victim); err != nil {
			t.Fatal(err)
		}
		ev := waitStop(t, s, nil)
		if ev.Tid != victim || ev.Reason != ReasonPause {
			t.Fatalf("round %d: stop %+v, want a pause of %d", i, ev, victim)
		}
		if err := s.Continue(victim, true); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAllStopKeptHits: eight threads call one function in a loop under a
// breakpoint that stops every 100th hit, in all-stop mode. Hits that other
// threads take while every thread is being stopped are decided at once and
// their stops reported in turn (keepHit): none is lost or counted twice,
// every stop is a breakpoint stop, and the output is native. How the stops
// spread over the threads is logged: it depends on the machine's timing
// (on a quiet machine all eight threads were seen within 32 stops in 299
// of 300 runs, and in other states one thread took most stops), so it is
// measured, not asserted.
func TestAllStopKeptHits(t *testing.T) {
	prog := buildC(t, "hot.c", "-O0")
	want := testharness.NativeOK(t, prog)
	var out syncBuffer
	s := launch(t, LaunchConfig{Config: Config{StopMode: StopAll}, Program: prog, Stdout: &out})
	bp := mustBreak(t, s, breakpoints.Spec{Location: "work", HitCond: "% 100"})
	s.ContinueAll()
	stops, seen := 0, map[int]int{}
	drain(t, s, func(ev Event) {
		if ev.Reason != ReasonBreakpoint || !ev.AllStopped {
			t.Errorf("stop %+v", ev)
		}
		stops++
		seen[ev.Tid]++
		if err := s.Continue(ev.Tid, false); err != nil {
			t.Errorf("continue: %v", err)
		}
	})
	s.Wait()
	t.Logf("stops by thread: %v", seen)
	if info, _ := s.Breakpoint(bp.ID); info.Hits != 80000 {
		t.Errorf("%d hits, want 80000", info.Hits)
	}
	if stops != 800 {
		t.Errorf("%d stops, want 800", stops)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// TestDelveTestthreads: Delve's own fixture, ten goroutines that each run
// anotherthread once: each run reports ten breakpoint stops, in both stop
// modes (all-stop lost one to three of them when a hit taken while the
// threads were being stopped was undone and then passed over).
func TestDelveTestthreads(t *testing.T) {
	prog := testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "./testdata/delve/testthreads")
	for _, mode := range []StopMode{StopAll, StopThread} {
		for run := 0; run < 5; run++ {
			var out syncBuffer
			s, err := Launch(LaunchConfig{Config: Config{StopMode: mode}, Program: prog, Stdout: &out})
			if err != nil {
				t.Fatal(err)
			}
			if bp, err := s.SetBreakpoint(breakpoints.Spec{Location: "main.anotherthread"}); err != nil || !bp.Verified {
				t.Fatalf("%v %+v", err, bp)
			}
			s.ContinueAll()
			stops := 0
			drain(t, s, func(ev Event) {
				if ev.Reason == ReasonBreakpoint {
					stops++
				}
				s.ContinueAll()
			})
			s.Wait()
			s.Close()
			if stops != 10 {
				t.Errorf("%s mode, run %d: %d breakpoint stops, want 10", mode, run, stops)
			}
			if out.String() != strings.Repeat("0\n", 10) {
				t.Errorf("%s mode, run %d: output %q", mode, run, out.String())
			}
		}
	}
}
