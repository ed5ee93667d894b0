package terminal

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
		p := exec.Command(prog, "8")
		var pout bytes.Buffer
		p.Stdout = &pout
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		defer p.Process.Kill()
		took, out := run(t, []string{"attach", strconv.Itoa(p.Process.Pid)}, "continue", "detach")
		if took > 2*time.Second {
			t.Errorf("detach took %v", took)
		}
		if err := p.Wait(); err != nil {
			t.Errorf("program after the detach: %v (ubpdbg said:\n%s)", err, out)
		}
		if st, ok := p.ProcessState.Sys().(syscall.WaitStatus); !ok || st.ExitStatus() != 0 || pout.String() != "finished\n" {
			t.Errorf("program ended %v with output %q", p.ProcessState, pout.String())
		}
	})
	t.Run("end of input", func(t *testing.T) {
		// An attached program is detached at the end of the input, and
		// runs on to its native end.
		p := exec.Command(prog, "8")
		var pout bytes.Buffer
		p.Stdout = &pout
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		defer p.Process.Kill()
		l := startLive(t, "attach", strconv.Itoa(p.Process.Pid))
		l.send("continue")
		l.until(`^\(ubpdbg\) continue$`, 20*time.Second)
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		l.closeInput()
		out := l.wait(10 * time.Second)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("ubpdbg took %v to end after its input ended", took)
		}
		if err := p.Wait(); err != nil {
			t.Errorf("program after the end of input: %v (ubpdbg said:\n%s)", err, out)
		}
		if pout.String() != "finished\n" {
			t.Errorf("program output %q", pout.String())
		}
	})
}
