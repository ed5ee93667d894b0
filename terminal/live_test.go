package terminal

import (
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// live is an ubpdbg process whose standard input stays open: a test sends
// one line at a time and reads what came back before it sends the next,
// as a person at the prompt would.
type live struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   testprog.Output
	seen  int // output already matched by until
}

// startLive runs ubpdbg with args (--echo first, so that each command is
// shown when it runs). It is killed at the end of the test.
func startLive(t *testing.T, args ...string) *live {
	t.Helper()
	l := &live{t: t, cmd: exec.Command(ubpdbgBin, append([]string{args[0], "--echo"}, args[1:]...)...)}
	var err error
	if l.stdin, err = l.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	l.cmd.Stdout, l.cmd.Stderr = &l.out, &l.out
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.cmd.Process.Kill(); l.cmd.Wait() })
	return l
}

// send types one line.
func (l *live) send(line string) {
	l.t.Helper()
	if _, err := io.WriteString(l.stdin, line+"\n"); err != nil {
		l.t.Fatalf("send %q: %v; output:\n%s", line, err, l.out.String())
	}
}

// until waits for the pattern (a multi-line regexp) in the output that
// follows the last match, and returns its submatches.
func (l *live) until(pattern string, timeout time.Duration) []string {
	l.t.Helper()
	re := regexp.MustCompile("(?m)" + pattern)
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		out := l.out.String()
		if loc := re.FindStringSubmatchIndex(out[l.seen:]); loc != nil {
			m := re.FindStringSubmatch(out[l.seen:])
			l.seen += loc[1]
			return m
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("no %q within %v; output:\n%s", pattern, timeout, out)
		}
	}
}

// closeInput ends ubpdbg's standard input.
func (l *live) closeInput() { l.stdin.Close() }

// wait waits for ubpdbg to end (its input is left as it is: open, unless
// closeInput was called) and returns all it printed.
func (l *live) wait(timeout time.Duration) string {
	l.t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		l.t.Fatalf("ubpdbg did not end within %v; output:\n%s", timeout, l.out.String())
	}
	return l.out.String()
}

// waitFuncs tell, from the function a paused thread is in, which system
// call it waits in.
var waitFuncs = map[string]string{
	"futex":     `futex|pthread_cond_wait`,
	"nanosleep": `nanosleep`,
	"read":      `read`,
	"poll":      `poll\(`,
	"epoll":     `epoll_wait`,
	"accept":    `accept`,
}

// TestStepFromSystemCallTerminal: in the terminal, threads paused inside
// blocking system calls (futex, nanosleep, read, poll, epoll_wait, accept)
// are stepped over (next) or out of (stepout) their calls: each step ends
// back in code, never in a fault, and the program prints what it prints
// natively. Thread mode acts on every worker while the others run;
// all-stop mode on each of futex, nanosleep and read, one run each.
func TestStepFromSystemCallTerminal(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, "../debugger/testdata/syscalls.c")
	const delay = "3" // seconds before main releases the calls
	nat, err := exec.Command(prog, delay).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := string(nat)
	checkEnd := func(t *testing.T, out string) {
		t.Helper()
		for _, bad := range []string{"SIGSEGV", "exception", "signal SIG", "cannot"} {
			if strings.Contains(out, bad) {
				t.Errorf("output has %q:\n%s", bad, out)
			}
		}
		for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("the program's %q is missing; output:\n%s", line, out)
			}
		}
		if !regexp.MustCompile(`Process \d+ exited with status 0`).MatchString(out) {
			t.Errorf("no clean exit; output:\n%s", out)
		}
	}
	// pauseWorkers pauses each worker thread (thread mode: one by one;
	// all-stop mode: all at once) and says which thread waits in which
	// call, from the functions that threads lists them in.
	pauseWorkers := func(l *live, all bool) map[string]string {
		l.send("continue -a &")
		for i := 0; i < 6; i++ {
			l.until(`\[thread \d+ started\]`, 10*time.Second)
		}
		time.Sleep(300 * time.Millisecond) // each thread into its call
		if all {
			l.send("pause -a")
			l.until(`All threads paused`, 10*time.Second)
		} else {
			l.send("threads")
			m := l.until(`(?s)^\* \d+ .*?\n((?:  \d+ .*\n){6})7 threads`, 10*time.Second)
			for _, tid := range regexp.MustCompile(`(?m)^  (\d+) `).FindAllStringSubmatch(m[1], -1) {
				l.send("pause " + tid[1])
				l.until(`Thread `+tid[1]+` stopped \(paused\)`, 10*time.Second)
			}
		}
		l.send("threads")
		list := l.until(`(?s)((?:^[* ] \d+ .*\n){7})7 threads: [67] stopped`, 10*time.Second)[1]
		byCall := map[string]string{}
		// The first thread listed is main (the lowest tid), which waits
		// in nanosleep too.
		for _, th := range regexp.MustCompile(`(?m)^[* ] (\d+) +\S+ +stopped \(pause\) (\S+)`).FindAllStringSubmatch(list, -1)[boolInt(all):] {
			for call, re := range waitFuncs {
				if regexp.MustCompile(re).MatchString(th[2]) {
					byCall[call] = th[1]
				}
			}
		}
		if len(byCall) != 6 {
			l.t.Fatalf("paused threads by call %v, want all six; output:\n%s", byCall, l.out.String())
		}
		return byCall
	}

	t.Run("thread", func(t *testing.T) {
		l := startLive(t, "exec", prog, delay)
		byCall := pauseWorkers(l, false)
		// epoll_wait fails with EINTR at any stop and the program calls
		// it again, so its step may end at once: it goes last, so that
		// its stop cannot change the selection under the other commands.
		order := []string{"futex", "nanosleep", "read", "poll", "accept", "epoll"}
		for i, call := range order {
			l.send("thread " + byCall[call])
			if i%2 == 0 {
				l.send("next &")
			} else {
				l.send("stepout &")
			}
		}
		steps := map[string]int{}
		for range order {
			m := l.until(`Thread (\d+) stopped after step(?: out)?: `, 20*time.Second)
			steps[m[1]]++
		}
		for _, call := range order {
			if steps[byCall[call]] != 1 {
				t.Errorf("%s thread %s: %d step stops, want 1 (%v)", call, byCall[call], steps[byCall[call]], steps)
			}
		}
		l.send("continue -a")
		l.closeInput()
		checkEnd(t, l.wait(20*time.Second))
	})
	for _, call := range []string{"futex", "nanosleep", "read"} {
		t.Run("all/"+call, func(t *testing.T) {
			l := startLive(t, "exec", "--stop-mode", "all", prog, delay)
			byCall := pauseWorkers(l, true)
			l.send("thread " + byCall[call])
			l.send("next")
			l.until(`Thread `+byCall[call]+` stopped after step \(all threads stopped\)`, 20*time.Second)
			l.send("continue -a")
			l.closeInput()
			checkEnd(t, l.wait(20*time.Second))
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
