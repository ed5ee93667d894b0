package debugger

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/target"
)

// TestPanicDetachesCleanly: a panic of ours on the hit path while attached
// leaves the process without our int3s and outside our slots; it runs on
// and prints what it prints without a debugger.
func TestPanicDetachesCleanly(t *testing.T) {
	prog := buildC(t, "ticker.c", "-O2")
	// Long enough to be still running when we let it go, even when loading
	// libc's debug information is slow (the race detector): if it exited
	// while attached, we, its tracer in the same thread group as its parent,
	// would reap it instead of os/exec.
	const n = 6000
	want := fmt.Sprintf("total %d\n", n*(0+1+2+3)*1000+4*n*(n-1)/2)
	prg := testharness.Start(t, 100*time.Millisecond, prog, fmt.Sprint(n))
	s, err := Attach(prg.Pid(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	// (Resolved in the executable only: libc has a step() too, and looking
	// through all of libc's debug information is slow under -race.)
	locs, err := s.Symbols().Images()[0].Resolve("step")
	if err != nil {
		t.Fatal(err)
	}
	mustBreak(t, s, breakpoints.Spec{Location: fmt.Sprintf("*%#x", locs[0].PC), Trace: true})
	// The next hit panics: the site's user is made a nil breakpoint, as a
	// bug of ours could leave it, which the hit path dereferences. (The
	// engine has no test hook of its own on that path.)
	s.Do(func(c *target.Ctl) error {
		users := s.sites.At(locs[0].PC).Users()
		users[0] = nil
		return nil
	})
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
	if err := prg.Wait(t); err != nil {
		t.Fatalf("process after the emergency detach: %v", err)
	}
	if out := prg.Out.String(); out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if s.Process().Err() == nil {
		t.Error("the process does not report the internal error")
	}
}
