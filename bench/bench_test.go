package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the benchmark's child copy for
// the syscall count (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		os.Exit(childMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestQuick runs ubpdbg's own parts of every section with tiny figures:
// it checks that the command works, not how fast anything is.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("launches programs under ptrace")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	var out bytes.Buffer
	o := &options{
		quick:     true,
		sections:  map[string]bool{},
		target:    30 * time.Millisecond,
		window:    100 * time.Millisecond,
		sizes:     []int{1_000, 3_000},
		threads:   []int{1, 3},
		maxCalls:  20_000,
		rounds:    1,
		capTime:   5 * time.Second,
		sysCalls:  100,
		soak:      5 * time.Second,
		killRuns:  1,
		soakPause: time.Millisecond,
		out:       &out,
	}
	for _, s := range allSections {
		o.sections[s] = true
	}
	// bigbin needs gopls built (minutes) and a JDK with its debug
	// package; it has no tiny form.
	delete(o.sections, "bigbin")
	if _, err := exec.LookPath("strace"); err != nil {
		delete(o.sections, "syscalls")
	}
	err := run(o)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ubpdbg trace", "ubpdbg logpoint", "threads", "non-stop", "SlotMemory()", "ubpdbg RSS", "finished as natively", "jump-site coverage", "summary"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "failed:") {
		t.Error("a measurement failed")
	}
}
