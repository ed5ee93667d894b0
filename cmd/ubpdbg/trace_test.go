package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/trace"
)

// ubpdbgBin builds the command under test once per test binary.
func ubpdbgBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ubpdbg-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "ubpdbg")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err, string(out)}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestTraceCountsEveryHit(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O2", "-pthread"}, "../../debugger/testdata/hot.c")
	native, err := exec.Command(prog).Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "trace", "--json", "work", "--", prog)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if stdout.String() != string(native) {
		t.Errorf("program output %q, want %q", stdout.String(), native)
	}
	var rep trace.Report
	if err := json.Unmarshal(stderr.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	if len(rep.Locations) != 1 || rep.Locations[0].Hits != 80000 || rep.Locations[0].Function != "work" {
		t.Errorf("report %+v, want one location work with 80000 hits", rep)
	}
	if rep.Exit == nil || rep.Exit.Code != 0 {
		t.Errorf("exit %+v", rep.Exit)
	}
}

// TestTraceLogLines: a logpoint on a function that 8 threads call 10,000
// times each prints exactly 80,000 lines, each with the call's arguments:
// every (thread, i) pair exactly once.
func TestTraceLogLines(t *testing.T) {
	bin := ubpdbgBin(t)
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			prog := testprog.BuildC(t, []string{opt, "-pthread"}, "../../debugger/testdata/hot.c")
			native, _ := exec.Command(prog).Output()
			out := filepath.Join(t.TempDir(), "trace.out")
			cmd := exec.Command(bin, "trace", "--print=work {thread} {i}", "--output", out, "work", "--", prog)
			stdout, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if string(stdout) != string(native) {
				t.Errorf("program output %q, want %q", stdout, native)
			}
			b, _ := os.ReadFile(out)
			seen := map[[2]int]int{}
			lines := 0
			for _, line := range strings.Split(string(b), "\n") {
				var th, i int
				if n, _ := fmt.Sscanf(line, "work %d %d", &th, &i); n == 2 {
					lines++
					seen[[2]int{th, i}]++
				}
			}
			if lines != 80000 || len(seen) != 80000 {
				t.Errorf("%d log lines with %d distinct (thread, i) pairs, want 80000 of each", lines, len(seen))
			}
			for th := 0; th < 8; th++ {
				for _, i := range []int{0, 1, 4999, 9999} {
					if seen[[2]int{th, i}] != 1 {
						t.Errorf("thread %d call %d logged %d times", th, i, seen[[2]int{th, i}])
					}
				}
			}
		})
	}
}

// TestTraceDetachOnSignal kills ubpdbg with each of SIGINT, SIGTERM and
// SIGHUP while it traces a running process: the process must be detached
// cleanly, run on and print what it prints without a debugger. The signal
// comes after the first traced hit, not after a fixed time: on a loaded
// machine attaching can take longer than a short program lives.
func TestTraceDetachOnSignal(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O2", "-pthread"}, "../../debugger/testdata/ticker.c")
	const calls = "3000" // about 3 s of run
	// The native run goes on beside the traced ones; its output is only
	// wanted at the end of each.
	nativeDone := make(chan struct{})
	var native []byte
	var nativeErr error
	go func() {
		defer close(nativeDone)
		native, nativeErr = exec.Command(prog, calls).Output()
	}()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			target := testharness.Start(t, 0, prog, calls)
			tracer := exec.Command(bin, "trace", "--print=hit", "-p", itoa(target.Pid()), "step")
			// ubpdbg's own output (log lines, then the report) is on stderr.
			out, err := tracer.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := tracer.Start(); err != nil {
				t.Fatal(err)
			}
			firstHit := make(chan bool, 1)
			var terr bytes.Buffer
			readDone := make(chan struct{})
			go func() {
				defer close(readDone)
				r := bufio.NewReader(out)
				line, err := r.ReadString('\n')
				terr.WriteString(line)
				firstHit <- err == nil && line == "hit\n"
				io.Copy(&terr, r)
			}()
			select {
			case ok := <-firstHit:
				if !ok {
					<-readDone
					tracer.Wait()
					t.Fatalf("ubpdbg traced no hit; it said:\n%s", terr.String())
				}
			case <-time.After(30 * time.Second):
				tracer.Process.Kill()
				t.Fatal("no traced hit in 30 s")
			}
			tracer.Process.Signal(sig)
			done := make(chan error, 1)
			go func() {
				<-readDone // Wait closes the pipe: read all of it first
				done <- tracer.Wait()
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				tracer.Process.Kill()
				t.Fatal("ubpdbg did not exit after the signal")
			}
			if !strings.Contains(terr.String(), "detached") {
				t.Errorf("ubpdbg said:\n%s", terr.String())
			}
			if err := target.Wait(t); err != nil {
				t.Fatalf("traced process failed after detach: %v (ubpdbg said %s)", err, terr.String())
			}
			<-nativeDone
			if nativeErr != nil {
				t.Fatal(nativeErr)
			}
			if out := target.Out.String(); out != string(native) {
				t.Errorf("output %q, want %q", out, native)
			}
		})
	}
}

func TestTraceBadArguments(t *testing.T) {
	bin := ubpdbgBin(t)
	for _, args := range [][]string{
		{"trace"},
		{"trace", "--", "/bin/true"},
		{"trace", "main"},
		{"trace", "-p", "1", "main", "--", "/bin/true"},
		{"trace", "no_such_function_anywhere", "--", "/bin/true"},
		{"trace", "main", "--", "/nonexistent/program"},
		{"trace", "-p", "999999999", "main"},
	} {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%v succeeded", args)
			continue
		}
		if !strings.Contains(string(out), "ubpdbg trace:") {
			t.Errorf("%v: no clear error:\n%s", args, out)
		}
		if strings.Contains(string(out), "panic") {
			t.Errorf("%v panicked:\n%s", args, out)
		}
	}
}

// TestTraceNoLocation: given a program but no location, trace says that
// the location is missing (the program is there).
func TestTraceNoLocation(t *testing.T) {
	bin := ubpdbgBin(t)
	for _, args := range [][]string{
		{"trace", "--", "/bin/true"},
		{"trace", "--json", "--", "/bin/true"},
	} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err == nil || !strings.HasPrefix(string(out), "ubpdbg trace: no location to trace") {
			t.Errorf("%v: %v, want an error saying a location is missing:\n%s", args, err, out)
		}
	}
}

// jsonLines parses a --json stream: every line must be one JSON object.
func jsonLines(t *testing.T, b []byte) []map[string]json.RawMessage {
	t.Helper()
	var objs []map[string]json.RawMessage
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var o map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("line %d is not a JSON object: %q (%v)", i+1, line, err)
		}
		objs = append(objs, o)
	}
	return objs
}

// TestTraceJSONLog: with --json and --print, written to a file, every line
// is a JSON object: one per hit, then the report; and {$pc} and {$rip}
// are the breakpoint's address (the pc as it was before the int3 ran).
func TestTraceJSONLog(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O2", "-pthread"}, "../../debugger/testdata/hot.c")
	out := filepath.Join(t.TempDir(), "trace.json")
	cmd := exec.Command(bin, "trace", "--json", "--print={$pc} {$rip} {$tid}", "--output", out, "work", "--", prog)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	objs := jsonLines(t, b)
	var rep trace.Report
	if err := json.Unmarshal(b[bytes.LastIndexByte(b[:len(b)-1], '\n')+1:], &rep); err != nil || len(rep.Locations) != 1 {
		t.Fatalf("the last line is not the report: %v %+v", err, rep)
	}
	addr, err := strconv.ParseUint(rep.Locations[0].Address, 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, o := range objs[:len(objs)-1] {
		var h struct {
			Thread int
			Log    string
		}
		raw, _ := json.Marshal(o)
		json.Unmarshal(raw, &h)
		if want := fmt.Sprintf("%#x %d %d", addr, addr, h.Thread); h.Log != want {
			t.Fatalf("hit %d: %s, want log %q (thread, {$pc} and {$rip} at the breakpoint)", hits, raw, want)
		}
		hits++
	}
	if hits != 80000 || rep.Locations[0].Hits != 80000 {
		t.Errorf("%d hit lines, %d hits in the report; want 80000", hits, rep.Locations[0].Hits)
	}
}

// TestTraceForkChild: the hits of a forked child are not traced; ubpdbg
// counts the parent's exactly and names the child that ran untraced.
func TestTraceForkChild(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O0"}, "testdata/forker.c")
	for _, asJSON := range []bool{false, true} {
		args := []string{"trace", "work", "--", prog}
		if asJSON {
			args = append([]string{"trace", "--json"}, args[1:]...)
		}
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		var child int
		if _, err := fmt.Sscanf(stdout.String(), "child %d exited with status 0", &child); err != nil {
			t.Fatalf("program output %q: %v", stdout.String(), err)
		}
		note := fmt.Sprintf("the program forked process %d, which ran untraced", child)
		if !strings.Contains(stderr.String(), note) {
			t.Errorf("json=%v: ubpdbg does not say %q:\n%s", asJSON, note, stderr.String())
		}
		if !asJSON {
			if !regexp.MustCompile(`(?m)^ +200  0x`).MatchString(stderr.String()) {
				t.Errorf("want 200 hits (the parent's):\n%s", stderr.String())
			}
			continue
		}
		objs := jsonLines(t, stderr.Bytes())
		var rep trace.Report
		raw, _ := json.Marshal(objs[len(objs)-1])
		json.Unmarshal(raw, &rep)
		if len(rep.Locations) != 1 || rep.Locations[0].Hits != 200 || len(rep.UntracedChildren) != 1 || rep.UntracedChildren[0] != child {
			t.Errorf("report %s: want 200 hits and untraced_children [%d]", raw, child)
		}
	}
}

// TestTraceOutputIsPrivate: --output creates its file readable by the
// user alone (the report and log lines hold the program's data), and a
// stricter umask still takes away what it asks.
func TestTraceOutputIsPrivate(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, "../../debugger/testdata/hot.c")
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o600}, {0o000, 0o600}, {0o277, 0o400}} {
		out := filepath.Join(t.TempDir(), "trace.out")
		old := syscall.Umask(c.umask)
		err := exec.Command(bin, "trace", "--output", out, "work", "--", prog).Run()
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.want {
			t.Errorf("umask %#o: --output file has mode %v, want %v", c.umask, fi.Mode().Perm(), c.want)
		}
	}
}

// TestTraceLogFlags: --log means the engine's log, as in every other
// subcommand; the old --log=FORMAT is refused with the new spelling.
func TestTraceLogFlags(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O2", "-pthread"}, "../../debugger/testdata/hot.c")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "trace", "--log=work {i}", "work", "--", prog)
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := exitCode(err); code != 2 || !strings.Contains(stderr.String(), "--print=work {i}") {
		t.Errorf("--log=FORMAT: exit %d, stderr %q; want 2 and the --print spelling", code, stderr.String())
	}

	logFile := filepath.Join(t.TempDir(), "engine.log")
	stderr.Reset()
	// printf is in libc, placed when libc is loaded: the engine logs that.
	cmd = exec.Command(bin, "trace", "--log", "--log-dest", logFile, "printf", "--", prog)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trace --log: %v\n%s", err, stderr.String())
	}
	if b, err := os.ReadFile(logFile); err != nil || !bytes.Contains(b, []byte("in a library just loaded")) {
		t.Errorf("--log-dest file: %v, %q; want the engine's log of placing printf", err, b)
	}
	if strings.Contains(stderr.String(), "just loaded") {
		t.Errorf("the engine's log went to stderr too: %q", stderr.String())
	}
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
