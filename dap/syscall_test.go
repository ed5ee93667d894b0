package dap

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestStepFromSystemCall: Pause, then Step Over, of threads that wait in
// system calls (futex, nanosleep, read, poll, epoll_wait, accept) ends
// each step back in the program when the calls return, never in an
// exception, and the program prints what it prints natively. The debugger
// package's TestResumeFromSystemCalls tries every resume with and without
// signals; this is the same story as a DAP client tells it.
func TestStepFromSystemCall(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "syscalls.c"))
	for _, mode := range []string{"thread", "all"} {
		t.Run(mode, func(t *testing.T) {
			c, _ := pipeClient(t, Config{})
			c.start("launch", map[string]any{"program": prog, "args": []string{"2"}, "stopMode": mode})
			c.ok("configurationDone", nil)
			var ids []int
			for deadline := time.Now().Add(10 * time.Second); len(ids) < 7 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				r := c.ok("threads", nil).(*dap.ThreadsResponse)
				ids = ids[:0]
				for _, th := range r.Body.Threads {
					ids = append(ids, th.Id)
				}
			}
			if len(ids) != 7 {
				t.Fatalf("%d threads, want 7", len(ids))
			}
			time.Sleep(200 * time.Millisecond) // every thread into its call
			steps := 0
			checkStop := func(st *dap.StoppedEvent) {
				if st.Body.Reason != "step" {
					t.Errorf("stopped %+v after a step from a system call", st.Body)
				}
				steps++
			}
			for _, id := range ids {
				c.ok("pause", map[string]any{"threadId": id})
				for {
					st := c.stopped()
					if st.Body.ThreadId == id && st.Body.Reason == "pause" {
						break
					}
					// A step that already ended (epoll_wait fails with
					// EINTR after any stop; the program calls it again),
					// or in all-stop mode a stop of every thread that
					// answers the pause too.
					checkStop(st)
					c.ok("continue", map[string]any{"threadId": st.Body.ThreadId, "singleThread": mode == "thread"})
					if st.Body.AllThreadsStopped {
						c.ok("pause", map[string]any{"threadId": id})
					}
				}
				c.ok("next", map[string]any{"threadId": id, "singleThread": mode == "thread"})
			}
			for steps < len(ids) {
				st := c.stopped()
				checkStop(st)
				c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
				if t.Failed() {
					break
				}
			}
			if code := c.exitedAndTerminated(); code != 0 {
				t.Errorf("exit code %d", code)
			}
			out := strings.Join(c.outputs("stdout"), "")
			if !strings.Contains(out, "futex: released\nnanosleep: slept in full\nread: 1 byte 'x'\npoll: 1 ready\nepoll_wait: 1 ready\naccept: connected\nall released\n") {
				t.Errorf("program output %q", out)
			}
		})
	}
}
