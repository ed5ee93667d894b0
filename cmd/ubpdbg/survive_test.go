package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"golang.org/x/sys/unix"
)

// The program must outlive every catchable end of ubpdbg. Each test runs a
// real program with eight threads calling hit(), attaches the real binary,
// ends it, and checks that the program finished with its native output.
// UBPDBG_SURVIVE_RUNS sets the runs per case (the figures in docs/cli.md
// come from 20); CI runs 2.

func surviveRuns() int {
	if n, err := strconv.Atoi(os.Getenv("UBPDBG_SURVIVE_RUNS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// busyArgs make busy run about 2 s natively, longer under breakpoints.
var busyArgs = []string{"6000", "200"}

func buildBusy(t *testing.T) (prog, native string) {
	t.Helper()
	prog = testprog.BuildC(t, []string{"-O1", "-pthread"}, "testdata/busy.c")
	out, err := exec.Command(prog, busyArgs...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return prog, string(out)
}

// victim is a running program that is not ours.
type victim struct{ *testharness.Running }

func startVictim(t *testing.T, prog string, args ...string) *victim {
	t.Helper()
	return &victim{testharness.Start(t, 50*time.Millisecond, prog, args...)} // its threads are running
}

func (v *victim) pid() string { return strconv.Itoa(v.Pid()) }

// check waits for the program and says how it ended if not as natively.
func (v *victim) check(t *testing.T, native string) error {
	t.Helper()
	if err := v.Wait(t); err != nil {
		return fmt.Errorf("the program failed: %v", err)
	}
	if got := v.Out.String(); got != native {
		return fmt.Errorf("the program printed %q, natively %q", got, native)
	}
	return nil
}

// waitEnd waits for ubpdbg to exit.
func waitEnd(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(d):
		cmd.Process.Kill()
		return fmt.Errorf("ubpdbg did not exit within %v", d)
	}
}

// endedClean checks one run's end: ubpdbg exits (its input then closed,
// if it has one), and the program finishes as natively.
func endedClean(t *testing.T, run int, cmd *exec.Cmd, in io.Closer, v *victim, native string, said fmt.Stringer) {
	t.Helper()
	if err := waitEnd(cmd, 30*time.Second); err != nil {
		t.Fatalf("run %d: %v\n%s", run, err, said.String())
	}
	if in != nil {
		in.Close()
	}
	if err := v.check(t, native); err != nil {
		t.Fatalf("run %d: %v; ubpdbg said:\n%s", run, err, said.String())
	}
}

// startAttach starts `ubpdbg attach PID` reading its commands from a pipe,
// its output collected; it is killed at the end of the test if still
// there.
func startAttach(t *testing.T, bin string, v *victim) (*exec.Cmd, io.WriteCloser, *testprog.Output) {
	t.Helper()
	cmd := exec.Command(bin, "attach", v.pid())
	in, _ := cmd.StdinPipe()
	out := &testprog.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, in, out
}

// attachSession is `ubpdbg attach PID` reading a script from a pipe kept
// open, with breakpoint 1 on hit(): stopping every thread that reaches it,
// or with a condition that is never true (every hit passes through XOL).
func attachSession(t *testing.T, bin string, v *victim, stopping bool) (*exec.Cmd, io.WriteCloser, *testprog.Output) {
	t.Helper()
	cmd, in, out := startAttach(t, bin, v)
	bp := "break hit if t < 0\n"
	if stopping {
		bp = "break hit\n"
	}
	io.WriteString(in, bp)
	if !out.WaitFor("Breakpoint 1 at", 20*time.Second) {
		t.Fatalf("no breakpoint:\n%s", out.String())
	}
	want := "Thread "
	if !stopping {
		io.WriteString(in, "breakpoints\n")
		want = "if t < 0"
	}
	if !out.WaitFor(want, 20*time.Second) {
		t.Fatalf("the breakpoint is not hit:\n%s", out.String())
	}
	time.Sleep(100 * time.Millisecond) // hits go on
	return cmd, in, out
}

// TestAttachSurvivesSignals: SIGTERM, SIGHUP and SIGINT (twice: the first
// pauses, as Ctrl-C does; the second, with nothing running, ends the
// session) of `ubpdbg attach` leave the program running, whether its
// threads pass through the breakpoint or are stopped at it.
func TestAttachSurvivesSignals(t *testing.T) {
	bin := ubpdbgBin(t)
	prog, native := buildBusy(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		for _, stopping := range []bool{false, true} {
			name := unix.SignalName(sig) + map[bool]string{false: "/passing", true: "/stopped"}[stopping]
			t.Run(name, func(t *testing.T) {
				for run := 0; run < surviveRuns(); run++ {
					v := startVictim(t, prog, busyArgs...)
					cmd, in, out := attachSession(t, bin, v, stopping)
					cmd.Process.Signal(sig)
					if sig == syscall.SIGINT {
						out.WaitFor("stopped", 5*time.Second)
						time.Sleep(100 * time.Millisecond)
						cmd.Process.Signal(sig)
					}
					endedClean(t, run, cmd, in, v, native, out)
				}
			})
		}
	}
}

// TestTraceSurvivesSignals is TestTraceDetachOnSignal with eight threads
// hitting the traced function all the time, several runs of each signal.
func TestTraceSurvivesSignals(t *testing.T) {
	bin := ubpdbgBin(t)
	prog, native := buildBusy(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			for run := 0; run < surviveRuns(); run++ {
				v := startVictim(t, prog, busyArgs...)
				cmd := exec.Command(bin, "trace", "-p", v.pid(), "hit")
				out := &testprog.Output{}
				cmd.Stderr = out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(200+run*37%200) * time.Millisecond)
				cmd.Process.Signal(sig)
				endedClean(t, run, cmd, nil, v, native, out)
			}
		})
	}
}

// dapClient speaks just enough DAP to attach and set a breakpoint.
type dapClient struct {
	w   io.Writer
	r   *bufio.Reader
	seq int
}

func (c *dapClient) send(command string, args any) {
	c.seq++
	b, _ := json.Marshal(map[string]any{"seq": c.seq, "type": "request", "command": command, "arguments": args})
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(b), b)
}

// await reads messages until the response to command, and fails on an
// error response.
func (c *dapClient) await(command string) error {
	for {
		var n int
		for {
			l, err := c.r.ReadString('\n')
			if err != nil {
				return err
			}
			l = strings.TrimSpace(l)
			if l == "" && n > 0 {
				break
			}
			if v, ok := strings.CutPrefix(l, "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(c.r, body); err != nil {
			return err
		}
		var m struct {
			Type, Command, Message string
			Success                bool
		}
		json.Unmarshal(body, &m)
		if m.Type == "response" && m.Command == command {
			if !m.Success {
				return fmt.Errorf("%s: %s", command, m.Message)
			}
			return nil
		}
	}
}

// dapAttach starts `ubpdbg dap` over stdio attached to v with a
// breakpoint on hit() that stops every thread reaching it.
func dapAttach(t *testing.T, bin string, v *victim) (*exec.Cmd, io.WriteCloser, *testprog.Output) {
	t.Helper()
	cmd := exec.Command(bin, "dap")
	in, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	errs := &testprog.Output{}
	cmd.Stderr = errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	c := &dapClient{w: in, r: bufio.NewReader(stdout)}
	steps := []struct {
		cmd  string
		args any
	}{
		{"initialize", map[string]any{"adapterID": "test"}},
		{"attach", map[string]any{"processId": v.Pid()}},
		{"setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "hit"}}}},
		{"configurationDone", map[string]any{}},
	}
	for _, s := range steps {
		c.send(s.cmd, s.args)
		if err := c.await(s.cmd); err != nil {
			t.Fatalf("%v\n%s", err, errs.String())
		}
	}
	go io.Copy(io.Discard, c.r)
	time.Sleep(200 * time.Millisecond) // threads stop at the breakpoint
	return cmd, in, errs
}

// TestDAPSurvivesEnds: an attached program runs on after SIGTERM, SIGINT,
// SIGHUP of `ubpdbg dap`, and after the client closes the connection.
func TestDAPSurvivesEnds(t *testing.T) {
	bin := ubpdbgBin(t)
	prog, native := buildBusy(t)
	ends := []struct {
		name string
		end  func(cmd *exec.Cmd, in io.WriteCloser)
	}{
		{"SIGTERM", func(cmd *exec.Cmd, _ io.WriteCloser) { cmd.Process.Signal(syscall.SIGTERM) }},
		{"SIGINT", func(cmd *exec.Cmd, _ io.WriteCloser) { cmd.Process.Signal(syscall.SIGINT) }},
		{"SIGHUP", func(cmd *exec.Cmd, _ io.WriteCloser) { cmd.Process.Signal(syscall.SIGHUP) }},
		{"closed", func(_ *exec.Cmd, in io.WriteCloser) { in.Close() }},
	}
	for _, e := range ends {
		t.Run(e.name, func(t *testing.T) {
			for run := 0; run < surviveRuns(); run++ {
				v := startVictim(t, prog, busyArgs...)
				cmd, in, errs := dapAttach(t, bin, v)
				e.end(cmd, in)
				endedClean(t, run, cmd, in, v, native, errs)
			}
		})
	}
}

// TestGuardianRestoresAfterSIGKILL: `ubpdbg attach` with a breakpoint
// placed is killed with SIGKILL; the guardian takes the int3 out, so the
// program, reaching the breakpoint's function afterwards, runs it as
// natively instead of dying of SIGTRAP.
func TestGuardianRestoresAfterSIGKILL(t *testing.T) {
	killAfterSetting(t, "testdata/late.c", "break late\n", "Breakpoint 1 at", "late 40\n")
}

// TestGuardianClearsWatchesAfterSIGKILL: `ubpdbg attach` with a
// watchpoint set is killed with SIGKILL. The kernel leaves the debug
// registers set when it detaches, and the first write to the watched
// variable would kill the program with SIGTRAP; the guardian clears them in
// every thread, and the program writes it and ends as natively.
func TestGuardianClearsWatchesAfterSIGKILL(t *testing.T) {
	killAfterSetting(t, "testdata/latewrite.c", "watch counter\n", "Hardware watchpoint 1: counter", "counter 30\n")
}

// killAfterSetting attaches `ubpdbg attach` to src's program (which waits
// for a file to go before it does anything), types command, waits until
// ubpdbg says set, SIGKILLs ubpdbg, gives the guardian a moment and lets
// the program go on: it must end with its native output.
func killAfterSetting(t *testing.T, src, command, set, native string) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O1"}, src)
	for run := 0; run < surviveRuns(); run++ {
		file := filepath.Join(t.TempDir(), "wait")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		v := startVictim(t, prog, file)
		cmd, in, out := startAttach(t, bin, v)
		io.WriteString(in, command)
		if !out.WaitFor(set, 20*time.Second) {
			cmd.Process.Kill()
			t.Fatalf("no %q:\n%s", set, out.String())
		}
		time.Sleep(50 * time.Millisecond) // a watch reaches every thread
		cmd.Process.Kill()
		cmd.Wait()
		in.Close()
		time.Sleep(300 * time.Millisecond) // the guardian's moment
		os.Remove(file)
		if err := v.check(t, native); err != nil {
			t.Fatalf("run %d: %v; ubpdbg said:\n%s", run, err, out.String())
		}
	}
}

// TestGuardianParksHeldThreads: `ubpdbg attach` holds the eight threads
// at the breakpoint on hit() and is killed with SIGKILL. The kernel
// resumes them at once, before the guardian can take the int3 out; parked
// on their stubs, they wait for it and then run hit() as natively.
func TestGuardianParksHeldThreads(t *testing.T) {
	bin := ubpdbgBin(t)
	prog, native := buildBusy(t)
	for run := 0; run < surviveRuns(); run++ {
		v := startVictim(t, prog, busyArgs...)
		cmd, in, out := attachSession(t, bin, v, true)
		// Asked until all eight are held: one listing may come first.
		for end := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "8 stopped"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("run %d: not every thread is held at the breakpoint:\n%s", run, out.String())
			}
			io.WriteString(in, "threads\n")
		}
		cmd.Process.Kill()
		cmd.Wait()
		in.Close()
		if err := v.check(t, native); err != nil {
			t.Fatalf("run %d: %v; ubpdbg said:\n%s", run, err, out.String())
		}
	}
}
