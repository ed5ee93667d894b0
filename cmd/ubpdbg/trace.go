package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
	"golang.org/x/sys/unix"
)

func init() {
	register("trace", "count or log hits of locations without stopping anything", runTrace)
}

const traceUsage = `usage: ubpdbg trace [options] LOCSPEC... -- PROG [ARGS...]
       ubpdbg trace [options] -p PID LOCSPEC...

Counts every hit of each location (FUNC, FILE:LINE, *ADDR) while the
program runs at full speed: the breakpoints stay inserted and each hit costs
one trap, without stopping any other thread. The program's own output
passes through untouched; ubpdbg's goes to stderr (or --output FILE).
With -p, tracing ends when the process exits or when ubpdbg gets SIGINT,
SIGTERM or SIGHUP; the process is then detached and runs on.

options:
`

// traceLocation is one traced address and its breakpoint.
type traceLocation struct {
	Location string `json:"location"`
	Address  string `json:"address"`
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Hits     uint64 `json:"hits"`
	bpID     int
}

type traceReport struct {
	Locations []traceLocation `json:"locations"`
	Pid       int             `json:"pid"`
	Exit      *traceExit      `json:"exit,omitempty"`
	Detached  bool            `json:"detached,omitempty"`
}

type traceExit struct {
	Code   int    `json:"code"`
	Signal string `json:"signal,omitempty"`
}

func runTrace(args []string) int {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, traceUsage)
		fs.PrintDefaults()
	}
	pid := fs.Int("p", 0, "attach to the running process `PID` instead of starting one")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	output := fs.String("output", "", "write ubpdbg's output (log lines and the report) to `FILE`")
	var logFormat optionalString
	fs.Var(&logFormat, "log", "print a line for every hit; `FORMAT` is a log message with {expr} ({$tid}, {$pc}, {$hits} work everywhere)")
	stopMode := fs.String("stop-mode", "thread", "unused by trace (nothing stops); accepted for symmetry")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if _, err := debugger.ParseStopMode(*stopMode); err != nil {
		fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
		return 2
	}
	rest := fs.Args()
	var specs, prog []string
	if i := indexOf(rest, "--"); i >= 0 {
		specs, prog = rest[:i], rest[i+1:]
	} else {
		specs = rest
	}
	switch {
	case len(specs) == 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: no locations to trace")
		fs.Usage()
		return 2
	case *pid == 0 && len(prog) == 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: give a program after -- or a process with -p PID")
		return 2
	case *pid != 0 && len(prog) > 0:
		fmt.Fprintln(os.Stderr, "ubpdbg trace: -p and a program after -- exclude each other")
		return 2
	}
	out := io.Writer(os.Stderr)
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ubpdbg trace:", err)
			return 1
		}
		defer f.Close()
		out = f
	}

	// Caught before attaching: a signal that came while we attach or place
	// the traces would otherwise end us with int3s in the process. It
	// waits in the channel until the loop below takes it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	cfg := debugger.Config{StopMode: debugger.StopThread, Evaluator: newEvaluator()}
	var s *debugger.Session
	var err error
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

	locs, err := placeTraces(s, specs, logFormat)
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
	report := traceReport{Pid: s.Pid()}
	status := 0
	events := s.Events()
loop:
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				break loop
			}
			switch ev.Kind {
			case debugger.Output:
				fmt.Fprint(out, ev.Text)
			case debugger.Stopped:
				// Only a fault stops a thread in a trace: say so and let
				// the program have its signal.
				fmt.Fprintf(out, "ubpdbg: thread %d: %s\n", ev.Tid, ev.Description)
				s.Continue(ev.Tid, true)
			case debugger.Exited:
				report.Exit = &traceExit{Code: ev.Status.Code}
				if ev.Status.Signal != 0 {
					report.Exit.Signal = unix.SignalName(syscall.Signal(ev.Status.Signal))
					status = 128 + ev.Status.Signal
				} else {
					status = ev.Status.Code
				}
			case debugger.Detached:
				report.Detached = true
			}
		case sig := <-sigs:
			fmt.Fprintf(os.Stderr, "ubpdbg trace: %v: ", sig)
			if *pid != 0 {
				fmt.Fprintln(os.Stderr, "detaching")
				if err := s.Detach(); err != nil {
					fmt.Fprintln(os.Stderr, "ubpdbg trace: detach:", err)
				}
			} else {
				fmt.Fprintln(os.Stderr, "killing the program")
				s.Kill()
			}
			signal.Stop(sigs)
		}
	}
	if *pid == 0 {
		s.Wait()
	}
	for i := range locs {
		if info, ok := s.Breakpoint(locs[i].bpID); ok {
			locs[i].Hits = info.Hits
		}
	}
	report.Locations = locs
	if *jsonOut {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.Encode(report)
	} else {
		printTraceTable(out, report)
	}
	return status
}

// placeTraces resolves each spec and puts one counting breakpoint on every
// address, so that the report can say which copy (inlined, instantiated)
// was hit how often.
func placeTraces(s *debugger.Session, specs []string, logFormat optionalString) ([]traceLocation, error) {
	var locs []traceLocation
	for _, spec := range specs {
		resolved, err := s.Symbols().Resolve(spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec, err)
		}
		for _, r := range resolved {
			bs := breakpoints.Spec{Location: fmt.Sprintf("*%#x", r.PC), Trace: true}
			if logFormat.set {
				bs.Log = logFormat.value
				if bs.Log == "" {
					bs.Log = strings.NewReplacer("{", "{{", "}", "}}").Replace(spec) + " thread {$tid}"
				}
			}
			info, err := s.SetBreakpoint(bs)
			if err != nil {
				return nil, fmt.Errorf("%s at %#x: %w", spec, r.PC, err)
			}
			if !info.Verified {
				return nil, fmt.Errorf("%s at %#x: %s", spec, r.PC, info.Message)
			}
			locs = append(locs, traceLocation{Location: spec, Address: fmt.Sprintf("%#x", r.PC),
				Function: r.Function, File: r.File, Line: r.Line, bpID: info.ID})
		}
	}
	return locs, nil
}

func printTraceTable(w io.Writer, r traceReport) {
	fmt.Fprintf(w, "%12s  %-18s  %s\n", "HITS", "ADDRESS", "LOCATION")
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

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// optionalString is a flag that may be given bare (--log) or with a value
// (--log=FORMAT).
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
