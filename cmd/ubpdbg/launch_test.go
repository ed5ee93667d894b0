package main

import (
	"bytes"
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
	"golang.org/x/sys/unix"
)

// Tests of how `ubpdbg exec` starts the program: it must get what it would
// get without the debugger (signal state, standard files), and keep
// working after a detach.

// runScript runs `ubpdbg exec ARGS...` with the commands on its standard
// input and returns what it printed (the terminal's and the program's
// output, which share our stdout when ubpdbg is not interactive).
func runScript(t *testing.T, wrapper []string, script string, args ...string) string {
	t.Helper()
	argv := append(append(append([]string{}, wrapper...), ubpdbgBin(t), "exec"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out.String())
	}
	return out.String()
}

// linesWith returns the lines of text that start with one of the prefixes.
func linesWith(text string, prefixes ...string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				b.WriteString(l + "\n")
			}
		}
	}
	return b.String()
}

// TestExecKeepsInheritedSignals: a program started under ubpdbg by a parent
// that ignores SIGHUP (nohup), SIGPIPE and SIGTRAP and blocks SIGUSR1 has
// the same ignored set and mask as when that parent starts it directly;
// and so does one started by a parent that changes nothing.
//
// The static program runs no int3 of ours before main. The dynamic one
// does (the dynamic linker's notification breakpoint), and the kernel
// resets an ignored or blocked SIGTRAP to its default when it delivers the
// trap of an int3, so its SIGTRAP bit is left out (docs/cli.md says so).
func TestExecKeepsInheritedSignals(t *testing.T) {
	withsigs := testprog.BuildC(t, nil, "testdata/withsigs.c")
	static := testprog.BuildC(t, []string{"-static"}, "testdata/sigstate.c")
	dynamic := testprog.BuildC(t, nil, "testdata/sigstate.c")
	for _, tc := range []struct {
		name    string
		prog    string
		wrapper []string
	}{
		{"static/plain", static, nil}, {"static/ignored+blocked", static, []string{withsigs}},
		{"dynamic/plain", dynamic, nil}, {"dynamic/ignored+blocked", dynamic, []string{withsigs}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog := tc.prog
			nativeArgv := append(append([]string{}, tc.wrapper...), prog)
			out, err := exec.Command(nativeArgv[0], nativeArgv[1:]...).Output()
			if err != nil {
				t.Fatal(err)
			}
			native := linesWith(string(out), "SigIgn:", "SigBlk:")
			if tc.prog == dynamic {
				native = strings.Replace(native, "SigIgn:\t0000000000001011", "SigIgn:\t0000000000001001", 1)
			}
			if strings.Count(native, "\n") != 2 {
				t.Fatalf("native output %q", out)
			}
			debugged := linesWith(runScript(t, tc.wrapper, "continue\n", prog), "SigIgn:", "SigBlk:")
			if debugged != native {
				t.Errorf("under ubpdbg:\n%swithout:\n%s", debugged, native)
			}
		})
	}
}

// startScript starts `ubpdbg exec ARGS...` with a pipe for its commands and
// the given stdout and stderr.
func startScript(t *testing.T, stdout *os.File, args ...string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(ubpdbgBin(t), append([]string{"exec"}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stdout
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, in
}

// ticks returns the ticker's own lines of an output, in order.
func ticks(out string) string { return linesWith(out, "tick ", "done ", "input: ") }

// TestExecDetachOutputPipe: `ubpdbg exec` with its stdout a pipe, then
// detach while the program prints: the program writes to that pipe
// directly, so after ubpdbg is gone it finishes its output (no SIGPIPE),
// every line once and in order.
func TestExecDetachOutputPipe(t *testing.T) {
	prog := testprog.BuildC(t, nil, "testdata/ticker.c")
	native, err := exec.Command(prog, "100").Output()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd, in := startScript(t, w, prog, "100")
	w.Close()
	out := &testprog.Output{}
	copied := make(chan error, 1)
	go func() { _, err := io.Copy(out, r); copied <- err }()
	io.WriteString(in, "continue &\n")
	waitFor(t, func() bool { return strings.Contains(out.String(), "tick 5\n") })
	io.WriteString(in, "detach\n")
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ubpdbg: %v\n%s", err, out.String())
	}
	select {
	case <-copied: // every writer is gone: ubpdbg and the program
	case <-time.After(20 * time.Second):
		t.Fatalf("the program did not finish; output:\n%s", out.String())
	}
	if got := ticks(out.String()); got != string(native) {
		t.Errorf("program output after detach:\n%s\nwant:\n%s", got, native)
	}
}

// TestExecDetachOutputFile: the same with stdout a file.
func TestExecDetachOutputFile(t *testing.T) {
	prog := testprog.BuildC(t, nil, "testdata/ticker.c")
	native, err := exec.Command(prog, "100").Output()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd, in := startScript(t, f, prog, "100")
	read := func() string { b, _ := os.ReadFile(path); return string(b) }
	io.WriteString(in, "continue &\n")
	waitFor(t, func() bool { return strings.Contains(read(), "tick 5\n") })
	io.WriteString(in, "detach\n")
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ubpdbg: %v\n%s", err, read())
	}
	waitFor(t, func() bool { return strings.Contains(read(), "done 100\n") })
	if got := ticks(read()); got != string(native) {
		t.Errorf("program output after detach:\n%s\nwant:\n%s", got, native)
	}
}

// TestExecStdinFile: --stdin gives the program that file as its input,
// and a second run reads it again from its start.
func TestExecStdinFile(t *testing.T) {
	prog := testprog.BuildC(t, nil, "testdata/ticker.c")
	input := filepath.Join(t.TempDir(), "input")
	if err := os.WriteFile(input, []byte("first line\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := ticks(runScript(t, nil, "continue\nrun\n", "--stdin", input, prog, "1", "read"))
	want := strings.Repeat("input: first line\ninput: second line\ntick 0\ndone 1\n", 2)
	if got != want {
		t.Errorf("program output %q, want %q", got, want)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	testharness.Until(t, "condition", ok, nil)
}

// TestExecDetachInteractive: interactively the program's output to our
// terminal comes through ubpdbg (printed above the prompt); after a detach
// a relay process carries it on, so the program finishes its output on the
// terminal instead of dying of SIGPIPE at its next line. In tmux, with a
// shell that stays after ubpdbg exits so that the terminal stays open.
func TestExecDetachInteractive(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	prog := testprog.BuildC(t, nil, "testdata/ticker.c")
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The history holds every line, not only the last screen's.
	screen := func() string { return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "u") }
	shell := fmt.Sprintf("%s exec %s 150; echo ubpdbg-ended; sleep 60", ubpdbgBin(t), prog)
	tmux("-f", "/dev/null", "new-session", "-d", "-s", "u", "-x", "120", "-y", "40",
		"env", "TERM=xterm", "UBPDBG_HISTORY="+filepath.Join(dir, "history"), "sh", "-c", shell)
	defer tmux("kill-server")
	waitFor(t, func() bool { return strings.Contains(screen(), "stopped> ") })
	tmux("send-keys", "-t", "u", "continue", "Enter")
	waitFor(t, func() bool { return strings.Contains(screen(), "tick 10\n") })
	tmux("send-keys", "-t", "u", "detach", "Enter")
	waitFor(t, func() bool { return strings.Contains(screen(), "ubpdbg-ended") })
	waitFor(t, func() bool { return strings.Contains(screen(), "done 150\n") })
	s := screen()
	if !strings.Contains(s, "through relay process") {
		t.Errorf("detach did not say where the output goes:\n%s", s)
	}
	for i := 0; i < 150; i++ {
		if !strings.Contains(s, fmt.Sprintf("tick %d\n", i)) {
			t.Fatalf("tick %d is missing:\n%s", i, s)
		}
	}
}

// TestExecStopContFromOutside: SIGSTOP sent from outside to a program
// running under ubpdbg stops all its threads (in /proc: T natively, t when
// traced, both "stopped"), they stay stopped, and SIGCONT lets it finish
// with its native output.
func TestExecStopContFromOutside(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-pthread"}, "testdata/stopcont.c")
	native, err := exec.Command(prog).Output()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd, in := startScript(t, w, prog)
	w.Close()
	out := &testprog.Output{}
	copied := make(chan struct{})
	go func() { io.Copy(out, r); close(copied) }()
	io.WriteString(in, "continue\n")
	pid := waitForChild(t, cmd.Process.Pid, prog)
	tasks := func() string { return testharness.Tasks(pid) }
	testharness.Until(t, "five threads", func() bool { return len(threadStates(pid)) == 5 }, tasks)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	allStopped := func() bool {
		st := threadStates(pid)
		for _, s := range st {
			if s != 'T' && s != 't' {
				return false
			}
		}
		return len(st) == 5
	}
	testharness.Until(t, "every thread stopped by SIGSTOP", allStopped, tasks)
	time.Sleep(300 * time.Millisecond)
	if !allStopped() {
		t.Fatalf("a thread runs again during the stop: %q", threadStates(pid))
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// The end of the input while continue waits would end the session
	// at once (docs/cli.md): it comes after the program's end.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "exited with status"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the program did not finish after SIGCONT; states %q, output:\n%s", threadStates(pid), out.String())
		}
	}
	in.Close()
	<-copied
	cmd.Wait()
	if got := linesWith(out.String(), "counts "); got != string(native) {
		t.Errorf("output %q, want %q (all: %s)", got, native, out.String())
	}
}

// waitForChild returns the pid of parent's child running prog.
func waitForChild(t *testing.T, parent int, prog string) int {
	t.Helper()
	var pid int
	waitFor(t, func() bool {
		// The ptrace thread, which started it, is any of ubpdbg's threads.
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", parent))
		for _, task := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", parent, task.Name()))
			for _, f := range strings.Fields(string(b)) {
				if exe, _ := os.Readlink("/proc/" + f + "/exe"); exe == prog {
					pid, _ = strconv.Atoi(f)
					return true
				}
			}
		}
		return false
	})
	return pid
}

// threadStates returns the state letter of each thread of pid.
func threadStates(pid int) string {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var st []byte
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
			st = append(st, b[i+2])
		}
	}
	return string(st)
}

// TestExecRunAgain: after the program exits, `run` starts it again with
// the same breakpoint, which counts its hits again from zero; `restart`
// while it is stopped at a breakpoint kills it and starts it again too.
func TestExecRunAgain(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0"}, "testdata/calls.c")
	script := "break work\ncontinue\ncontinue\ncontinue\ncontinue\nbreakpoints\n" + // one full run
		"run\ncontinue\ncontinue\ncontinue\nbreakpoints\n" + // and again
		"restart\ncontinue\nrestart\ncontinue\ncontinue\ncontinue\ncontinue\nbreakpoints\n" // killed at its first hit, then a full run
	out := runScript(t, nil, script, prog)
	if n := strings.Count(out, "stopped at breakpoint 1: work()"); n != 3+3+1+3 {
		t.Errorf("%d stops at the breakpoint, want 10:\n%s", n, out)
	}
	if n := strings.Count(out, "exited with status 0"); n != 3 {
		t.Errorf("%d normal exits, want 3:\n%s", n, out)
	}
	if n := strings.Count(out, "started again, stopped at its first instruction (1 breakpoint kept)"); n != 3 {
		t.Errorf("%d restarts, want 3:\n%s", n, out)
	}
	hits := regexp.MustCompile(`(?m)^1\s+breakpoint\s+y\s+(\d+)`).FindAllStringSubmatch(out, -1)
	if len(hits) != 3 || hits[0][1] != "3" || hits[1][1] != "3" || hits[2][1] != "3" {
		t.Errorf("hit counts %v, want 3 after each full run:\n%s", hits, out)
	}
	if got := linesWith(out, "work "); got != strings.Repeat("work 1\nwork 4\nwork 9\n", 3) {
		t.Errorf("program output %q", got)
	}
}

// TestExecTTY: --tty gives the program a terminal of its own for input and
// output (a pseudo-terminal here, as another window's would be): it reads
// what is typed there and writes there, not to ubpdbg's output.
func TestExecTTY(t *testing.T) {
	prog := testprog.BuildC(t, nil, "testdata/ticker.c")
	master, slave := openPTY(t)
	defer master.Close()
	out := &testprog.Output{}
	go io.Copy(out, master)
	cmd := exec.Command(ubpdbgBin(t), "exec", "--tty", slave, prog, "1", "read")
	cmd.Stdin = strings.NewReader("continue\n")
	var ours bytes.Buffer
	cmd.Stdout, cmd.Stderr = &ours, &ours
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(master, "hello\n\x04") // a line, then end of input (Ctrl-D)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ubpdbg: %v\n%s", err, ours.String())
	}
	waitFor(t, func() bool { return strings.Contains(out.String(), "done 1") })
	if got := ticks(strings.ReplaceAll(out.String(), "\r", "")); got != "input: hello\ntick 0\ndone 1\n" {
		t.Errorf("on the program's terminal %q, want its input and ticks", out.String())
	}
	if strings.Contains(ours.String(), "tick 0") {
		t.Errorf("the program's output came to ubpdbg's own output:\n%s", ours.String())
	}
}

// openPTY opens a pseudo-terminal and returns its master and the slave's
// path.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	return master, fmt.Sprintf("/dev/pts/%d", n)
}
