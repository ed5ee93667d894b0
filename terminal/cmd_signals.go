package terminal

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Signals as gdb's `handle`, `info signals` and `catch signal` treat
// them, over the engine's signal table (debugger/signals.go).

func init() {
	register(
		&command{name: "handle", group: "running", usage: "SIGNAL... [stop|nostop|fatal|print|noprint|pass|nopass]...",
			summary: "what a signal does: stop the thread, say so, give it to the program",
			help: "SIGNAL is a name (SIGUSR1, USR1), a number, SIGRTMIN+N, or all.\n" +
				"stop: stop the thread it reaches; nostop: let it through; fatal: stop only when it would\n" +
				"kill the program (the default of the crash signals, which also stop on any fault of the\n" +
				"CPU in C code); print: say so when it arrives without stopping; pass/nopass: give it to\n" +
				"the program when the thread goes on, or drop it. Without keywords: show the signals' rows.",
			run: cmdHandle},
		&command{name: "signals", group: "running", summary: "the signal table: what each signal does (gdb's info signals)",
			run: cmdSignals},
		&command{name: "catch", group: "breakpoints", usage: "signal [SIGNAL...|all] | throw | catch | rethrow | fork | vfork | exec | syscall [NAME...] | panic [off] | fatal [off]",
			summary: "stop when a signal arrives, a C++ exception is thrown or caught, the program forks or execs, or a Go program panics (gdb's catch)",
			help: "catch signal without a name stops on every signal but those the debugger needs;\n" +
				"`handle SIGNAL nostop` undoes it. catch throw and catch catch are catchpoints at libstdc++'s\n" +
				"__cxa_throw and __cxa_begin_catch: listed by breakpoints, deleted by delete; the stop names\n" +
				"the C++ type (and a number's or C string's value). In a Go program an unrecovered panic\n" +
				"(catch panic) and a fatal error of the runtime (catch fatal) stop the thread before the\n" +
				"program dies, with the panic's value; both are on from the start, `off` turns one off.\n" +
				"catch rethrow stops at __cxa_rethrow (a `throw;`). catch fork and catch vfork stop the\n" +
				"thread that forked as the call returns (the child runs on, untraced); catch exec stops the\n" +
				"thread that exec'd at the new program's first instruction. catch syscall [NAME|NUMBER...]\n" +
				"stops a thread entering and leaving those system calls (all without names); while it is\n" +
				"enabled every system call of every thread costs two stops.",
			run: cmdCatch},
	)
}

// parseSignals reads a list of signals, or all of them.
func parseSignals(words []string) ([]unix.Signal, error) {
	var sigs []unix.Signal
	for _, w := range words {
		if strings.EqualFold(w, "all") {
			for sig := unix.Signal(1); sig < 32; sig++ {
				switch sig {
				case unix.SIGKILL, unix.SIGSTOP, unix.SIGTRAP:
				default:
					sigs = append(sigs, sig)
				}
			}
			continue
		}
		sig, err := debugger.ParseSignal(w)
		if err != nil {
			return nil, badArgs("%v", err)
		}
		sigs = append(sigs, sig)
	}
	return sigs, nil
}

func cmdHandle(t *Term, args string) error {
	var names, actions []string
	for _, w := range strings.Fields(args) {
		switch strings.ToLower(w) {
		case "stop", "nostop", "fatal", "print", "noprint", "pass", "nopass", "ignore", "noignore":
			actions = append(actions, strings.ToLower(w))
		default:
			if len(actions) > 0 {
				return badArgs("signals come before the keywords: %q", w)
			}
			names = append(names, w)
		}
	}
	if len(names) == 0 {
		return badArgs("which signal?")
	}
	sigs, err := parseSignals(names)
	if err != nil {
		return err
	}
	for _, sig := range sigs {
		h := t.handling(sig)
		for _, a := range actions {
			// As in gdb, stop implies print and noprint implies nostop.
			switch a {
			case "stop":
				h.Stop, h.Print = debugger.StopAlways, true
			case "fatal":
				h.Stop = debugger.StopFatal
			case "nostop":
				h.Stop = debugger.StopNever
			case "print":
				h.Print = true
			case "noprint":
				h.Print, h.Stop = false, debugger.StopNever
			case "pass", "noignore":
				h.Pass = true
			case "nopass", "ignore":
				h.Pass = false
			}
		}
		if len(actions) > 0 {
			if err := t.s.HandleSignal(sig, h); err != nil {
				return err
			}
		}
	}
	t.con.printf("%s", signalRows(t, sigs))
	return nil
}

// handling is the current row of sig.
func (t *Term) handling(sig unix.Signal) debugger.SignalHandling {
	for _, row := range t.s.SignalTable() {
		if row.Signal == sig {
			return row.Handling
		}
	}
	return debugger.DefaultSignalHandling(sig)
}

func cmdSignals(t *Term, args string) error {
	if strings.TrimSpace(args) != "" {
		return badArgs("signals takes no arguments")
	}
	var sigs []unix.Signal
	for _, row := range t.s.SignalTable() {
		sigs = append(sigs, row.Signal)
	}
	t.con.printf("%s", signalRows(t, sigs))
	return nil
}

// signalRows is the table of the given signals, gdb's columns.
func signalRows(t *Term, sigs []unix.Signal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-6s %-6s %-6s %s\n", "Signal", "Stop", "Print", "Pass", "Description")
	yes := map[bool]string{true: "Yes", false: "No"}
	for _, sig := range sigs {
		h := t.handling(sig)
		stop := map[debugger.StopWhen]string{debugger.StopNever: "No", debugger.StopFatal: "Fatal", debugger.StopAlways: "Yes"}[h.Stop]
		meaning := ""
		for _, row := range t.s.SignalTable() {
			if row.Signal == sig {
				meaning = row.Meaning
			}
		}
		if sig == unix.SIGTRAP {
			stop, meaning = "-", meaning+" (the debugger's; see help)"
		}
		fmt.Fprintf(&b, "%-12s %-6s %-6s %-6s %s\n", debugger.SignalName(sig), stop, yes[h.Print], yes[h.Pass], meaning)
	}
	return b.String()
}

func cmdCatch(t *Term, args string) error {
	words := strings.Fields(args)
	if len(words) == 0 {
		return badArgs("catch what? (signal, throw, catch, fork, vfork, exec, panic, fatal)")
	}
	switch words[0] {
	case "signal":
		names := words[1:]
		if len(names) == 0 {
			names = []string{"all"}
		}
		sigs, err := parseSignals(names)
		if err != nil {
			return err
		}
		for _, sig := range sigs {
			h := t.handling(sig)
			h.Stop, h.Print = debugger.StopAlways, true
			if err := t.s.HandleSignal(sig, h); err != nil {
				return err
			}
		}
		t.con.printf("Catching %s\n", signalList(sigs))
		return nil
	case "throw", "catch", "rethrow":
		if len(words) > 1 {
			return badArgs("catch %s takes no arguments (no type filter yet)", words[0])
		}
		bp, err := t.s.CatchCxx(words[0])
		if err != nil {
			return err
		}
		state := ""
		if !bp.Verified {
			state = " (pending: libstdc++ is not loaded yet)"
		}
		t.con.printf("Catchpoint %d (%s)%s\n", bp.ID, words[0], state)
		return nil
	case "panic", "fatal":
		on := true
		switch {
		case len(words) == 2 && words[1] == "off":
			on = false
		case len(words) > 1:
			return badArgs("catch %s takes nothing or off", words[0])
		}
		if err := t.s.SetStopOnGoFailure(words[0], on); err != nil {
			return err
		}
		what := map[string]string{"panic": "An unrecovered Go panic", "fatal": "A fatal error of the Go runtime"}[words[0]]
		if on {
			t.con.printf("%s stops the thread it happens on\n", what)
		} else {
			t.con.printf("%s no longer stops\n", what)
		}
		return nil
	case "fork", "vfork", "exec", "syscall":
		ci, err := t.s.CatchEvent(words[0], words[1:]...)
		if err != nil {
			return err
		}
		what := words[0]
		if what == "syscall" {
			what = "syscalls " + syscallList(ci.Syscalls)
		}
		t.con.printf("Catchpoint %d (%s)\n", ci.ID, what)
		return nil
	case "load", "unload":
		return fmt.Errorf("catch %s is not supported yet; catch signal, throw, catch, rethrow, fork, vfork, exec, syscall, panic and fatal are", words[0])
	}
	return badArgs("unknown catchpoint %q", words[0])
}

// syscallList names the calls a syscall catchpoint catches, as gdb does:
// "'write' [1] 'read' [0]", or "all".
func syscallList(nrs []int) string {
	if len(nrs) == 0 {
		return "all"
	}
	var parts []string
	for _, n := range nrs {
		parts = append(parts, fmt.Sprintf("'%s' [%d]", debugger.SyscallName(n), n))
	}
	return strings.Join(parts, " ")
}

func signalList(sigs []unix.Signal) string {
	if len(sigs) > 4 {
		return fmt.Sprintf("%d signals (signals lists them)", len(sigs))
	}
	var names []string
	for _, sig := range sigs {
		names = append(names, debugger.SignalName(sig))
	}
	return "signal " + strings.Join(names, ", ")
}
