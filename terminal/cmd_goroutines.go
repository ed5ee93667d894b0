package terminal

import (
	"fmt"
	"strings"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Goroutines of Go programs, as the runtime records them; a C program
// has threads only and is told so.

func init() {
	register(&command{name: "goroutines", aliases: []string{"grs"}, group: "threads and stack", usage: "[-r|-w|-u|-s]",
		summary: "list a Go program's goroutines: thread, state (wait reason), user frame",
		help: "-r: only those running on a thread; -w: only waiting ones (parked: a channel, a lock, a sleep);\n" +
			"-u: only the program's own (started outside the runtime); -s: only the runtime's (GC, finalizers).\n" +
			"A goroutine on a thread held by a stop is shown stopped.",
		run: cmdGoroutines})
}

func cmdGoroutines(t *Term, args string) error {
	if err := t.needProcess(); err != nil {
		return err
	}
	keep := func(debugger.GoroutineInfo) bool { return true }
	switch strings.TrimSpace(args) {
	case "":
	case "-r":
		keep = func(g debugger.GoroutineInfo) bool { return g.Tid != 0 }
	case "-w":
		keep = func(g debugger.GoroutineInfo) bool { return g.Status == "waiting" }
	case "-u":
		keep = func(g debugger.GoroutineInfo) bool { return !g.System }
	case "-s":
		keep = func(g debugger.GoroutineInfo) bool { return g.System }
	default:
		return badArgs("unknown option %q", args)
	}
	gs, err := t.s.Goroutines()
	if err != nil {
		return err
	}
	var b strings.Builder
	n := 0
	for _, g := range gs {
		if !keep(g) {
			continue
		}
		n++
		state := g.Status
		switch {
		case g.Stopped:
			state = "stopped"
		case g.WaitReason != "":
			state += " (" + g.WaitReason + ")"
		}
		where := "thread -"
		if g.Tid != 0 {
			where = fmt.Sprintf("thread %d", g.Tid)
		}
		f := g.UserFrame
		pos := "??"
		if f.Function != "" {
			pos = fmt.Sprintf("%s() %s:%d", f.Function, shortFile(f.File), f.Line)
		}
		fmt.Fprintf(&b, "  Goroutine %-6d %-14s %-24s %s\n", g.ID, where, state, pos)
	}
	fmt.Fprintf(&b, "%d goroutines shown of %d\n", n, len(gs))
	t.con.printf("%s", b.String())
	return nil
}
