package dap

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestExceptionStop: a NULL dereference in one of four workers stops that
// worker with reason exception while the others run on (thread stop
// mode); exceptionInfo tells the signal, the fault address and that the
// program does not handle it; continue lets the program die of SIGSEGV
// as it does natively. Without the fatal filter nothing stops, and an
// unknown filter is an error response after which the session goes on.
func TestExceptionStop(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "crash.c"))
	for _, filters := range [][]string{{"signals-fatal"}, {}} {
		t.Run(strings.Join(append([]string{"filters"}, filters...), " "), func(t *testing.T) {
			c, _ := pipeClient(t, Config{})
			caps := c.initialize()
			if len(caps.ExceptionBreakpointFilters) == 0 || caps.ExceptionBreakpointFilters[0].Filter != "signals-fatal" ||
				!caps.ExceptionBreakpointFilters[0].Default || !caps.SupportsExceptionInfoRequest {
				t.Fatalf("capabilities: %+v", caps.ExceptionBreakpointFilters)
			}
			c.ok("launch", map[string]any{"program": prog, "args": []string{"segv"}, "stopMode": "thread"})
			msg := c.fails("setExceptionBreakpoints", map[string]any{"filters": []string{"signals-fatal", "nope"}})
			if !strings.Contains(msg, `no exception filter "nope"`) {
				t.Errorf("unknown filter: %q", msg)
			}
			c.ok("setExceptionBreakpoints", map[string]any{"filters": filters})
			c.ok("configurationDone", nil)
			if len(filters) == 0 {
				if code := c.exitedAndTerminated(); code != 128+11 {
					t.Errorf("exit code %d, want 139 (SIGSEGV)", code)
				}
				return
			}
			ev := c.stopped()
			if ev.Body.Reason != "exception" || ev.Body.AllThreadsStopped || !strings.HasPrefix(ev.Body.Text, "SIGSEGV") {
				t.Fatalf("stopped %+v", ev.Body)
			}
			info := c.ok("exceptionInfo", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.ExceptionInfoResponse).Body
			if info.ExceptionId != "SIGSEGV" || info.BreakMode != "unhandled" ||
				info.Description != "SIGSEGV (segmentation fault): address not mapped to object at 0x0" {
				t.Errorf("exceptionInfo %+v", info)
			}
			st := c.ok("stackTrace", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
			if len(st) == 0 || st[0].Name != "crash" {
				t.Errorf("stack %+v, want crash() on top", st)
			}
			// Another thread is not on an exception: an error, and on.
			threads := c.ok("threads", nil).(*dap.ThreadsResponse).Body.Threads
			for _, th := range threads {
				if th.Id != ev.Body.ThreadId {
					if msg := c.fails("exceptionInfo", map[string]any{"threadId": th.Id}); !strings.Contains(msg, "not stopped on an exception") {
						t.Errorf("exceptionInfo of thread %d: %q", th.Id, msg)
					}
					break
				}
			}
			c.ok("continue", map[string]any{"threadId": ev.Body.ThreadId})
			if code := c.exitedAndTerminated(); code != 128+11 {
				t.Errorf("exit code %d, want 139 (SIGSEGV)", code)
			}
		})
	}
}

// TestCxxExceptionFilters: the C++ filters, set before libstdc++ is
// loaded, answer unverified catchpoints, then stop the throwing thread at
// each throw (cpp-throw) or at each catch too, with the type in the
// stopped event and exceptionInfo; the program then ends as natively.
func TestCxxExceptionFilters(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildCXX(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "throw.cpp"))
	for _, c := range []struct {
		filters []string
		stops   []string
	}{
		{[]string{"cpp-throw"}, []string{"int", "std::runtime_error", "app::BadThing", "char const*"}},
		{[]string{"cpp-catch", "cpp-throw"}, []string{"int", "int", "std::runtime_error", "std::runtime_error",
			"app::BadThing", "app::BadThing", "char const*", "char const*"}},
	} {
		t.Run(strings.Join(c.filters, "+"), func(t *testing.T) {
			cl, _ := pipeClient(t, Config{})
			cl.initialize()
			cl.ok("launch", map[string]any{"program": prog, "stopMode": "thread"})
			r := cl.ok("setExceptionBreakpoints", map[string]any{"filters": c.filters}).(*dap.SetExceptionBreakpointsResponse)
			if len(r.Body.Breakpoints) != len(c.filters) || r.Body.Breakpoints[0].Verified {
				t.Errorf("answer %+v, want %d unverified catchpoints", r.Body.Breakpoints, len(c.filters))
			}
			cl.ok("configurationDone", nil)
			var got []string
			for range c.stops {
				ev := cl.stopped()
				info := cl.ok("exceptionInfo", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.ExceptionInfoResponse).Body
				if ev.Body.Reason != "exception" || ev.Body.Text != info.Description || info.BreakMode != "always" {
					t.Errorf("stopped %+v, exceptionInfo %+v", ev.Body, info)
				}
				got = append(got, info.ExceptionId)
				cl.ok("continue", map[string]any{"threadId": ev.Body.ThreadId})
			}
			if strings.Join(got, ",") != strings.Join(c.stops, ",") {
				t.Errorf("stops %v, want %v", got, c.stops)
			}
			if code := cl.exitedAndTerminated(); code != 0 {
				t.Errorf("exit code %d", code)
			}
		})
	}
}

// TestGoPanicFilters: with go-panic (on by default) an unrecovered panic
// stops its goroutine's thread with reason exception and the panic's
// value in the event and in exceptionInfo, in runtime.fatalpanic with
// the panicking function below; continue lets the program die with exit
// status 2 as natively. Without the filter nothing stops.
func TestGoPanicFilters(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildGoWith(t, "", nil, filepath.Join("..", "debugger", "testdata", "gopanic"))
	for _, filters := range [][]string{{"signals-fatal", "go-panic", "go-fatal"}, {"go-fatal"}} {
		t.Run(strings.Join(filters, " "), func(t *testing.T) {
			c, _ := pipeClient(t, Config{})
			caps := c.initialize()
			defaults := map[string]bool{}
			for _, f := range caps.ExceptionBreakpointFilters {
				defaults[f.Filter] = f.Default
			}
			if !defaults["go-panic"] || !defaults["go-fatal"] {
				t.Errorf("the Go filters are not offered on by default: %+v", caps.ExceptionBreakpointFilters)
			}
			c.ok("launch", map[string]any{"program": prog, "args": []string{"panic"}, "stopMode": "thread"})
			c.ok("setExceptionBreakpoints", map[string]any{"filters": filters})
			c.ok("configurationDone", nil)
			if len(filters) == 1 {
				if code := c.exitedAndTerminated(); code != 2 {
					t.Errorf("exit code %d, want 2", code)
				}
				return
			}
			ev := c.stopped()
			if ev.Body.Reason != "exception" || ev.Body.Text != "panic: it broke: panic" {
				t.Fatalf("stopped %+v", ev.Body)
			}
			info := c.ok("exceptionInfo", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.ExceptionInfoResponse).Body
			if info.ExceptionId != "panic" || info.BreakMode != "unhandled" || info.Description != "panic: it broke: panic" {
				t.Errorf("exceptionInfo %+v", info)
			}
			st := c.ok("stackTrace", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
			names := []string{}
			for _, f := range st {
				names = append(names, f.Name)
			}
			if len(st) < 3 || st[0].Name != "runtime.fatalpanic" || !strings.Contains(strings.Join(names, " "), "main.fail") {
				t.Errorf("stack %v, want runtime.fatalpanic on top and main.fail below", names)
			}
			c.ok("continue", map[string]any{"threadId": ev.Body.ThreadId})
			if code := c.exitedAndTerminated(); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
		})
	}
}
