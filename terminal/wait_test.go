package terminal

import (
	"bytes"
	"os/exec"
	"path/filepath"
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
		// --echo shows when the waiting command runs: the ending line
		// must come while it waits, not with it.
		cmd := exec.Command(ubpdbgBin, append([]string{args[0], "--echo"}, args[1:]...)...)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out testprog.Output
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		stdin.Write([]byte(first + "\n"))
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "(ubpdbg) "+first); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q did not run; output:\n%s", first, out.String())
			}
		}
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		stdin.Write([]byte(last + "\n")) // the input stays open
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("ubpdbg still waits 10 s after %q; output:\n%s", last, out.String())
		}
		stdin.Close()
		return time.Since(start), out.String()
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
}
