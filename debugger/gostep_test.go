package debugger

import (
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoNextFollowsGoroutine: next over lines that block lets Go resume
// the goroutine on another thread; the step must end on the next line
// wherever the goroutine went, and the program must finish right.
func TestGoNextFollowsGoroutine(t *testing.T) {
	prog := testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "./testdata/gostep")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	mustBreak(t, s, breakpoints.Spec{Location: "main.walk"})
	s.ContinueAll()
	ev := waitStop(t, s, nil)
	tid := ev.Tid
	var lines []int
	threadsSeen := map[int]bool{tid: true}
	for i := 0; i < 6; i++ {
		th := threadInfo(t, s, tid)
		if th.Func != "main.walk" {
			break
		}
		lines = append(lines, th.Line)
		if err := s.Next(tid); err != nil {
			t.Fatal(err)
		}
		ev := waitStop(t, s, nil)
		if ev.Reason != ReasonStep {
			t.Fatalf("after next from line %d: %+v", th.Line, ev)
		}
		tid = ev.Tid
		threadsSeen[tid] = true
	}
	t.Logf("lines %v on threads %v", lines, threadsSeen)
	if len(lines) < 5 || !increasing(lines) {
		t.Errorf("next went through lines %v of walk, want 5 or more increasing", lines)
	}
	s.ContinueAll()
	deadline := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				done = true
			} else if ev.Kind == Stopped {
				t.Errorf("unexpected stop %+v", ev)
				s.ContinueAll()
			}
		case <-deadline:
			t.Fatal("program did not finish")
		}
	}
	s.Wait()
	if !strings.Contains(out.String(), "walk 33") {
		t.Errorf("output %q", out.String())
	}
}
