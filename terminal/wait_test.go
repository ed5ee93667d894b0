package terminal

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestEndWhileWaiting: a script's `continue` waits for a stop that does
// not come; a `kill` or `detach` line that arrives meanwhile ends the
// session at once. Killed, the program is gone; detached, it runs on and
// finishes with its native output.
func TestEndWhileWaiting(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("testdata", "busy.c"))
	run := func(t *testing.T, args []string, first, last string) (time.Duration, string) {
		l := startLive(t, args...)
		l.send(first)
		// --echo shows when the waiting command runs: the ending line
		// must come while it waits, not with it.
		l.until(`^\(ubpdbg\) `+regexp.QuoteMeta(first)+`$`, 20*time.Second)
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		l.send(last) // the input stays open
		out := l.wait(10 * time.Second)
		return time.Since(start), out
	}
	t.Run("kill", func(t *testing.T) {
		_, out := run(t, []string{"exec", prog, "30"}, "continue -a", "kill")
		if !strings.Contains(out, "killed") {
			t.Errorf("output:\n%s", out)
		}
	})
	t.Run("detach", func(t *testing.T) {
		p := testharness.Start(t, 0, prog, "8")
		took, out := run(t, []string{"attach", strconv.Itoa(p.Pid())}, "continue", "detach")
		if took > 2*time.Second {
			t.Errorf("detach took %v", took)
		}
		if err := p.Wait(t); err != nil || p.Out.String() != "finished\n" {
			t.Errorf("program after the detach: %v, output %q (ubpdbg said:\n%s)", err, p.Out.String(), out)
		}
	})
	t.Run("end of input", func(t *testing.T) {
		// An attached program is detached at the end of the input, and
		// runs on to its native end.
		p := testharness.Start(t, 0, prog, "8")
		l := startLive(t, "attach", strconv.Itoa(p.Pid()))
		l.send("continue")
		l.until(`^\(ubpdbg\) continue$`, 20*time.Second)
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		l.closeInput()
		out := l.wait(10 * time.Second)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("ubpdbg took %v to end after its input ended", took)
		}
		if err := p.Wait(t); err != nil || p.Out.String() != "finished\n" {
			t.Errorf("program after the end of input: %v, output %q (ubpdbg said:\n%s)", err, p.Out.String(), out)
		}
	})
}
