package terminal

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Resuming, stepping, pausing and ending. In non-stop mode these act on
// the selected thread only: the others go on as they were.

// How long an interactive resuming command waits for its stop before the
// prompt comes back (the stop is then printed when it happens).
const (
	graceContinue = 300 * time.Millisecond
	graceStep     = 2 * time.Second
)

func init() {
	register(
		&command{name: "continue", aliases: []string{"c"}, group: "running", usage: "[-a] [&]", repeat: true,
			summary: "resume the selected thread (-a: every stopped thread)",
			help: `In a script, continue waits for the next stop of any thread or the end of the
program; "continue &" returns at once. Interactively it returns at once, and
stops are printed as they happen. In all-stop mode every thread resumes.`,
			run: cmdContinue},
		&command{name: "next", aliases: []string{"n"}, group: "running", usage: "[&]", repeat: true,
			summary: "step one source line of the selected thread, over calls",
			run:     stepper("next", (*debugger.Session).Next)},
		&command{name: "step", aliases: []string{"s"}, group: "running", usage: "[&]", repeat: true,
			summary: "step one source line, into calls",
			run:     stepper("step", (*debugger.Session).StepIn)},
		&command{name: "stepout", aliases: []string{"finish", "so"}, group: "running", usage: "[&]", repeat: true,
			summary: "run the selected thread until the current function returns",
			run:     stepper("stepout", (*debugger.Session).StepOut)},
		&command{name: "stepi", aliases: []string{"si"}, group: "running", usage: "[&]", repeat: true,
			summary: "execute one instruction of the selected thread",
			run:     stepper("stepi", (*debugger.Session).StepInstruction)},
		&command{name: "pause", group: "running", usage: "[TID | -a]",
			summary: "stop the selected thread, thread TID, or (-a) every thread",
			help:    "Ctrl-C pauses every thread too.",
			run:     cmdPause},
		&command{name: "restart", group: "session",
			summary: "start the launched program again, stopped at its first instruction, with the same breakpoints",
			help: `The program gets the same arguments, environment and files (an input file
is read again from its start); the breakpoints keep their numbers, and their
hit counts start from zero. If the program still runs, it is killed first
(after asking, when interactive).`,
			run: func(t *Term, args string) error { return t.restart(args, false) }},
		&command{name: "run", aliases: []string{"r"}, group: "session", usage: "[&]",
			summary: "start the launched program again and run it (restart, then continue)",
			run:     func(t *Term, args string) error { return t.restart(args, true) }},
		&command{name: "detach", group: "session",
			summary: "let the process go on without the debugger, and quit",
			run:     cmdDetach},
		&command{name: "kill", group: "session",
			summary: "kill the process, and quit", run: cmdKill},
		&command{name: "quit", aliases: []string{"q", "exit"}, group: "session",
			summary: "quit: an attached process is detached and goes on; a launched one is killed",
			run:     func(t *Term, args string) error { t.doQuit(true); return nil }},
	)
}

// background strips a trailing "&": the command returns without waiting.
func background(args string) (string, bool) {
	args = strings.TrimSpace(args)
	if strings.HasSuffix(args, "&") {
		return strings.TrimSpace(strings.TrimSuffix(args, "&")), true
	}
	return args, false
}

// needProcess fails once the process is gone.
func (t *Term) needProcess() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		return errors.New("no process: " + t.endText)
	}
	return nil
}

// stoppedThread returns the selected thread if it is stopped, or an error
// that says what to do instead.
func (t *Term) stoppedThread() (int, error) {
	if err := t.needProcess(); err != nil {
		return 0, err
	}
	tid, _ := t.selected()
	if !t.s.Stopped(tid) {
		return 0, fmt.Errorf("thread %d is running (pause it, or select a stopped thread with `thread TID`; `threads` lists them)", tid)
	}
	return tid, nil
}

func cmdContinue(t *Term, args string) error {
	args, bg := background(args)
	if err := t.needProcess(); err != nil {
		return err
	}
	all := false
	switch args {
	case "":
	case "-a", "all":
		all = true
	default:
		return badArgs("unexpected %q", args)
	}
	anyStop := func(ev debugger.Event) bool { return ev.Kind == debugger.Stopped }
	var w *waiter
	if !bg {
		w = t.expect(true, anyStop)
	}
	var err error
	if all {
		err = t.s.ContinueAll()
	} else {
		// Decided under mu, with the selection and the shown stops as
		// the event loop leaves them (handle): a stop it shows either
		// came before (and selected its thread, which is resumed) or
		// comes after the wait is armed (and ends it).
		t.mu.Lock()
		tid := t.cur
		stopped := t.s.Stopped(tid)
		otherShown := false
		if !stopped {
			for id := range t.shown {
				if id != tid && t.s.Stopped(id) {
					otherShown = true
					break
				}
			}
		}
		if !stopped && !otherShown && w != nil {
			w.armed = true // nothing to resume: the next stop counts
		}
		t.mu.Unlock()
		switch {
		case stopped:
			err = t.s.Continue(tid, false)
		case otherShown:
			err = fmt.Errorf("thread %d is already running; select a stopped thread (threads lists them) or use continue -a", tid)
		case w == nil:
			return nil
		}
	}
	// Otherwise every thread runs already (an attached process), or the
	// only stops are still on their way to the event loop (a thread hit
	// a breakpoint set by the line before, not yet reported): there is
	// nothing to resume, and continue waits for the next stop, which may
	// be one of those.
	if err != nil {
		if w != nil {
			t.cancel(w)
		}
		return err
	}
	if w != nil {
		t.await(w, graceContinue)
	}
	return nil
}

// endsStep: a step of thread tid is waited for until that thread stops,
// or every thread does, or another thread stops for a reason the user must
// see (a breakpoint, a fault; not a pause). In a Go program the goroutine
// being stepped may also move to another thread, where its step is lost;
// the stop at the next breakpoint then still ends the wait.
func endsStep(ev debugger.Event, tid int) bool {
	if ev.Kind != debugger.Stopped {
		return false
	}
	return ev.Tid == tid || ev.AllStopped || ev.Reason != debugger.ReasonPause
}

// stepper makes a stepping command: it waits for the stepping thread's
// stop (or a stop of every thread, or the end).
func stepper(name string, f func(s *debugger.Session, tid int) error) func(t *Term, args string) error {
	return func(t *Term, args string) error {
		args, bg := background(args)
		if args != "" {
			return badArgs("unexpected %q", args)
		}
		tid, err := t.stoppedThread()
		if err != nil {
			return err
		}
		var w *waiter
		if !bg {
			w = t.expect(true, func(ev debugger.Event) bool { return endsStep(ev, tid) })
			t.mu.Lock() // the event loop reads it under mu
			w.resumed = tid
			t.mu.Unlock()
		}
		t.mu.Lock()
		t.frame = 0
		t.mu.Unlock()
		if err := f(t.s, tid); err != nil {
			if w != nil {
				t.cancel(w)
			}
			return err
		}
		if w != nil {
			t.await(w, graceStep)
		}
		return nil
	}
}

func cmdPause(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	args, bg := background(args)
	var w *waiter
	var err error
	switch args {
	case "-a", "all":
		if !bg {
			w = t.expect(false, func(ev debugger.Event) bool { return ev.Kind == debugger.Stopped && ev.AllStopped })
		}
		err = t.s.PauseAll()
	default:
		tid, _ := t.selected()
		if args != "" {
			if tid, err = parseID(args, "thread"); err != nil {
				return err
			}
		}
		if t.s.Stopped(tid) {
			return fmt.Errorf("thread %d is already stopped", tid)
		}
		if !bg {
			w = t.expect(false, func(ev debugger.Event) bool {
				return ev.Kind == debugger.Stopped && (ev.Tid == tid || ev.AllStopped)
			})
		}
		err = t.s.Pause(tid)
	}
	if err != nil {
		if w != nil {
			t.cancel(w)
		}
		return err
	}
	if w != nil {
		t.await(w, graceStep)
	}
	return nil
}

func cmdDetach(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	if err := t.s.Detach(); err != nil {
		return err
	}
	t.handOffOutput()
	t.quit = true
	return nil
}

// handOffOutput keeps a detached program's output going where it went:
// what it wrote to our terminal came through us a line at a time, and
// once we exit nobody would read that pipe (its next write would kill it
// with SIGPIPE). A relay process takes the pipe over and copies it to the
// terminal until the program closes it. If that fails, say what follows.
func (t *Term) handOffOutput() {
	p := t.s.Process()
	if !p.HasRelays() {
		return // its output goes straight to our files, which stay open
	}
	dst, ok := t.con.out.(*os.File)
	if !ok {
		dst = os.Stdout
	}
	pids, err := p.HandOffOutput(dst)
	if err != nil {
		t.con.printf("warning: the program's output came through ubpdbg and cannot be relayed after it exits (%v): "+
			"its next write to the terminal gets EPIPE, or kills it if it does not ignore SIGPIPE\n", err)
		return
	}
	t.con.printf("The program's output still goes to this terminal, through relay process %s (it ends with the program's output)\n",
		joinInts(pids))
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func cmdKill(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	if err := t.s.Kill(); err != nil {
		return err
	}
	t.quit = true
	return nil
}

// doQuit ends the session: detach from an attached process (it goes on),
// kill a launched one (after asking, if interactive and ask).
func (t *Term) doQuit(ask bool) {
	if t.isEnded() {
		t.quit = true
		return
	}
	if !t.launched {
		if err := t.s.Detach(); err != nil {
			t.con.printf("detach: %v\n", err)
		}
		t.quit = true
		return
	}
	if ask && t.tty != nil && !t.tty.confirm(fmt.Sprintf("The program (process %d) is running under the debugger. Kill it?", t.s.Pid())) {
		return
	}
	if err := t.s.Kill(); err != nil {
		t.con.printf("kill: %v\n", err)
	}
	t.quit = true
}

// restart starts the launched program again in a new session with the
// same breakpoints, and, for run, continues it as continue would.
func (t *Term) restart(args string, run bool) error {
	rest, _ := background(args)
	if rest != "" {
		return badArgs("unexpected %q", rest)
	}
	if !t.launched {
		return errors.New("the program was attached to, not started by ubpdbg: there is nothing to start again")
	}
	if !t.isEnded() && t.tty != nil &&
		!t.tty.confirm(fmt.Sprintf("The program (process %d) is running. Start it from the beginning?", t.s.Pid())) {
		return nil
	}
	old := t.s
	// Restart kills a program that still runs; its exit is printed by the
	// event loop, which ends with the old session's events.
	ns, err := old.Restart()
	select {
	case <-t.done:
	case <-time.After(10 * time.Second): // a kill that failed: the old session goes on
		if err == nil {
			ns.Kill()
			err = errors.New("restart: the old session did not end")
		}
	}
	if err != nil {
		return err
	}
	t.adopt(ns)
	n := len(ns.Breakpoints())
	t.con.printf("Process %d started again, stopped at its first instruction (%d breakpoint%s kept)\n", ns.Pid(), n, plural(n))
	if run {
		return cmdContinue(t, args)
	}
	return nil
}

// adopt makes ns the terminal's session (the old one has ended and its
// event loop is done) and starts reporting its events.
func (t *Term) adopt(ns *debugger.Session) {
	t.mu.Lock()
	t.s = ns
	t.ended, t.endText = false, ""
	t.frame = 0
	t.done = make(chan struct{})
	t.shown = map[int]bool{}
	t.mu.Unlock()
	t.threadOK = map[int]bool{}
	t.selectInitial()
	go t.eventLoop()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
