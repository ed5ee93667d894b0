package dap

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoroutinesAsThreads drives gomany (50 goroutines blocked on a
// channel, four workers, one that calls main.hold every 10 ms) in thread
// stop mode, in every Go build: the stop at main.hold names its goroutine
// as the thread; threads lists the goroutines as Delve names them; a
// blocked goroutine's stack, unwound from its saved context, holds
// main.blocked and its argument; the workers keep counting while the
// goroutine is held (measured); continue of a blocked goroutine is an error
// that says why; a pause of the holder, parked in time.Sleep, stops it
// when it next runs, as the same thread.
func TestGoroutinesAsThreads(t *testing.T) {
	requireLinux(t)
	for _, b := range testprog.GoBuilds {
		t.Run(b.Name, func(t *testing.T) {
			prog := testprog.BuildGoWith(t, b.Toolchain, b.Flags, filepath.Join("..", "debugger", "testdata", "gomany"))
			c, _ := pipeClient(t, Config{})
			c.start("launch", map[string]any{"program": prog, "stopMode": "thread"})
			c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "main.hold"}}})
			c.ok("configurationDone", nil)
			st := c.stopped()
			g := st.Body.ThreadId
			if g <= 0 || g >= threadIDBase {
				t.Fatalf("stopped %+v: the thread is not a goroutine", st.Body)
			}
			top := c.ok("stackTrace", map[string]any{"threadId": g, "levels": 1}).(*dap.StackTraceResponse).Body.StackFrames
			if len(top) == 0 || top[0].Name != "main.hold" {
				t.Fatalf("stack of goroutine %d: %+v", g, top)
			}
			c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})

			threads := c.ok("threads", nil).(*dap.ThreadsResponse).Body.Threads
			name := regexp.MustCompile(`^\[Go (\d+)\] (.+)$`)
			blocked, held := []int{}, false
			for _, th := range threads {
				m := name.FindStringSubmatch(th.Name)
				if m == nil {
					t.Errorf("thread %+v is not named [Go N] func", th)
					continue
				}
				if m[1] != fmt.Sprint(th.Id) {
					t.Errorf("thread %+v: the name's goroutine is not its ID", th)
				}
				switch {
				case th.Id == g:
					held = m[2] == "main.hold"
				case m[2] == "main.blocked":
					blocked = append(blocked, th.Id)
				}
			}
			if !held || len(blocked) != 50 {
				t.Fatalf("threads: held one listed as main.hold %v, %d blocked in main.blocked, want 50:\n%+v", held, len(blocked), threads)
			}

			// A blocked one: its own frame, from the saved context, and
			// its argument read there.
			frames := c.ok("stackTrace", map[string]any{"threadId": blocked[7]}).(*dap.StackTraceResponse).Body.StackFrames
			var user *dap.StackFrame
			for i := range frames {
				if frames[i].Name == "main.blocked" {
					user = &frames[i]
				}
			}
			if user == nil {
				t.Fatalf("stack of blocked goroutine %d: %+v", blocked[7], frames)
			}
			sc := c.ok("scopes", map[string]any{"frameId": user.Id}).(*dap.ScopesResponse).Body.Scopes
			args := c.ok("variables", map[string]any{"variablesReference": sc[1].VariablesReference}).(*dap.VariablesResponse).Body.Variables
			if len(args) == 0 || args[0].Name != "i" {
				t.Errorf("arguments of main.blocked: %+v", args)
			}
			msg := c.fails("continue", map[string]any{"threadId": blocked[7]})
			if !strings.Contains(msg, "not on a thread now (waiting: chan receive)") {
				t.Errorf("continue of a blocked goroutine: %q", msg)
			}

			progress := func() int64 {
				r := c.ok("evaluate", map[string]any{"expression": "progress.v"}).(*dap.EvaluateResponse)
				var n int64
				fmt.Sscan(r.Body.Result, &n)
				return n
			}
			before := progress()
			time.Sleep(200 * time.Millisecond)
			if after := progress(); after <= before {
				t.Errorf("the workers did not count while goroutine %d was held: %d -> %d", g, before, after)
			}

			c.ok("continue", map[string]any{"threadId": g})
			time.Sleep(50 * time.Millisecond) // it calls hold and sleeps, over and over
			c.ok("pause", map[string]any{"threadId": g})
			st = c.stopped()
			if st.Body.Reason != "pause" || st.Body.ThreadId != g {
				t.Fatalf("after pause: %+v, want goroutine %d paused", st.Body, g)
			}
			frames = c.ok("stackTrace", map[string]any{"threadId": g}).(*dap.StackTraceResponse).Body.StackFrames
			found := false
			for _, f := range frames {
				found = found || strings.HasPrefix(f.Name, "main.main.func")
			}
			if !found {
				t.Errorf("paused goroutine %d's stack has no main.main.func1: %+v", g, frames)
			}
			c.ok("disconnect", map[string]any{"terminateDebuggee": true})
		})
	}
}
