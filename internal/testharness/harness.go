// Package testharness is what the tests of every package share around a
// debugged program: running it natively to have the output to compare
// with, finding its symbols and marker lines, and waiting for something
// with one timeout policy whose failure says what every thread was doing.
// It also starts a program as someone else's running process, for tests
// that attach (Start). Building the programs is package testprog's job;
// launching them under a session is internal/sessiontest's (the harness
// sits below debugger, so that debugger's own tests can use it).
package testharness

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Timeout is how long a test waits for any one thing (an event, a stop,
// the end of a program) before it fails. It is long because the machines
// tests run on are shared with other ptrace-heavy work; UBPDBG_TEST_TIMEOUT
// (a Go duration) overrides it.
var Timeout = timeoutFromEnv(30 * time.Second)

func timeoutFromEnv(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("UBPDBG_TEST_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return def
}

// Run is a native run of a test program.
type Run struct {
	Stdout, Stderr string
	Code           int // exit status; -1 if a signal killed it
}

// Native runs prog without a debugger and returns what it printed and its
// exit status. The test fails if it cannot be run; a non-zero exit (or a
// death by signal) is returned, for tests whose program ends so.
func Native(t testing.TB, prog string, args ...string) Run {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return Run{Stdout: o.String(), Stderr: e.String(), Code: ee.ExitCode()}
	}
	if err != nil {
		t.Fatalf("native run of %s %v: %v\n%s", prog, args, err, e.String())
	}
	return Run{Stdout: o.String(), Stderr: e.String()}
}

// NativeOK is Native for a program that must exit 0; it returns stdout.
func NativeOK(t testing.TB, prog string, args ...string) string {
	t.Helper()
	r := Native(t, prog, args...)
	if r.Code != 0 {
		t.Fatalf("native run of %s %v: exit status %d\n%s", prog, args, r.Code, r.Stderr)
	}
	return r.Stdout
}

// SameLines reports whether two outputs have the same lines, in any order
// (lines that threads print).
func SameLines(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	m := map[string]int{}
	for _, l := range la {
		m[l]++
	}
	for _, l := range lb {
		m[l]--
		if m[l] < 0 {
			return false
		}
	}
	return true
}

// Symbol is the value of the ELF symbol name in the executable at path:
// for a non-PIE executable, its run-time address.
func Symbol(t testing.TB, path, name string) uint64 {
	t.Helper()
	_, syms := ELFSymbols(t, path)
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("%s has no symbol %s", path, name)
	return 0
}

// ELFSymbols opens the ELF file at path (closed when the test ends) and
// reads its symbol table.
func ELFSymbols(t testing.TB, path string) (*elf.File, []elf.Symbol) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	return f, syms
}

// LineOf is the line of a test source that holds marker (a comment such
// as "// BP here"), so that tests name lines that move with the source.
func LineOf(t testing.TB, file, marker string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %s in %s", marker, file)
	return 0
}

// Receive returns the next value from ch. If none comes within Timeout,
// or ch is closed, the test fails, saying what it waited for and, from
// state (nil: nothing), what the debugger and the threads were doing.
func Receive[T any](t testing.TB, ch <-chan T, what string, state func() string) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatalf("closed while waiting for %s\n%s", what, describe(state))
		}
		return v
	case <-time.After(Timeout):
		t.Fatalf("no %s within %v\n%s", what, Timeout, describe(state))
	}
	panic("unreachable")
}

// Until polls ok until it holds; if it does not within Timeout the test
// fails as Receive does.
func Until(t testing.TB, what string, ok func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v\n%s", what, Timeout, describe(state))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func describe(state func() string) string {
	if state == nil {
		return ""
	}
	return state()
}

// Tasks describes every thread of process pid as the kernel sees it: its
// state (t: ptrace stop, T: stopped, R, S) and, for a sleeping one, its
// system call. It is what a timeout message needs when a stop does not
// come.
func Tasks(pid int) string {
	var b strings.Builder
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		fmt.Fprintf(&b, "tasks of %d: %v\n", pid, err)
	}
	for _, task := range tasks {
		stat, _ := os.ReadFile(dir + task.Name() + "/stat")
		sc, _ := os.ReadFile(dir + task.Name() + "/syscall")
		fmt.Fprintf(&b, "task %s state %s stat %q syscall %q\n", task.Name(), TaskState(pid, mustAtoi(task.Name())),
			bytes.TrimSpace(stat), bytes.TrimSpace(sc))
	}
	return b.String()
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TaskState is the one-letter kernel state of thread tid of process pid,
// "?" if it cannot be read (the thread is gone).
func TaskState(pid, tid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/stat", pid, tid))
	if err != nil {
		return "?"
	}
	s := string(b)
	i := strings.LastIndex(s, ")")
	if i < 0 || i+2 >= len(s) {
		return "?"
	}
	return s[i+2 : i+3]
}
