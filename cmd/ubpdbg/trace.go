package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/trace"
)

func init() {
	register("trace", "count or log hits of locations without stopping anything", runTrace)
}

const traceUsage = `usage: ubpdbg trace [options] LOCSPEC... -- PROG [ARGS...]
       ubpdbg trace [options] -p PID LOCSPEC...
       ubpdbg trace [options] --watch EXPR [LOCSPEC...] -- PROG [ARGS...]

Counts every hit of each location (FUNC, FILE:LINE, *ADDR) while the
program runs at full speed: the breakpoints stay inserted and each hit costs
one trap, without stopping any other thread. The program's own output
passes through untouched; ubpdbg's goes to stderr (or --output FILE).
With -p, tracing ends when the process exits or when ubpdbg gets SIGINT,
SIGTERM or SIGHUP; the process is then detached and runs on. Fork children
are not followed: their hits are not counted, and the end says which ran.
--watch logs every write that changes a global (old -> new, the thread and
where it was) on a hardware watchpoint: nothing stops, up to four 8-byte
words in all.

options:
`

func runTrace(args []string) int {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, traceUsage)
		fs.PrintDefaults()
	}
	pid := fs.Int("p", 0, "attach to the running process `PID` instead of starting one")
	jsonOut := fs.Bool("json", false, "print as JSON Lines: an object per logged hit and per note, the report last")
	output := fs.String("output", "", "write ubpdbg's output (log lines and the report) to `FILE`")
	var printFormat optionalString
	fs.Var(&printFormat, "print", "print a line for every hit; `FORMAT` is a log message with {expr} ({$tid}, {$pc}: the breakpoint's address, {$hits} work everywhere)")
	var logs logFlags
	logs.define(fs, "debugger (the engine's decisions; the only one here)")
	var watches stringList
	fs.Var(&watches, "watch", "log every change of the global `EXPR` (a hardware watchpoint; repeatable)")
	force := fs.Bool("force", false, "place *ADDR locations that no symbols cover, unchecked (an address inside an instruction is refused even so)")
	progArgs, err := parseTraceArgs(fs, args)
	if err != nil {
		return 2
	}
	if err := logs.only("debugger"); err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		return 2
	}
	specs, prog := fs.Args(), progArgs
	switch {
	case len(specs) == 0 && len(watches) == 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: no location to trace: give one or more LOCSPECs (FUNC, FILE:LINE, *ADDR), or --watch EXPR, before --")
		fs.Usage()
		return 2
	case *pid == 0 && len(prog) == 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: give a program after -- or a process with -p PID")
		return 2
	case *pid != 0 && len(prog) > 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: -p and a program after -- exclude each other")
		return 2
	}
	out := &traceOutput{w: os.Stderr, json: *jsonOut}
	if *output != "" {
		f, err := createPrivate(*output)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
			return 1
		}
		defer f.Close()
		out.w = f
	}

	// Caught before attaching: a signal that came while we attach or place
	// the traces would otherwise end us with int3s in the process. It
	// waits in the channel until trace.Run takes it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	cfg := debugger.Config{StopMode: debugger.StopThread}
	if cfg.Log, err = logs.writer(); err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		return 1
	}
	var s *debugger.Session
	if *pid != 0 {
		s, err = debugger.Attach(*pid, cfg)
	} else {
		s, err = debugger.Launch(debugger.LaunchConfig{Config: cfg, Program: prog[0], Args: prog[1:],
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		return 1
	}
	// From here on, whatever happens to us, the process must not be left
	// with our int3s in it.
	defer func() {
		if v := recover(); v != nil {
			s.Close()
			panic(v)
		}
	}()

	locs, err := trace.Place(s, specs, printFormat.set, printFormat.value, *force, out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		s.Close()
		return 1
	}
	watched, err := trace.Watch(s, watches)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		s.Close()
		return 1
	}
	if err := s.ContinueAll(); err != nil && *pid == 0 {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		s.Close()
		return 1
	}
	report, status := trace.Run(s, *pid != 0, locs, watched, out, sigs, os.Stderr)
	out.report(report)
	return status
}

// parseTraceArgs parses trace's options and returns the program and its
// arguments (after "--"); the locations are left in fs.Args(). Options may
// come before or between the locations, never after "--", which belongs
// to the program (the flag package alone would take a leading "--" as the
// end of the options and the program for a location).
func parseTraceArgs(fs *flag.FlagSet, args []string) (prog []string, err error) {
	if i := slices.Index(args, "--"); i >= 0 {
		args, prog = args[:i], args[i+1:]
	}
	for _, a := range args {
		if v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), "log="); ok && a[0] == '-' && !isBoolWord(v) {
			// trace's --log=FORMAT became --print=FORMAT when --log took
			// the one meaning it has in every subcommand.
			fmt.Fprintf(os.Stderr, "ubpdbg trace: --log turns on the engine's log; for a line per hit say --print=%s\n", v)
			return nil, errors.New("--log with a format")
		}
	}
	var specs []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		specs = append(specs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	// Leave the locations as the flag set's arguments.
	fs.Parse(append([]string{"--"}, specs...))
	return prog, nil
}

// traceOutput is where ubpdbg's side of a trace goes: log lines, notes and
// the final report, as text or, with --json, as JSON Lines: one object per
// line, {"thread":T,"log":M} for each logged hit, {"note":TEXT} for what
// ubpdbg has to say, and the report last.
type traceOutput struct {
	w    io.Writer
	json bool
}

// Hit prints one logpoint message.
func (o *traceOutput) Hit(tid int, text string) {
	text = strings.TrimSuffix(text, "\n")
	if o.json {
		o.object(struct {
			Thread int    `json:"thread"`
			Log    string `json:"log"`
		}{tid, text})
		return
	}
	fmt.Fprintln(o.w, text)
}

// Note prints something ubpdbg says about the trace.
func (o *traceOutput) Note(text string) {
	// The engine's own notes say "ubpdbg: "; ours say "ubpdbg trace: ".
	text = strings.TrimPrefix(strings.TrimSuffix(text, "\n"), "ubpdbg: ")
	if o.json {
		o.object(struct {
			Note string `json:"note"`
		}{text})
		return
	}
	fmt.Fprintln(o.w, "ubpdbg trace: "+text)
}

func (o *traceOutput) report(r trace.Report) {
	if o.json {
		o.object(r)
		return
	}
	printTraceTable(o.w, r)
}

// object writes one JSON object on one line.
func (o *traceOutput) object(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own plain structs always marshal
	}
	o.w.Write(append(b, '\n'))
}

func printTraceTable(w io.Writer, r trace.Report) {
	if len(r.Locations) > 0 {
		fmt.Fprintf(w, "%12s  %-18s  %s\n", "HITS", "ADDRESS", "LOCATION")
	}
	for _, l := range r.Locations {
		where := l.Location
		if l.Function != "" && l.Function != l.Location {
			where += "  in " + l.Function
		}
		if l.File != "" {
			where += fmt.Sprintf("  at %s:%d", shortPath(l.File), l.Line)
		}
		fmt.Fprintf(w, "%12d  %-18s  %s\n", l.Hits, l.Address, where)
	}
	if len(r.Watches) > 0 {
		fmt.Fprintf(w, "%12s  %-18s  %s\n", "CHANGES", "ADDRESS", "WATCHED")
	}
	for _, x := range r.Watches {
		fmt.Fprintf(w, "%12d  %-18s  %s = %s\n", x.Changes, x.Address, x.Expr, x.Value)
	}
	switch {
	case r.Exit != nil && r.Exit.Signal != "":
		fmt.Fprintf(w, "process %d killed by %s\n", r.Pid, r.Exit.Signal)
	case r.Exit != nil:
		fmt.Fprintf(w, "process %d exited with status %d\n", r.Pid, r.Exit.Code)
	case r.Detached:
		fmt.Fprintf(w, "process %d detached; it runs on\n", r.Pid)
	}
}

func shortPath(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// isBoolWord tells whether v is a value the flag package takes for a
// boolean flag.
func isBoolWord(v string) bool {
	_, err := strconv.ParseBool(v)
	return err == nil
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// optionalString is a flag that may be given bare (--print) or with a
// value (--print=FORMAT).
type optionalString struct {
	set   bool
	value string
}

func (o *optionalString) String() string { return o.value }
func (o *optionalString) Set(v string) error {
	o.set = true
	if v == "true" {
		v = ""
	}
	o.value = v
	return nil
}
func (o *optionalString) IsBoolFlag() bool { return true }
