package terminal

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// Threads and frames: which threads are stopped and which run, which one
// the other commands act on, and where in its stack.

func init() {
	register(
		&command{name: "threads", group: "threads and stack",
			summary: "list threads: which are stopped (and where), which run",
			run:     cmdThreads},
		&command{name: "thread", aliases: []string{"t"}, group: "threads and stack", usage: "[TID]",
			summary: "select thread TID (or show the selected one)", run: cmdThread},
		&command{name: "backtrace", aliases: []string{"bt", "where"}, group: "threads and stack", usage: "[N]",
			summary: "show the selected thread's stack (N frames)", run: cmdBacktrace},
		&command{name: "frame", aliases: []string{"f"}, group: "threads and stack", usage: "[N]",
			summary: "select frame N of the selected thread (or show the selected one)", run: cmdFrame},
		&command{name: "up", group: "threads and stack", usage: "[N]",
			summary: "select the caller's frame (N frames up)", run: func(t *Term, a string) error { return t.moveFrame(a, 1) }},
		&command{name: "down", group: "threads and stack", usage: "[N]",
			summary: "select the callee's frame (N frames down)", run: func(t *Term, a string) error { return t.moveFrame(a, -1) }},
	)
}

func cmdThreads(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	ths, err := t.s.Threads()
	if err != nil {
		return err
	}
	cur, _ := t.selected()
	var b strings.Builder
	nstopped := 0
	for _, th := range ths {
		mark := " "
		if th.Tid == cur {
			mark = "*"
		}
		name := th.Name
		if name == "" {
			name = "-"
		}
		if th.Stopped {
			nstopped++
			fmt.Fprintf(&b, "%s %-8d %-16s stopped (%s) %s\n", mark, th.Tid, name, th.Reason, describePos(th.PC, th.Func, th.File, th.Line))
		} else {
			fmt.Fprintf(&b, "%s %-8d %-16s running\n", mark, th.Tid, name)
		}
	}
	fmt.Fprintf(&b, "%d threads: %d stopped, %d running (%s-stop mode)\n", len(ths), nstopped, len(ths)-nstopped, t.modeName())
	t.con.printf("%s", b.String())
	return nil
}

func (t *Term) modeName() string {
	if t.s.Mode() == "all" {
		return "all"
	}
	return "non"
}

func cmdThread(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	if args == "" {
		tid, _ := t.selected()
		state := "running"
		if t.s.Stopped(tid) {
			state = "stopped"
		}
		t.con.printf("Thread %d (%s)\n", tid, state)
		return nil
	}
	tid, err := parseID(args, "thread")
	if err != nil {
		return err
	}
	ths, err := t.s.Threads()
	if err != nil {
		return err
	}
	for _, th := range ths {
		if th.Tid != tid {
			continue
		}
		t.mu.Lock()
		t.cur, t.frame = tid, 0
		t.mu.Unlock()
		t.listNext = nil
		if th.Stopped {
			t.con.printf("Thread %d stopped (%s): %s\n", tid, th.Reason, describePos(th.PC, th.Func, th.File, th.Line))
			if src, ok := sourceLine(th.File, th.Line); ok {
				t.con.printf("%6d:\t%s\n", th.Line, src)
			}
		} else {
			t.con.printf("Thread %d (running)\n", tid)
		}
		return nil
	}
	return fmt.Errorf("no thread %d (threads lists them)", tid)
}

// stack returns the selected thread's stack; the thread must be stopped.
func (t *Term) stack(max int) ([]symbols.Frame, int, error) {
	tid, err := t.stoppedThread()
	if err != nil {
		return nil, 0, err
	}
	frames, err := t.s.Stack(tid, max)
	if len(frames) == 0 && err == nil {
		err = fmt.Errorf("thread %d: no frames", tid)
	}
	return frames, tid, err
}

// currentFrame is the selected frame of the selected thread.
func (t *Term) currentFrame() (symbols.Frame, error) {
	_, n := t.selected()
	frames, _, err := t.stack(n + 1)
	if err != nil && len(frames) == 0 {
		return symbols.Frame{}, err
	}
	if n >= len(frames) {
		n = len(frames) - 1
	}
	return frames[n], nil
}

func frameLine(i int, f symbols.Frame, args string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%-2d %#016x in ", i, f.PC)
	fn := f.Function
	if fn == "" {
		fn = "??"
	}
	b.WriteString(fn + "(" + args + ")")
	if f.File != "" {
		fmt.Fprintf(&b, " at %s:%d", f.File, f.Line)
	}
	switch {
	case f.Inlined:
		b.WriteString(" (inlined)")
	case f.Signal:
		b.WriteString(" <signal handler called>")
	case f.TailCall:
		b.WriteString(" (tail call)")
	}
	return b.String()
}

func cmdBacktrace(t *Term, args string) error {
	max := 64
	if args != "" {
		n, err := strconv.Atoi(args)
		if err != nil || n <= 0 {
			return badArgs("%q is not a frame count", args)
		}
		max = n
	}
	tid, err := t.stoppedThread()
	if err != nil {
		return fmt.Errorf("stack walk stopped: %v", err)
	}
	_, sel := t.selected()
	var b strings.Builder
	var walkErr error
	// One stack walk for the frames and every frame's arguments.
	err = t.s.WithStack(tid, max, func(frames []symbols.Frame, we error, frame func(int) (*eval.Context, error)) error {
		walkErr = we
		if len(frames) == 0 && we == nil {
			walkErr = fmt.Errorf("thread %d: no frames", tid)
		}
		for i, f := range frames {
			mark := "  "
			if i == sel {
				mark = "> "
			}
			b.WriteString(mark + frameLine(i, f, argList(frame(i))) + "\n")
		}
		return nil
	})
	t.con.printf("%s", b.String())
	if err == nil {
		err = walkErr
	}
	if err != nil {
		return fmt.Errorf("stack walk stopped: %v", err)
	}
	return nil
}

func cmdFrame(t *Term, args string) error {
	_, n := t.selected()
	if args != "" {
		v, err := strconv.Atoi(args)
		if err != nil || v < 0 {
			return badArgs("%q is not a frame number", args)
		}
		n = v
	}
	return t.selectFrame(n)
}

func (t *Term) moveFrame(args string, dir int) error {
	step := 1
	if args != "" {
		v, err := strconv.Atoi(args)
		if err != nil || v <= 0 {
			return badArgs("%q is not a frame count", args)
		}
		step = v
	}
	_, n := t.selected()
	n += dir * step
	if n < 0 {
		return fmt.Errorf("already at the innermost frame")
	}
	return t.selectFrame(n)
}

func (t *Term) selectFrame(n int) error {
	frames, tid, err := t.stack(n + 1)
	if len(frames) == 0 {
		return err
	}
	if n >= len(frames) {
		return fmt.Errorf("no frame %d: the stack has %d frames", n, len(frames))
	}
	t.mu.Lock()
	t.frame = n
	t.mu.Unlock()
	t.listNext = nil
	f := frames[n]
	t.con.printf("%s\n", frameLine(n, f, t.frameArgs(tid, n)))
	if src, ok := sourceLine(f.File, f.Line); ok {
		t.con.printf("%6d:\t%s\n", f.Line, src)
	}
	return nil
}

// frameArgs lists frame n's arguments as gdb's backtrace does (its
// default "print frame-arguments scalars"): name=value for numbers,
// pointers and strings, name=... for aggregates. Nothing for a frame
// without debugging information.
func (t *Term) frameArgs(tid, n int) string {
	var args string
	t.s.WithFrame(tid, n, func(c *eval.Context) error {
		args = argList(c, nil)
		return nil
	})
	return args
}

// argList is frameArgs of the frame c evaluates in ("" if err).
func argList(c *eval.Context, err error) string {
	if err != nil {
		return ""
	}
	vs, err := c.Args()
	if err != nil {
		return ""
	}
	var parts []string
	for _, v := range vs {
		val := v.Value
		switch v.Kind {
		case eval.KindArray, eval.KindStruct, eval.KindUnion, eval.KindSlice, eval.KindMap, eval.KindInterface:
			val = "..."
		case eval.KindPointer:
			if strings.HasPrefix(val, "*") {
				val = "*..." // a Go pointer showing what it points to
			}
		}
		parts = append(parts, v.Name+"="+val)
	}
	return strings.Join(parts, ", ")
}
