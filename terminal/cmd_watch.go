package terminal

import (
	"fmt"
	"strings"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Watchpoints, gdb's three: watch (a write that changes the value), rwatch
// (a read), awatch (any access). They use the four x86 debug registers and
// may be set while every thread runs.

func init() {
	help := `EXPR is evaluated in the selected frame if its thread is stopped, else
without a frame (globals only). It must be in memory: up to four aligned
8-byte words in all (x86 has four debug registers). The thread that
makes the access stops just after it, and in non-stop mode only that thread.
A watchpoint on a local ends when its frame returns. With "if COND" it stops
only when COND is true in the thread that made the access.
x86 cannot trap reads alone: rwatch and awatch trap writes too, and rwatch
takes an access that changed the value for a write and lets it go.
Examples:  watch counter   watch p->len if p->len > 100   rwatch config`
	register(
		&command{name: "watch", group: "breakpoints", usage: "EXPR [if COND]",
			summary: "stop when a write changes EXPR (a hardware watchpoint)", help: help,
			run: func(t *Term, args string) error { return t.setWatch(args, debugger.WatchWrite) }},
		&command{name: "rwatch", group: "breakpoints", usage: "EXPR [if COND]",
			summary: "stop when EXPR is read", help: help,
			run: func(t *Term, args string) error { return t.setWatch(args, debugger.WatchRead) }},
		&command{name: "awatch", group: "breakpoints", usage: "EXPR [if COND]",
			summary: "stop when EXPR is read or written", help: help,
			run: func(t *Term, args string) error { return t.setWatch(args, debugger.WatchAccess) }},
	)
}

func (t *Term) setWatch(args string, kind debugger.WatchKind) error {
	src, cond := splitCond(args)
	if strings.TrimSpace(args) == "if" || strings.HasSuffix(args, " if") {
		return badArgs("missing condition after \"if\"")
	}
	if src == "" {
		return badArgs("missing expression to watch")
	}
	spec := debugger.WatchSpec{Expr: src, Kind: kind, Cond: cond}
	if tid, n := t.selected(); t.s.Stopped(tid) {
		spec.Tid, spec.Frame = tid, n
	}
	w, err := t.s.Watch(spec)
	if err != nil {
		return err
	}
	t.con.printf("%s\n", describeWatch(w))
	return nil
}

// describeWatch is gdb's line for a new watchpoint, "Hardware watchpoint
// 2: counter", with what ends it for a local.
func describeWatch(w debugger.WatchInfo) string {
	s := fmt.Sprintf("%s %d: %s", w.Spec.Kind.Title(), w.ID, w.Spec.Expr)
	if w.Scope != "" {
		s += fmt.Sprintf(" (a local of %s() in thread %d: it ends when that frame returns)", w.Scope, w.ScopeTid)
	}
	if w.Spec.Cond != "" {
		s += " if " + w.Spec.Cond
	}
	return s
}

// watchRows are the watchpoints' rows in the breakpoints list.
func watchRows(b *strings.Builder, ws []debugger.WatchInfo) {
	for _, w := range ws {
		on := "y"
		if w.Disabled {
			on = "n"
		}
		where := fmt.Sprintf("%s (%d bytes) = %s", w.Spec.Expr, w.Size, w.Value)
		fmt.Fprintf(b, "%-4d %-10s %-4s %6d  %-18s %s\n", w.ID, w.Spec.Kind, on, w.Hits, fmt.Sprintf("%#x", w.Addr), where)
		if w.Scope != "" {
			fmt.Fprintf(b, "%28s in the frame of %s() in thread %d\n", "", w.Scope, w.ScopeTid)
		}
		if w.Spec.Cond != "" {
			fmt.Fprintf(b, "%28s if %s\n", "", w.Spec.Cond)
		}
	}
}
