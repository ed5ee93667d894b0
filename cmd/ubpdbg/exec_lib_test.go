package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestExecBreakOpendirAtEntry: `break opendir` typed at the entry stop of
// `ubpdbg exec`, where only ld.so (with a copy of opendir of its own) is
// loaded, stops at each of the program's 3 calls in libc, with main as
// the caller, as in gdb; before, it bound ld.so's copy only and never
// stopped.
func TestExecBreakOpendirAtEntry(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O2"}, "../../debugger/testdata/libcalls.c")
	cmd := exec.Command(ubpdbgBin(t), "exec", prog, "0", "3", "0")
	cmd.Stdin = strings.NewReader("break opendir\ncontinue\nbt\ncontinue\nbt\ncontinue\nbt\ncontinue\n")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// With libc's debug file, the stop is in invalid_name, inlined into
	// opendir at its first line; without it, in opendir.
	stops := regexp.MustCompile(`(?m)^Thread \d+ stopped at breakpoint 1: (invalid_name|\w*opendir)\(\)`).FindAllString(out, -1)
	callers := regexp.MustCompile(`(?m)^\s+#[12] .* in main\(.*\) at .*libcalls\.c:\d+$`).FindAllString(out, -1)
	if len(stops) != 3 || len(callers) != 3 {
		t.Errorf("%d stops at opendir, %d with main as caller; want 3 of each:\n%s", len(stops), len(callers), out)
	}
	if !strings.Contains(out, "calloc 0 opendir 3 malloc 0\n") || !regexp.MustCompile(`Process \d+ exited with status 0`).MatchString(out) {
		t.Errorf("the program did not finish as it does alone:\n%s", out)
	}
}
