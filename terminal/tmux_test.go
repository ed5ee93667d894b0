package terminal

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInteractive drives the real terminal in tmux: tab completion of a
// command and a function, history recall, Ctrl-C pausing a running
// program, and a stop printed while the user is typing, with the typed
// text still on the line afterwards.
func TestInteractive(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if out, err := exec.Command("apt-get", "install", "-y", "tmux").CombinedOutput(); err != nil {
			t.Skipf("tmux is not installed and apt-get install failed: %v\n%s", err, out)
		}
	}
	prog := goTarget(t)
	dir := t.TempDir()
	hist := filepath.Join(dir, "history")
	tm := &tmux{t: t, sock: filepath.Join(dir, "tmux.sock")}
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", "u", "-x", "160", "-y", "50",
		"env", "TERM=xterm", "UBPDBG_HISTORY="+hist, "GODEBUG=asyncpreemptoff=1", ubpdbgBin, "exec", prog, "slow")
	defer tm.run("kill-server")

	tm.waitLine(`^\(ubpdbg\) thread \d+ stopped> $`)

	// Completion: a command, then a function name.
	tm.keys("brea", "Tab")
	tm.waitLine(`stopped> break$`)
	tm.keys(" main.fini", "Tab")
	tm.waitLine(`stopped> break main.finish$`)
	tm.keys("Enter")
	tm.wait(`Breakpoint 1 at 0x[0-9a-f]+: main.finish\(\)`)

	// History: Up brings the last line back.
	tm.keys("Up")
	tm.waitLine(`stopped> break main.finish$`)
	tm.keys("C-u")
	tm.waitLine(`stopped> $`)

	// A location that matches nothing: a question, not a silent pending
	// breakpoint. No leaves nothing; yes makes it pending.
	tm.keys("break nosuchfunc", "Enter")
	tm.waitLine(`no function "nosuchfunc"\. Make it pending \(placed if a library that has it is loaded\)\? \(y or n\) $`)
	tm.keys("n", "Enter")
	tm.wait(`(?m)^break: no breakpoint set$`)
	tm.waitLine(`stopped> $`)
	tm.keys("break nosuchfunc", "Enter")
	tm.waitLine(`\(y or n\) $`)
	tm.keys("y", "Enter")
	tm.wait(`Breakpoint 2 pending: .*no function "nosuchfunc"`)
	tm.waitLine(`stopped> $`)
	// Names complete after -p too.
	tm.keys("tbreak -p main.fini", "Tab")
	tm.waitLine(`stopped> tbreak -p main.finish$`)
	tm.keys("C-u")
	tm.waitLine(`stopped> $`)

	// Ctrl-C pauses the running program (every thread).
	tm.keys("continue", "Enter")
	tm.waitLine(`running> $`)
	tm.keys("C-c")
	tm.wait(`All threads paused; thread \d+`)
	tm.waitLine(`stopped> $`)

	// A stop while typing: the text typed before it is still there.
	tm.keys("continue -a", "Enter")
	tm.waitLine(`running> $`)
	tm.keys("print 6*7")
	tm.wait(`Thread \d+ stopped at breakpoint 1: main.finish\(\)`)
	tm.waitLine(`stopped> print 6\*7$`)
	tm.keys("Enter")
	tm.wait(`(?m)^42$`)

	// Non-stop: the other threads still run, so Ctrl-C pauses them, and
	// the line being typed survives; a second Ctrl-C, with nothing
	// running, clears the line.
	tm.keys("junk", "C-c")
	tm.wait(`All threads paused; thread \d+ main.finish\(\)`)
	tm.waitLine(`stopped> junk$`)
	tm.keys("C-c")
	tm.wait(`junk\^C`)
	tm.waitLine(`stopped> $`)

	tm.keys("continue -a", "Enter")
	tm.wait(`Process \d+ exited with status 0`)
	tm.keys("quit", "Enter")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(hist)
		if strings.Contains(string(b), "break main.finish\n") {
			// What the user typed is for their eyes only.
			if fi, err := os.Stat(hist); err != nil {
				t.Error(err)
			} else if fi.Mode().Perm() != 0o600 {
				t.Errorf("history file has mode %v, want -rw-------", fi.Mode().Perm())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history file %s lacks the break command: %q", hist, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type tmux struct {
	t    *testing.T
	sock string
}

func (m *tmux) run(args ...string) string {
	m.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", m.sock}, args...)...).CombinedOutput()
	if err != nil && args[0] != "kill-server" {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names and literal text.
func (m *tmux) keys(keys ...string) {
	m.t.Helper()
	m.run(append([]string{"send-keys", "-t", "u"}, keys...)...)
}

func (m *tmux) screen() string {
	return m.run("capture-pane", "-p", "-t", "u")
}

// lastLine is the last non-empty line of the screen (the prompt line).
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return lines[len(lines)-1]
}

func (m *tmux) waitFor(desc string, ok func(screen string) bool) {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := m.screen()
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("timed out waiting for %s; screen:\n%s", desc, s)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// wait waits for a pattern anywhere on the screen.
func (m *tmux) wait(pattern string) {
	m.t.Helper()
	re := regexp.MustCompile(pattern)
	m.waitFor(fmt.Sprintf("%q", pattern), func(s string) bool { return re.MatchString(s) })
}

// waitLine waits for the prompt line (the last one) to match.
func (m *tmux) waitLine(pattern string) {
	m.t.Helper()
	re := regexp.MustCompile(pattern)
	m.waitFor(fmt.Sprintf("last line %q", pattern), func(s string) bool {
		// The screen's lines keep trailing spaces off; the prompt's own
		// trailing space is compared without them too.
		return re.MatchString(lastLine(s)) || re.MatchString(lastLine(s)+" ")
	})
}
