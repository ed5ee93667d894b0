package testharness

import (
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// Running is a test program started as someone else's program that a
// debugger then attaches to: not traced, its output collected, and killed
// and reaped when the test ends if it has not ended by then.
//
// Nothing waits for it until Wait is called: the test process is its
// parent, and a wait of ours while a session of the same process traces
// it would take its exit from the tracer.
type Running struct {
	Cmd *exec.Cmd
	Out testprog.Output // its standard output

	once   sync.Once
	waited chan error // how it ended, put back after each look
}

// Start starts prog with args and lets it run for settle (so that its
// threads are up before an attach), the test failing if it cannot start.
func Start(t testing.TB, settle time.Duration, prog string, args ...string) *Running {
	t.Helper()
	r := &Running{Cmd: exec.Command(prog, args...), waited: make(chan error, 1)}
	r.Cmd.Stdout = &r.Out
	if err := r.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.Cmd.Process.Kill()
		r.startWait()
		r.waited <- <-r.waited
	})
	time.Sleep(settle)
	return r
}

// Pid is the program's process id.
func (r *Running) Pid() int { return r.Cmd.Process.Pid }

// Wait waits for the program to end, within Timeout, and returns how it
// ended (exec.Cmd.Wait's error: nil for exit status 0). An ECHILD here
// means someone else reaped it: a debugger that waited for a child that
// was not its own.
func (r *Running) Wait(t testing.TB) error {
	t.Helper()
	r.startWait()
	err := Receive(t, r.waited, "end of the program", func() string { return Tasks(r.Pid()) })
	r.waited <- err
	return err
}

func (r *Running) startWait() {
	r.once.Do(func() { go func() { r.waited <- r.Cmd.Wait() }() })
}
