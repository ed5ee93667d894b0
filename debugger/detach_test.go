package debugger

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestDetachLeavesNoTrap attaches to a program whose eight threads call
// hit() all the time, counts its hits for a moment and detaches, over and
// over: a thread that took the int3's trap just before the int3 was taken
// out must not get a SIGTRAP after the detach (it would die of it, with rip
// one past the breakpoint). UBPDBG_DETACH_RUNS sets the number of detaches
// (docs/architecture.md's figure is from 300); CI does 20, and 3 under the
// race detector, which makes each attach 14 s (the detach race itself is
// the plain run's to find; the race build looks for data races in the
// engine's own goroutines).
func TestDetachLeavesNoTrap(t *testing.T) {
	runs := 20
	if raceEnabled {
		runs = 3
	}
	if n, err := strconv.Atoi(os.Getenv("UBPDBG_DETACH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	prog := buildC(t, "until.c", "-O2")
	file := filepath.Join(t.TempDir(), "run")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Someone's running program, threads and all.
	prg := testharness.Start(t, 100*time.Millisecond, prog, file)
	for run := 0; run < runs; run++ {
		s, err := Attach(prg.Pid(), Config{})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if _, err := s.SetBreakpoint(breakpoints.Spec{Location: "hit", Trace: true}); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		time.Sleep(time.Duration(1+run%7) * time.Millisecond)
		if err := s.Detach(); err != nil {
			t.Fatalf("run %d: detach: %v", run, err)
		}
		for range s.Events() {
		}
		time.Sleep(5 * time.Millisecond)
		if !processRuns(prg.Pid()) {
			t.Fatalf("run %d: the program died after the detach: %v", run, prg.Wait(t))
		}
	}
	os.Remove(file)
	if err := prg.Wait(t); err != nil {
		t.Fatalf("the program failed: %v", err)
	}
	if out := prg.Out.String(); out != "ok\n" {
		t.Errorf("the program printed %q, want \"ok\\n\"", out)
	}
}

// processRuns reports whether pid exists and is not a zombie. (Waiting for
// it in a goroutine meanwhile would race with the tracer for its stops.)
func processRuns(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}
