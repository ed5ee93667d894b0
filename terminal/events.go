package terminal

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/eval"
	"golang.org/x/sys/unix"
)

// waiter is a command waiting for an event: a resuming command in a script
// waits for the stop it caused (or any stop, or the end).
type waiter struct {
	match func(ev debugger.Event) bool
	ch    chan struct{}
	// armed: events count. A wait for a resume is armed by the resume's
	// own Continued event: a stop still queued from before the command
	// (the event loop may lag behind) must not end it.
	armed   bool
	resumed int // the thread whose Continued arms it (0: any)
}

// eventLoop prints the session's events as they happen, keeps the
// selection sensible, and wakes a waiting command. It runs for the whole
// session, on its own goroutine, so a stop in one thread is reported while
// the user is busy with another.
func (t *Term) eventLoop() {
	defer close(t.done)
	for ev := range t.s.Events() {
		t.con.async(t.handle(ev))
		t.wake(ev)
	}
	t.mu.Lock()
	if !t.ended {
		t.ended, t.endText = true, "the debugging session ended"
	}
	w := t.waiter
	t.waiter = nil
	t.mu.Unlock()
	if w != nil {
		close(w.ch)
	}
}

// wake ends a command's wait if the event is what it waits for.
func (t *Term) wake(ev debugger.Event) {
	t.mu.Lock()
	w := t.waiter
	if w != nil && !w.armed {
		if ev.Kind == debugger.Continued && (ev.All || w.resumed == 0 || ev.Tid == w.resumed) {
			w.armed = true
		} else if ev.Kind == debugger.Exited || ev.Kind == debugger.Detached {
			w.armed = true
		} else {
			t.mu.Unlock()
			return
		}
	}
	if w == nil || !w.match(ev) {
		t.mu.Unlock()
		return
	}
	t.waiter = nil
	t.mu.Unlock()
	close(w.ch)
}

// expect registers a wait before the command that causes the event runs,
// so the event cannot slip past. afterResume: the command resumes a
// thread, and only events after its Continued count.
func (t *Term) expect(afterResume bool, match func(ev debugger.Event) bool) *waiter {
	w := &waiter{match: func(ev debugger.Event) bool {
		return ev.Kind == debugger.Exited || ev.Kind == debugger.Detached || match(ev)
	}, ch: make(chan struct{}), armed: !afterResume}
	t.mu.Lock()
	t.waiter = w
	t.mu.Unlock()
	return w
}

// cancel drops a wait that will not be needed (the command failed).
func (t *Term) cancel(w *waiter) {
	t.mu.Lock()
	if t.waiter == w {
		t.waiter = nil
	}
	t.mu.Unlock()
}

// await waits for w: up to grace when interactive, so that quick steps
// look synchronous and slow ones go on in the background; in a script
// until the stop comes (Ctrl-C pauses the program, which ends the wait),
// or until a line that arrives meanwhile ends the session (kill, detach,
// quit, or the end of the input), which is then acted on at once: the
// writer of a script can always end a session whose stop never comes. A
// script file's own lines are not such lines: "continue" followed by
// "detach" in one file still waits for the stop first.
func (t *Term) await(w *waiter, grace time.Duration) {
	if t.tty == nil {
		if sr, ok := t.in.(*scriptReader); ok && !sr.waitOrEnd(w.ch) {
			t.cancel(w)
			return
		}
		<-w.ch
		return
	}
	select {
	case <-w.ch:
	case <-time.After(grace):
		t.cancel(w)
	}
}

// handle updates the terminal's state for one event and returns what to
// print.
func (t *Term) handle(ev debugger.Event) string {
	switch ev.Kind {
	case debugger.Stopped:
		// A stop selects its thread unless the user is looking at
		// another thread stopped on its own (non-stop): then they keep
		// their place, and the message says where the new stop is. A
		// stop of every thread (all-stop) is about the thread that
		// stopped, unless it is a pause of them all, which names none.
		// A stop of the current thread that is not shown yet does not
		// count: the user has not seen it (a script's "break f" then
		// "continue" on a hot f, where two threads hit it at once). The
		// selection and the record of shown stops change together, under
		// mu, so that continue sees both or neither (cmdContinue).
		t.mu.Lock()
		cur := t.cur
		if cur == ev.Tid || !t.threadOK[cur] || !t.shown[cur] || !t.s.Stopped(cur) || (ev.AllStopped && !ev.All) {
			t.cur, t.frame = ev.Tid, 0
		}
		t.shown[ev.Tid] = true
		t.mu.Unlock()
		t.threadOK[ev.Tid] = true
		return t.describeStop(ev)
	case debugger.Continued:
		t.mu.Lock()
		if ev.All || ev.Tid == t.cur {
			t.frame = 0
		}
		if ev.All {
			clear(t.shown)
		}
		delete(t.shown, ev.Tid)
		t.mu.Unlock()
	case debugger.ThreadStarted:
		t.threadOK[ev.Tid] = true
		return fmt.Sprintf("[thread %d started]\n", ev.Tid)
	case debugger.ThreadExited:
		delete(t.threadOK, ev.Tid)
		t.mu.Lock()
		delete(t.shown, ev.Tid)
		t.mu.Unlock()
		t.mu.Lock()
		if t.cur == ev.Tid {
			t.cur, t.frame = t.s.Pid(), 0
		}
		t.mu.Unlock()
		if ev.Tid == t.s.Pid() {
			return ""
		}
		return fmt.Sprintf("[thread %d exited]\n", ev.Tid)
	case debugger.Output:
		text := ev.Text
		if ev.Category == "important" {
			text = "warning: " + text
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		return text
	case debugger.Forked:
		// Said at once: the child's breakpoints will never stop it.
		return fmt.Sprintf("[thread %d forked process %d; the child runs on without the debugger]\n", ev.Tid, ev.Child)
	case debugger.BreakpointChanged:
		if info, ok := t.s.Breakpoint(ev.BreakpointID); ok {
			kind := "Breakpoint "
			if info.Spec.Catch != "" {
				kind = "Catchpoint "
			}
			return kind + describeBreakpoint(info) + "\n"
		}
	case debugger.Exited:
		msg := fmt.Sprintf("Process %d exited with status %d", t.s.Pid(), ev.Status.Code)
		if ev.Status.Signal != 0 || ev.Status.Unknown {
			msg = fmt.Sprintf("Process %d %v", t.s.Pid(), ev.Status)
		}
		t.setEnded(msg)
		return msg + "\n"
	case debugger.Detached:
		msg := fmt.Sprintf("Detached from process %d; it goes on running", t.s.Pid())
		t.setEnded(msg)
		return msg + "\n"
	}
	return ""
}

func (t *Term) setEnded(msg string) {
	t.mu.Lock()
	t.ended, t.endText = true, msg
	t.mu.Unlock()
}

// describeStop says which thread stopped, why, where, and shows the line.
func (t *Term) describeStop(ev debugger.Event) string {
	var b strings.Builder
	why := ev.Description
	switch ev.Reason {
	case debugger.ReasonBreakpoint:
		why = "at " + ev.Description
	case debugger.ReasonStep:
		why = "after " + ev.Description
	case debugger.ReasonPause:
		why = "(paused)"
	case debugger.ReasonEntry:
		why = "at program entry"
	case debugger.ReasonException, debugger.ReasonSignal:
		if strings.HasPrefix(why, "SIG") {
			// The signal's whole story on a line of its own, as gdb's
			// "received signal SIGSEGV, Segmentation fault."
			fmt.Fprintf(&b, "Thread %d received %s\n", ev.Tid, why)
			why = ev.Reason
		}
		why = "(" + why + ")"
	default:
		if why == "" {
			why = ev.Reason
		}
		why = "(" + why + ")"
	}
	if ev.All {
		// The event names some thread; the one that matters is the
		// selected one, which stays selected.
		t.mu.Lock()
		tid := t.cur
		t.mu.Unlock()
		loc, file, line := t.where(tid)
		fmt.Fprintf(&b, "All threads paused; thread %d %s\n", tid, loc)
		if src, ok := sourceLine(file, line); ok {
			fmt.Fprintf(&b, "%6d:\t%s\n", line, src)
		}
		return b.String()
	}
	if ev.Text != "" {
		// Why it stopped, before where (as gdb puts it).
		fmt.Fprintf(&b, "%s\n", ev.Text)
		if ev.Reason == debugger.ReasonBreakpoint {
			b.WriteString("(Later errors of this condition do not stop; breakpoints counts them.)\n")
		}
	}
	loc, file, line := t.where(ev.Tid)
	all := ""
	if ev.AllStopped {
		all = " (all threads stopped)"
	}
	fmt.Fprintf(&b, "Thread %d stopped %s%s: %s\n", ev.Tid, why, all, loc)
	if src, ok := sourceLine(file, line); ok {
		fmt.Fprintf(&b, "%6d:\t%s\n", line, src)
	}
	if ev.Reason == debugger.ReasonStep {
		// After a step out, what the function returned: gdb's finish
		// for C, Delve's list of results for Go.
		vs, err := t.s.ReturnValues(ev.Tid, t.printing())
		switch {
		case err != nil:
			fmt.Fprintf(&b, "Value returned: not shown (%v)\n", err)
		case len(vs) == 1 && vs[0].Name == eval.ReturnValueName:
			fmt.Fprintf(&b, "Value returned is %s\n", vs[0].Printed())
		case len(vs) > 0:
			b.WriteString("Values returned:\n")
			for _, v := range vs {
				fmt.Fprintf(&b, "\t%s: %s\n", strings.TrimPrefix(v.Name, eval.ReturnValueName+" "), v.Printed())
			}
		}
	}
	return b.String()
}

// where describes a stopped thread's position: "in square() at
// threads.c:8", or its pc when nothing is known.
func (t *Term) where(tid int) (desc, file string, line int) {
	regs, err := t.s.Regs(tid)
	if err != nil {
		return "(running again)", "", 0
	}
	pi := t.s.Symbols().LookupPC(regs.Rip)
	if len(pi.Frames) == 0 {
		return fmt.Sprintf("at %#x", regs.Rip), "", 0
	}
	f := pi.Frames[0]
	return describePos(regs.Rip, f.Function, f.File, f.Line), f.File, f.Line
}

// describePos is how a position reads everywhere: function and file:line
// when known, else the address.
func describePos(pc uint64, fn, file string, line int) string {
	switch {
	case fn != "" && file != "":
		return fmt.Sprintf("%s() %s:%d", fn, filepath.Base(file), line)
	case fn != "":
		return fmt.Sprintf("%s() at %#x", fn, pc)
	case file != "":
		return fmt.Sprintf("%s:%d", filepath.Base(file), line)
	}
	return fmt.Sprintf("%#x", pc)
}

// interrupt is Ctrl-C: if any thread runs, pause every thread (reported
// as one stop of them all) and report true.
func (t *Term) interrupt() bool {
	if t.isEnded() {
		return false
	}
	ths, err := t.s.Threads()
	if err != nil {
		return false
	}
	for _, th := range ths {
		if !th.Stopped {
			if err := t.s.PauseAll(); err != nil {
				t.con.async(fmt.Sprintf("pause: %v\n", err))
			}
			return true
		}
	}
	return false
}

// catchInterrupt makes SIGINT (Ctrl-C without a terminal, or kill -INT)
// pause the program instead of killing ubpdbg. With nothing to pause it
// ends the session cleanly: an attached process is let go, not killed.
func (t *Term) catchInterrupt() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGINT)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				if !t.interrupt() {
					t.s.Close()
					t.close()
					os.Exit(130)
				}
			case <-quit:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(quit)
	}
}
