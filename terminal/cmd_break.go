package terminal

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// Breakpoints: set, change, list and delete them. They may be set while
// threads run; the engine inserts them without stopping anything.

func init() {
	register(
		&command{name: "break", aliases: []string{"b"}, group: "breakpoints", usage: "[-p] [-f] [LOCSPEC] [thread TID] [if COND]",
			summary: "set a breakpoint (at the selected frame's line without LOCSPEC)",
			help: `LOCSPEC is FUNC, FILE:LINE or *ADDR. With "if COND" the thread stops only when
COND is true; otherwise it goes on at once, out of line, and nothing else stops.
With "thread TID" only that thread hits it (the others pass, uncounted).
A LOCSPEC that matches nothing is an error; -p makes it pending instead: it is
placed when a library that has it is loaded (on a terminal you are asked).
An *ADDR must start an instruction of a function known from symbols; -f places
it where no symbols tell (at your risk: an int3 in the middle of an
instruction corrupts the program). One shown to be inside an instruction, or
not in executable memory, is refused even with -f.
Examples:  break main   b worker.c:42 if i == 3   b *0x401136   b -p png_read_info`,
			run: func(t *Term, args string) error { return t.setBreak("break", args, false) }},
		&command{name: "tbreak", group: "breakpoints", usage: "[-p] [-f] [LOCSPEC] [thread TID] [if COND]",
			summary: "set a temporary breakpoint: deleted when it first stops a thread",
			run:     func(t *Term, args string) error { return t.setBreak("tbreak", args, true) }},
		&command{name: "condition", aliases: []string{"cond"}, group: "breakpoints", usage: "ID [COND]",
			summary: "set a breakpoint's condition, or remove it (no COND)",
			run:     cmdCondition},
		&command{name: "logpoint", aliases: []string{"lp"}, group: "breakpoints", usage: "[-p] [-f] LOCSPEC MESSAGE",
			summary: "print MESSAGE whenever a thread passes LOCSPEC, without stopping it",
			help: `MESSAGE may hold {EXPR}, evaluated in the passing thread: lp work x={x} i={i}
-p: pending if LOCSPEC matches nothing yet, as for break.`,
			run: cmdLogpoint},
		&command{name: "delete", aliases: []string{"d"}, group: "breakpoints", usage: "[ID...]",
			summary: "delete breakpoints (all without IDs)",
			run:     cmdDelete},
		&command{name: "enable", group: "breakpoints", usage: "ID...",
			summary: "enable breakpoints", run: func(t *Term, args string) error { return t.enable(args, true) }},
		&command{name: "disable", group: "breakpoints", usage: "ID...",
			summary: "disable breakpoints (they stay listed)", run: func(t *Term, args string) error { return t.enable(args, false) }},
		&command{name: "breakpoints", aliases: []string{"bp"}, group: "breakpoints",
			summary: "list breakpoints with their hit counts", run: cmdBreakpoints},
	)
}

// splitCond splits "LOCSPEC if COND".
func splitCond(args string) (loc, cond string) {
	if strings.HasPrefix(args, "if ") {
		return "", strings.TrimSpace(args[3:])
	}
	if i := strings.Index(args, " if "); i >= 0 {
		return strings.TrimSpace(args[:i]), strings.TrimSpace(args[i+4:])
	}
	return strings.TrimSpace(args), ""
}

// splitThread splits "LOCSPEC thread TID" (gdb's form): a breakpoint
// that only that thread hits. TID is a thread ID as threads lists it.
func splitThread(loc string) (string, int, error) {
	f := strings.Fields(loc)
	n := len(f)
	if n == 0 || f[n-1] == "thread" {
		if n > 0 {
			return "", 0, badArgs("missing thread ID after \"thread\"")
		}
		return loc, 0, nil
	}
	if n < 2 || f[n-2] != "thread" {
		return loc, 0, nil
	}
	tid, err := parseID(f[n-1], "thread")
	if err != nil {
		return "", 0, err
	}
	return strings.Join(f[:n-2], " "), tid, nil
}

// checkThread refuses a thread ID the program does not have.
func (t *Term) checkThread(tid int) error {
	ths, err := t.s.Threads()
	if err != nil {
		return err
	}
	for _, th := range ths {
		if th.Tid == tid {
			return nil
		}
	}
	return fmt.Errorf("no thread %d (threads lists them)", tid)
}

// cutFlags takes the leading flags of break, tbreak and logpoint off their
// arguments: -p (make the breakpoint pending if its location matches
// nothing yet) and -f (place an *ADDR breakpoint that cannot be checked to
// start an instruction).
func cutFlags(args string) (rest string, pending, force bool) {
	rest = args
	for {
		f, after, _ := strings.Cut(rest, " ")
		switch f {
		case "-p":
			pending = true
		case "-f":
			force = true
		default:
			return rest, pending, force
		}
		rest = strings.TrimSpace(after)
	}
}

// errNotSet ends a command the user declined to go on with.
var errNotSet = errors.New("no breakpoint set")

// checkLocation refuses a location that matches nothing, so that a typo
// does not become a breakpoint that silently never stops. The user may
// ask for a pending one (placed when a library that has it loads): with
// -p, or by answering yes on a terminal. A line past the end of a known
// file and a malformed spec are refused even then: no library mends them.
func (t *Term) checkLocation(cmd, loc string, pending bool) error {
	_, err := t.s.Symbols().Resolve(loc)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, symbols.ErrNotFound) || errors.Is(err, symbols.ErrPastEnd):
		return err
	case pending:
		return nil
	case t.tty != nil:
		if t.tty.confirm(fmt.Sprintf("%v. Make it pending (placed if a library that has it is loaded)?", err)) {
			return nil
		}
		return errNotSet
	}
	return fmt.Errorf("%v (%s -p %s makes it pending: placed if a library that has it is loaded)", err, cmd, loc)
}

func (t *Term) setBreak(cmd, args string, temp bool) error {
	args, pending, force := cutFlags(args)
	loc, cond := splitCond(args)
	loc, tid, err := splitThread(loc)
	if err != nil {
		return err
	}
	if tid != 0 {
		if err := t.checkThread(tid); err != nil {
			return err
		}
	}
	if strings.HasPrefix(args, "if") && strings.TrimSpace(args) == "if" || strings.HasSuffix(args, " if") {
		return badArgs("missing condition after \"if\"")
	}
	if loc == "" {
		here, err := t.hereSpec()
		if err != nil {
			return badArgs("no location given and %v", err)
		}
		loc = here
	}
	if err := t.checkLocation(cmd, loc, pending); err != nil {
		return err
	}
	info, err := t.setChecked(breakpoints.Spec{Location: loc, Cond: cond, Temporary: temp, Force: force, Thread: tid})
	if err != nil {
		return err
	}
	kind := "Breakpoint"
	if temp {
		kind = "Temporary breakpoint"
	}
	t.con.printf("%s %s\n", kind, describeBreakpoint(info))
	if info.Verified && info.Message != "" {
		t.con.printf("%s\n", info.Message) // the warning of a forced one
	}
	return nil
}

// setChecked sets a breakpoint, and takes it back with an error when the
// engine refused a location that the symbols have (an *ADDR that is not an
// instruction's start, say): a refused breakpoint must not linger as if
// pending. One the user asked to be pending stays, whatever the engine
// says of it.
func (t *Term) setChecked(spec breakpoints.Spec) (breakpoints.Info, error) {
	info, err := t.s.SetBreakpoint(spec)
	if err != nil || info.Verified || info.Pending {
		return info, err
	}
	if _, rerr := t.s.Symbols().Resolve(spec.Location); rerr != nil {
		return info, nil // not found: the user asked for it pending
	}
	if derr := t.s.ClearBreakpoint(info.ID); derr != nil {
		return info, fmt.Errorf("%s (and deleting the refused breakpoint: %v)", info.Message, derr)
	}
	return info, errors.New(info.Message)
}

// hereSpec is the selected frame's position as a location spec.
func (t *Term) hereSpec() (string, error) {
	f, err := t.currentFrame()
	if err != nil {
		return "", err
	}
	if f.File != "" && f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.File, f.Line), nil
	}
	return fmt.Sprintf("*%#x", f.PC), nil
}

// describeBreakpoint: "1 at 0x401136: square() threads.c:8", the number of
// locations when there are several, or why it is pending.
func describeBreakpoint(info breakpoints.Info) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", info.ID)
	switch {
	case !info.Verified:
		fmt.Fprintf(&b, " pending: %s", info.Message)
	case len(info.Locations) == 1:
		l := info.Locations[0]
		fmt.Fprintf(&b, " at %#x: %s", l.Addr, describePos(l.Addr, l.Function, l.File, l.Line))
	default:
		l := info.Locations[0]
		fmt.Fprintf(&b, " at %d locations, first %#x: %s", len(info.Locations), l.Addr, describePos(l.Addr, l.Function, l.File, l.Line))
	}
	if info.Spec.Thread != 0 {
		fmt.Fprintf(&b, " thread %d", info.Spec.Thread)
	}
	if info.Spec.Cond != "" {
		fmt.Fprintf(&b, " if %s", info.Spec.Cond)
	}
	return b.String()
}

// parseID reads a breakpoint or thread number.
func parseID(s, what string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "#"))
	if err != nil || n <= 0 {
		return 0, badArgs("%q is not a %s number", s, what)
	}
	return n, nil
}

func cmdCondition(t *Term, args string) error {
	f := fields(args)
	if len(f) == 0 {
		return badArgs("missing breakpoint ID")
	}
	id, err := parseID(f[0], "breakpoint")
	if err != nil {
		return err
	}
	cond := strings.TrimSpace(strings.TrimPrefix(args, f[0]))
	if err := t.s.SetCondition(id, cond); err != nil {
		return err
	}
	if cond == "" {
		t.con.printf("Breakpoint %d is now unconditional\n", id)
	} else {
		t.con.printf("Breakpoint %d stops only if %s\n", id, cond)
	}
	return nil
}

func cmdLogpoint(t *Term, args string) error {
	args, pending, force := cutFlags(args)
	loc, msg, _ := strings.Cut(args, " ")
	msg = strings.TrimSpace(msg)
	if loc == "" || msg == "" {
		return badArgs("want a location and a message")
	}
	if err := t.checkLocation("logpoint", loc, pending); err != nil {
		return err
	}
	info, err := t.setChecked(breakpoints.Spec{Location: loc, Log: msg, Force: force})
	if err != nil {
		return err
	}
	t.con.printf("Logpoint %s\n", describeBreakpoint(info))
	if info.Verified && info.Message != "" {
		t.con.printf("%s\n", info.Message) // the warning of a forced one
	}
	return nil
}

func cmdDelete(t *Term, args string) error {
	var ids []int
	if args == "" {
		for _, b := range t.s.Breakpoints() {
			ids = append(ids, b.ID)
		}
		for _, w := range t.s.Watchpoints() {
			ids = append(ids, w.ID)
		}
		for _, ci := range t.s.EventCatchpoints() {
			ids = append(ids, ci.ID)
		}
		if len(ids) == 0 {
			t.con.printf("No breakpoints\n")
			return nil
		}
	}
	for _, a := range fields(args) {
		id, err := parseID(a, "breakpoint")
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := t.s.ClearBreakpoints(ids); err != nil {
		return err
	}
	if args == "" {
		t.con.printf("Deleted %d breakpoint(s)\n", len(ids))
	}
	return nil
}

func (t *Term) enable(args string, on bool) error {
	f := fields(args)
	if len(f) == 0 {
		return badArgs("missing breakpoint ID")
	}
	for _, a := range f {
		id, err := parseID(a, "breakpoint")
		if err != nil {
			return err
		}
		if err := t.s.EnableBreakpoint(id, on); err != nil {
			return err
		}
	}
	return nil
}

func cmdBreakpoints(t *Term, args string) error {
	bps := t.s.Breakpoints()
	ws := t.s.Watchpoints()
	cs := t.s.EventCatchpoints()
	if len(bps) == 0 && len(ws) == 0 && len(cs) == 0 {
		t.con.printf("No breakpoints\n")
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %-10s %-4s %6s  %-18s %s\n", "ID", "Type", "On", "Hits", "Address", "Where")
	for _, bp := range bps {
		typ := "breakpoint"
		switch {
		case bp.Spec.Log != "":
			typ = "logpoint"
		case bp.Spec.Temporary:
			typ = "tbreak"
		case bp.Spec.Catch != "":
			typ = "catch " + bp.Spec.Catch
		}
		on := "y"
		if bp.Spec.Disabled {
			on = "n"
		}
		addr, where := "<pending>", bp.Spec.Location
		if len(bp.Locations) > 0 {
			l := bp.Locations[0]
			addr = fmt.Sprintf("%#x", l.Addr)
			if len(bp.Locations) > 1 {
				addr = fmt.Sprintf("<%d locations>", len(bp.Locations))
			}
			where = describePos(l.Addr, l.Function, l.File, l.Line)
		} else if bp.Message != "" {
			where += " (" + bp.Message + ")"
		}
		fmt.Fprintf(&b, "%-4d %-10s %-4s %6d  %-18s %s\n", bp.ID, typ, on, bp.Hits, addr, where)
		if bp.Spec.Thread != 0 {
			fmt.Fprintf(&b, "%28s thread %d only\n", "", bp.Spec.Thread)
		}
		if bp.Spec.Cond != "" {
			fmt.Fprintf(&b, "%28s if %s\n", "", bp.Spec.Cond)
		}
		if bp.CondErrors > 0 {
			fmt.Fprintf(&b, "%28s condition not evaluated %d time(s): %s\n", "", bp.CondErrors, bp.CondError)
		}
		if bp.Spec.HitCond != "" {
			fmt.Fprintf(&b, "%28s hit condition %s\n", "", bp.Spec.HitCond)
		}
		if bp.Spec.Log != "" {
			fmt.Fprintf(&b, "%28s log %q\n", "", bp.Spec.Log)
		}
		for _, l := range bp.Locations[min(1, len(bp.Locations)):] {
			fmt.Fprintf(&b, "%28s %#x %s\n", "", l.Addr, describePos(l.Addr, l.Function, l.File, l.Line))
		}
	}
	watchRows(&b, ws)
	for _, ci := range cs {
		on := "y"
		if ci.Disabled {
			on = "n"
		}
		what := "the program's " + ci.Kind + "s"
		if ci.Kind == "syscall" {
			what = "system calls " + syscallList(ci.Syscalls)
		}
		fmt.Fprintf(&b, "%-4d %-10s %-4s %6d  %-18s %s\n", ci.ID, "catch "+ci.Kind, on, ci.Hits, "", what)
	}
	t.con.printf("%s", b.String())
	return nil
}
