package debugger

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/target"
)

// TestPanicDetachesCleanly: a panic of ours on the hit path while attached
// leaves the process without our int3s and outside our slots; it runs on
// and prints what it prints without a debugger.
func TestPanicDetachesCleanly(t *testing.T) {
	prog := buildC(t, "ticker.c", "-O2")
	want := native(t, prog)
	cmd := exec.Command(prog)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	time.Sleep(100 * time.Millisecond)
	s, err := Attach(cmd.Process.Pid, Config{})
	if err != nil {
		t.Fatal(err)
	}
	// The first hit panics. (The process must still be running when we
	// let it go: if it exited while attached, we, its tracer in the same
	// thread group as its parent, would reap it instead of os/exec.)
	var bp breakpoints.Info
	s.Do(func(c *target.Ctl) error {
		locs, err := s.Symbols().Resolve("step")
		if err == nil {
			testPanicAt = locs[0].PC
		}
		return err
	})
	bp, err = s.SetBreakpoint(breakpoints.Spec{Location: "step", Trace: true})
	if err != nil || !bp.Verified {
		t.Fatalf("%v %+v", err, bp)
	}
	defer func() { testPanicAt = 0 }()
	var said string
	detached := false
	for ev := range s.Events() {
		if ev.Kind == Output {
			said += ev.Text
		}
		if ev.Kind == Detached {
			detached = true
		}
	}
	if !detached || !strings.Contains(said, "internal error") {
		t.Errorf("detached=%v, said %q", detached, said)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("process after the emergency detach: %v", err)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if s.Process().Err() == nil {
		t.Error("the process does not report the internal error")
	}
}
