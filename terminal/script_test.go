package terminal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// The tests drive the real ubpdbg binary: scripts on its standard input
// (this file) and a terminal in tmux (tmux_test.go).

var ubpdbgBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ubpdbg-terminal-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ubpdbgBin = filepath.Join(dir, "ubpdbg")
	out, err := exec.Command("go", "build", "-o", ubpdbgBin, "../cmd/ubpdbg").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build ubpdbg: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func cTarget(t *testing.T) string {
	return testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("testdata", "threads.c"))
}

func goTarget(t *testing.T) string {
	return testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "./testdata/goprog")
}

// goEnv keeps a Go target's goroutine on its thread while it is stepped:
// the engine steps threads, and Go's asynchronous preemption (a signal
// sysmon sends to a goroutine that seems to run too long, as a stopped one
// does) can move the goroutine to another thread mid-step.
var goEnv = []string{"GODEBUG=asyncpreemptoff=1"}

// script runs ubpdbg with the commands on its standard input and returns
// everything it printed.
func script(t *testing.T, env []string, commands string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ubpdbgBin, args...)
	cmd.Stdin = &pausingReader{parts: strings.Split(commands, pauseLine)}
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("ubpdbg timed out; output:\n%s", out)
	}
	if err != nil {
		t.Logf("ubpdbg: %v", err)
	}
	return string(out)
}

// pauseLine in a script holds back the commands after it for pauseTime:
// a test that needs the program to run for a while between two commands
// (not just for as long as the commands in between take, which on a loaded
// machine can be shorter than a time slice) says so with it.
const (
	pauseLine = "@pause\n"
	pauseTime = 200 * time.Millisecond
)

// pausingReader gives a script's parts one after the other, sleeping
// pauseTime before each part but the first.
type pausingReader struct {
	parts []string
}

func (r *pausingReader) Read(p []byte) (int, error) {
	for len(r.parts) > 0 && r.parts[0] == "" {
		r.parts = r.parts[1:]
		if len(r.parts) > 0 {
			time.Sleep(pauseTime)
		}
	}
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	return n, nil
}

// expectInOrder checks that each pattern (a regexp) matches the output
// after the previous one's match.
func expectInOrder(t *testing.T, out string, patterns ...string) {
	t.Helper()
	rest := out
	for _, p := range patterns {
		loc := regexp.MustCompile("(?m)" + p).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("output lacks %q (after the earlier matches); full output:\n%s", p, out)
		}
		rest = rest[loc[1]:]
	}
}

func TestScriptC(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, `break square
continue
bt
args
locals
print x * 10
next
print y
stepout
print s
delete 1
next
next
step
args
up
print i
down
breakpoints
continue
`, "exec", prog)
	expectInOrder(t, out,
		`Breakpoint 1 at 0x[0-9a-f]+: square\(\) threads.c:13`,
		`Thread \d+ stopped at breakpoint 1: square\(\) threads.c:13`,
		`^\s+13:\s+int y = x \* x;$`,
		`#0 .* in square\(x=1\) at .*threads.c:13`,
		`#1 .* in sum_squares\(n=\d+\) at .*threads.c:20`,
		`#2 .* in main\(argc=1, argv=0x[0-9a-f]+\) at .*threads.c:37`,
		`^x = 1$`, // args
		`^y = `,   // locals
		`^10$`,
		`stopped after step: square\(\) threads.c:14`,
		`^1$`,
		`stopped after step out: sum_squares\(\) threads.c:20`,
		`^Value returned is 1$`, // square(1)
		`^0$`,                   // s: square's result is not added yet
		`stopped after step: sum_squares\(\) threads.c:19`,
		`stopped after step: sum_squares\(\) threads.c:20`,
		`stopped after step: square\(\) threads.c:13`,
		`^x = 2$`,
		`#1 .* in sum_squares\(n=\d+\)`,
		`^2$`,
		`#0 .* in square\(x=\d+\)`,
		`^No breakpoints$`,
		`^total 14$`,
		`Process \d+ exited with status 0`,
	)
}

// TestNonStop: one thread sits at a breakpoint while the other keeps
// running, and threads says which is which.
func TestNonStop(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, `break square
continue
threads
print spins
@pause
bt
locals
threads
print spins
set stop = 1
delete
continue -a
`, "exec", prog)
	expectInOrder(t, out,
		`Thread (\d+) stopped at breakpoint 1: square\(\)`,
		`\* \d+ +\S+ +stopped \(breakpoint\) square\(\) threads.c:13\n  \d+ +\S+ +running\n`,
		`2 threads: 1 stopped, 1 running \(non-stop mode\)`,
	)
	m := regexp.MustCompile(`\n(\d+)\n`).FindAllStringSubmatch(out, -1)
	if len(m) < 2 || m[0][1] == m[1][1] {
		t.Errorf("spins did not change while main was stopped (the spinner should run): %v\n%s", m, out)
	}
	expectInOrder(t, out, `Process \d+ exited with status 0`)
}

func TestAllStopMode(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, "break square\ncontinue\nthreads\ndelete\ncontinue\n", "exec", "--stop-mode", "all", prog)
	expectInOrder(t, out,
		`stopped at breakpoint 1 \(all threads stopped\)`,
		`2 threads: 2 stopped, 0 running \(all-stop mode\)`,
		`total 14`,
	)
}

// TestAllStopSelectsStoppingThread: in all-stop mode every thread is
// stopped at a stop, and the stop still selects the thread that stopped:
// bt and print act on it, not on the thread selected before.
func TestAllStopSelectsStoppingThread(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, "break spinner\ncontinue\nbt 1\nprint arg\ndelete\ncontinue\n", "exec", "--stop-mode", "all", prog)
	expectInOrder(t, out,
		`Thread (\d+) stopped at breakpoint 1 \(all threads stopped\): spinner\(\)`,
		`#0 .* in spinner\(arg=0x0\)`,
		`^\(void \*\) 0x0$`,
		`total 14`,
	)
}

func TestScriptGo(t *testing.T) {
	prog := goTarget(t)
	out := script(t, goEnv, `break main.scale
continue
bt
args
print p.X + k
next
next
locals
print q
stepout
continue &
delete
continue
`, "exec", prog)
	expectInOrder(t, out,
		`Breakpoint 1 at 0x[0-9a-f]+: main.scale\(\) main.go:12`,
		`stopped at breakpoint 1: main.scale\(\) main.go:12`,
		`#0 .* in main.scale\(p=\.\.\., k=3\) at .*main.go:12`,
		`#1 .* in main.walk\(n=\d+\) at .*main.go:20`,
		`#2 .* in main.main\(\) at .*main.go:\d+`,
		`p = main.point \{X: 0, Y: 1\}|p = \{X: 0, Y: 1\}|p = .*X.*0.*Y.*1`,
		`k = 3`,
		`\n3\n`,
		`stopped after step: main.scale\(\) main.go:13`,
		`stopped after step: main.scale\(\) main.go:14`,
		`q = `,
		`X: 0, Y: 3|X.*0.*Y.*3`,
		`stopped after step out: main.walk\(\) main.go:20`,
		`walk 48\n`,
		`Process \d+ exited with status 0`,
	)
}

// TestAttachDetach attaches to a running program, stops it at a
// breakpoint, detaches, and checks the program then finishes as if
// nothing had happened.
func TestAttachDetach(t *testing.T) {
	prog := goTarget(t)
	var progOut bytes.Buffer
	cmd := exec.Command(prog, "slow")
	cmd.Stdout = &progOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	out := script(t, goEnv, `break main.scale
continue
bt
print k
detach
`, "attach", fmt.Sprint(cmd.Process.Pid))
	expectInOrder(t, out,
		`Breakpoint 1 at 0x[0-9a-f]+: main.scale\(\)`,
		`stopped at breakpoint 1: main.scale\(\) main.go:12`,
		`#1 .* in main.walk\(n=10\)`,
		`\n3\n`,
		`Detached from process \d+; it goes on running`,
	)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("program after detach: %v (output %q)", err, progOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("program did not finish after detach")
	}
	if progOut.String() != "walk 48\n" {
		t.Errorf("program output %q, want %q", progOut.String(), "walk 48\n")
	}
}

// TestQuitDetaches: quitting an attached session lets the process go on.
func TestQuitDetaches(t *testing.T) {
	prog := goTarget(t)
	cmd := exec.Command(prog, "slow")
	var progOut bytes.Buffer
	cmd.Stdout = &progOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := script(t, nil, "threads\nquit\n", "attach", fmt.Sprint(cmd.Process.Pid))
	expectInOrder(t, out, `running`, `Detached from process`)
	if err := cmd.Wait(); err != nil || progOut.String() != "walk 48\n" {
		t.Fatalf("after quit: %v, output %q", err, progOut.String())
	}
}

// TestErrors: unknown commands and bad arguments get one line with a hint,
// and the session goes on.
func TestErrors(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, `brk square
contnue
foo
frame x
delete abc
break
break nosuchfunction
x
thread 999999
help brk
break square
continue
`, "exec", prog)
	want := []string{
		`unknown command "brk"; did you mean "break"? (help lists commands)`,
		`unknown command "contnue"; did you mean "continue"? (help lists commands)`,
		`unknown command "foo" (help lists commands)`,
		`frame: "x" is not a frame number; usage: frame [N] (help frame)`,
		`delete: "abc" is not a breakpoint number; usage: delete [ID...] (help delete)`,
		`x: missing address; usage: x ADDR [N] (help x)`,
		`thread: no thread 999999 (threads lists them)`,
		`help: no command "brk"; did you mean "break"?`,
	}
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("output lacks the line %q", w)
		}
	}
	// A function found nowhere is an error (a typo, most likely) with a
	// hint for the pending breakpoint the user may have meant; the
	// session goes on, and the number is not used up (the bare break
	// before it was 1).
	expectInOrder(t, out,
		`(?m)^break: location not found: no function "nosuchfunction" \(break -p nosuchfunction makes it pending: placed if a library that has it is loaded\)$`,
		`Breakpoint 2 at .*square`, `stopped at breakpoint 2`)
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestPendingBreakpoints: a location that matches nothing is an error in
// a script unless -p asks for a pending breakpoint, which is then placed
// when the library that has it loads; a line past the end of a known file
// is an error even with -p, and says where the file's code ends.
func TestPendingBreakpoints(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, `break threads.c:9999
break -p threads.c:9999
tbreak nosuchfunc
logpoint nosuchfunc hi
breakpoints
break -p nosuchfunc
break -p printf
logpoint -p puts never {x}
breakpoints
continue
bt 2
`, "exec", prog)
	expectInOrder(t, out,
		`(?m)^break: location not found: no code at or after line 9999 in threads.c \(the last line with code is 42\)$`,
		`(?m)^break: location not found: no code at or after line 9999 in threads.c \(the last line with code is 42\)$`,
		`(?m)^tbreak: location not found: no function "nosuchfunc" \(tbreak -p nosuchfunc makes it pending`,
		`(?m)^logpoint: location not found: no function "nosuchfunc" \(logpoint -p nosuchfunc makes it pending`,
		`(?m)^No breakpoints$`,
		`(?m)^Breakpoint 1 pending: location not found: no function "nosuchfunc"`,
		`(?m)^Breakpoint 2 pending: .*no function "printf"`,
		`(?m)^Logpoint 3 pending: .*no function "puts"`,
		`(?m)^1 +breakpoint +y +0  <pending> +nosuchfunc`,
		`(?m)^2 +breakpoint +y +0  <pending> +printf`,
		// libc loads: the pending breakpoint on printf is placed, and
		// stops main's call.
		`(?m)^Breakpoint 2 at 0x[0-9a-f]+: .*printf`,
		`stopped at breakpoint 2: .*printf`,
		`#1 .* in main\(argc=1, argv=0x[0-9a-f]+\) at .*threads.c:40`,
	)
}

// TestConditionErrors: a condition on a variable that is optimized out
// (in a function inlined at -O2) says so, as args does, and stops the
// thread once with the error in the stop; the other hits run on and are
// counted. A condition on a variable that is there is evaluated in the
// inlined function's scope.
func TestConditionErrors(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O2"}, filepath.Join("testdata", "inlined.c"))
	out := script(t, nil, "break work if n == 3\ncontinue\nargs\ncontinue\nbreakpoints\n", "exec", prog)
	expectInOrder(t, out,
		`(?m)^Breakpoint 1 at 0x[0-9a-f]+: work\(\) inlined.c:\d+ if n == 3$`,
		`(?m)^Error in testing condition for breakpoint 1 \(n == 3\): n is optimized out$`,
		`(?m)^\(Later errors of this condition do not stop; breakpoints counts them.\)$`,
		`(?m)^Thread \d+ stopped at breakpoint 1: work\(\) inlined.c:\d+$`,
		`(?m)^n = <optimized out>$`,
		`(?m)^t=35$`,
		`Process \d+ exited with status 0`,
		`(?m)^ +condition not evaluated 5 time\(s\): n is optimized out$`,
	)
	if n := strings.Count(out, "stopped at"); n != 1 {
		t.Errorf("%d stops, want 1:\n%s", n, out)
	}

	out = script(t, nil, "break work if k == 3\ncontinue\nargs\ncontinue\n", "exec", prog)
	expectInOrder(t, out, `stopped at breakpoint 1: work\(\)`, `(?m)^k = 3$`, `(?m)^t=35$`, `exited with status 0`)
	if strings.Contains(out, "Error in testing") {
		t.Errorf("the condition on k failed:\n%s", out)
	}
}

// TestEcho: with --echo each scripted command is shown after a prompt,
// right before its own output, as in the README's transcripts.
func TestEcho(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, "break square\n\ncontinue\nprint x\ndelete\ncontinue -a\n", "exec", "--echo", prog)
	expectInOrder(t, out,
		`(?m)^\(ubpdbg\) break square\nBreakpoint 1 at `,
		`(?m)^\(ubpdbg\) continue\n(\[thread \d+ started\]\n)?Thread \d+ stopped at breakpoint 1`,
		`(?m)^\(ubpdbg\) print x\n1\n\(ubpdbg\) delete\nDeleted 1 breakpoint\(s\)\n\(ubpdbg\) continue -a\n`,
		`Process \d+ exited with status 0`)
	if strings.Count(out, "(ubpdbg)") != 5 {
		t.Errorf("want 5 echoed commands (the empty line is not one):\n%s", out)
	}
}

// TestDeleteSeveral: delete with several numbers deletes every one that
// exists and names the one that does not.
func TestDeleteSeveral(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, "break square\nbreak main\ndelete 1 99 2\nbreakpoints\ncontinue -a\n", "exec", prog)
	expectInOrder(t, out, `Breakpoint 1 at `, `Breakpoint 2 at `, `no breakpoint 99`, `(?m)^No breakpoints`, `exited with status 0`)
	if strings.Contains(out, "stopped at") {
		t.Errorf("a deleted breakpoint stopped the program:\n%s", out)
	}
}

// TestForkNote: a fork is said when it happens, with the child's pid:
// the child runs on without the debugger.
func TestForkNote(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0"}, filepath.Join("..", "cmd", "ubpdbg", "testdata", "forker.c"))
	out := script(t, nil, "continue\n", "exec", prog)
	m := regexp.MustCompile(`(?m)^\[thread \d+ forked process (\d+); the child runs on without the debugger\]$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no fork note:\n%s", out)
	}
	expectInOrder(t, out, `(?m)^child `+m[1]+` exited with status 0$`, `Process \d+ exited with status 0`)
}

// TestInitFile: --init runs a file of commands before the script.
func TestInitFile(t *testing.T) {
	prog := cTarget(t)
	init := filepath.Join(t.TempDir(), "init")
	os.WriteFile(init, []byte("# comment\nbreak sum_squares\n"), 0o644)
	out := script(t, nil, "continue\nargs\n", "exec", "--init", init, prog)
	expectInOrder(t, out, `Breakpoint 1 at .*sum_squares`, `stopped at breakpoint 1: sum_squares\(\)`, `n = 3`)
}

// TestLogDestIsPrivate: the engine's log (--log-dest) is created
// readable by the user alone.
func TestLogDestIsPrivate(t *testing.T) {
	prog := cTarget(t)
	log := filepath.Join(t.TempDir(), "engine.log")
	script(t, nil, "continue\n", "exec", "--log-output=debugger", "--log-dest", log, prog)
	fi, err := os.Stat(log)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("--log-dest file has mode %v, want -rw-------", fi.Mode().Perm())
	}
}

// TestLogOutputNamesComponents: --log-output says what is logged, in exec
// as in dap; exec has only the engine's log to give.
func TestLogOutputNamesComponents(t *testing.T) {
	prog := cTarget(t)
	out := script(t, nil, "continue\n", "exec", "--log-output=dap", prog)
	if !strings.Contains(out, `--log-output: unknown component "dap": want debugger`) {
		t.Errorf("exec --log-output=dap: %s", out)
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{"brk": "break", "contiune": "continue", "stpe": "step", "bactrace": "backtrace", "zzzzzz": ""} {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGoroutinesCommand: held at a breakpoint in gomany, goroutines lists
// the stopped one, the 50 blocked on a channel with their user frame, and
// the filters keep what they say.
func TestGoroutinesCommand(t *testing.T) {
	prog := testprog.BuildGoWith(t, "", nil, filepath.Join("..", "debugger", "testdata", "gomany"))
	out := script(t, nil, "break main.hold\ncontinue\ngoroutines -w\ngoroutines -r\ngoroutines -x\nkill\n", "exec", prog)
	if n := len(regexp.MustCompile(`waiting \(chan receive\) +main\.blocked\(\)`).FindAllString(out, -1)); n != 50 {
		t.Errorf("%d goroutines shown blocked in main.blocked, want 50:\n%s", n, out)
	}
	expectInOrder(t, out,
		`stopped at breakpoint 1: main.hold`,
		`goroutines shown of`,
		`Goroutine \d+ +thread \d+ +stopped +main.hold\(\) main.go:\d+`,
		`goroutines shown of`,
		`unknown option "-x"`,
	)
}

// TestContinueAfterEarlyHit: in an attached process, "break f" then
// "continue" on a hot f. The breakpoint is often hit (by either thread)
// before continue runs, its stop still on its way to the event loop:
// continue must then wait for that stop, not fail because the selected
// thread runs while another is stopped.
func TestContinueAfterEarlyHit(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("testdata", "busy.c"))
	busy := testharness.Start(t, 100*time.Millisecond, prog, "60")
	for i := 0; i < 8; i++ {
		out := script(t, nil, "break now\ncontinue\nbt\ndetach\n", "attach", fmt.Sprint(busy.Pid()))
		if strings.Contains(out, "already running") {
			t.Fatalf("run %d: continue failed:\n%s", i, out)
		}
		expectInOrder(t, out, `stopped at breakpoint 1: now\(\)`, `#0 .* in now\(\) at .*busy.c`, `Detached from process`)
	}
}
