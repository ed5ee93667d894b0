package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/trace"
)

// The trace follows the program: libraries loaded after the start,
// unloaded again, and exec.

// lastLine returns the last line of a JSON Lines stream: the report.
func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// runTraceJSON runs `ubpdbg trace --json ARGS...`, which must succeed, and
// returns the program's output and the report.
func runTraceJSON(t *testing.T, args ...string) (string, trace.Report) {
	t.Helper()
	cmd := exec.Command(ubpdbgBin(t), append([]string{"trace", "--json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var rep trace.Report
	if err := json.Unmarshal([]byte(lastLine(stderr.String())), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	if rep.Exit == nil || rep.Exit.Code != 0 {
		t.Errorf("exit %+v", rep.Exit)
	}
	return stdout.String(), rep
}

// hitsWhere sums the hits of the report's rows that keep says are wanted.
func hitsWhere(rep trace.Report, keep func(trace.Location) bool) (hits uint64, rows int) {
	for _, l := range rep.Locations {
		if keep(l) {
			hits += l.Hits
			rows++
		}
	}
	return hits, rows
}

// TestTraceLibcMalloc: `trace malloc -- PROG` counts the program's own
// mallocs in libc's malloc (before, it bound only ld.so's inlined copies,
// as libc is not loaded yet when the trace starts: 19 hits for 4,000).
func TestTraceLibcMalloc(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O2"}, "../../debugger/testdata/libcalls.c")
	out, rep := runTraceJSON(t, "malloc", "--", prog, "0", "0", "4000")
	var callocs, opendirs, mallocs int
	if _, err := fmt.Sscanf(out, "calloc %d opendir %d malloc %d", &callocs, &opendirs, &mallocs); err != nil || mallocs != 4000 {
		t.Fatalf("program output %q", out)
	}
	// ld.so's copies are inlined into its own functions under the name
	// malloc; libc's is __libc_malloc in malloc/malloc.c.
	libc, rows := hitsWhere(rep, func(l trace.Location) bool {
		return strings.HasSuffix(l.File, "malloc/malloc.c") || strings.Contains(l.Function, "libc_malloc")
	})
	if rows != 1 || libc != uint64(mallocs) {
		t.Errorf("libc's malloc: %d hits in %d rows, want %d in 1 (the program's own count); report %+v", libc, rows, mallocs, rep)
	}
}

// TestTracePendingDlopen: a function of a library the program dlopens
// and dlcloses 100 times is pending at the start and counted in every
// cycle.
func TestTracePendingDlopen(t *testing.T) {
	lib := testprog.BuildC(t, []string{"-O2", "-shared", "-fPIC"}, "../../debugger/testdata/dlib.c")
	prog := testprog.BuildC(t, []string{"-O2"}, "../../debugger/testdata/dlcycle.c")
	out, rep := runTraceJSON(t, "dlib_work", "--", prog, lib, "100", "10")
	if out != "calls 1000\n" {
		t.Errorf("program output %q", out)
	}
	hits, _ := hitsWhere(rep, func(l trace.Location) bool { return l.Location == "dlib_work" })
	if hits != 1000 {
		t.Errorf("dlib_work: %d hits, want 1000; report %+v", hits, rep)
	}
}

// TestTraceNeverFound: a name that no library loaded by the program had
// is pending until the end; then the report has a row that says so, and
// the trace fails with an error that names it.
func TestTraceNeverFound(t *testing.T) {
	lib := testprog.BuildC(t, []string{"-O2", "-shared", "-fPIC"}, "../../debugger/testdata/dlib.c")
	prog := testprog.BuildC(t, []string{"-O2"}, "../../debugger/testdata/dlcycle.c")
	cmd := exec.Command(ubpdbgBin(t), "trace", "--json", "dlib_work", "no_such_function", "--", prog, lib, "2", "10")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, stderr.String())
	}
	if stdout.String() != "calls 20\n" {
		t.Errorf("program output %q", stdout.String())
	}
	errLine := stderr.String()
	var rep trace.Report
	if err := json.Unmarshal([]byte(lastLine(stderr.String())), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	if _, rows := hitsWhere(rep, func(l trace.Location) bool {
		return l.Location == "no_such_function" && l.Address == "pending" && l.Hits == 0
	}); rows != 1 {
		t.Errorf("no pending row for no_such_function: %+v", rep)
	}
	if hits, _ := hitsWhere(rep, func(l trace.Location) bool { return l.Location == "dlib_work" }); hits != 20 {
		t.Errorf("dlib_work: %d hits, want 20", hits)
	}
	if !strings.Contains(errLine, "no_such_function: not found") {
		t.Errorf("error %q", errLine)
	}
}

// TestTraceExecSelf: a program that execs itself three times calls work
// 1,000 times in each image: all 4,000 are counted (before: the first
// 1,000, the trace's breakpoints were addresses of the first image).
func TestTraceExecSelf(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O2"}, "../../debugger/testdata/execself.c")
	native, err := exec.Command(prog, "4", "1000").Output()
	if err != nil {
		t.Fatal(err)
	}
	out, rep := runTraceJSON(t, "work", "--", prog, "4", "1000")
	if out != string(native) {
		t.Errorf("program output %q, want %q", out, native)
	}
	if hits, _ := hitsWhere(rep, func(l trace.Location) bool { return l.Function == "work" }); hits != 4000 {
		t.Errorf("work: %d hits, want 4000; report %+v", hits, rep)
	}
}
