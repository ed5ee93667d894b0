// Package trace counts and logs the hits of locations while a program runs
// at full speed, nothing stopped: the breakpoints stay inserted and each
// hit costs one trap. It is the engine side of `ubpdbg trace`: placing the
// counting breakpoints, following the session's events to the end, and the
// report with its exit status. Printing the report is the front end's.
package trace

import (
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

// Location is one row of the report: a traced spec at one address it had
// while the program ran, with its hits there.
type Location struct {
	Location string `json:"location"`
	Address  string `json:"address"` // "pending": the spec never matched
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Hits     uint64 `json:"hits"`
	bpID     int
}

// Report is what a trace found.
type Report struct {
	Locations []Location `json:"locations"`
	Pid       int        `json:"pid"`
	Exit      *Exit      `json:"exit,omitempty"`
	Detached  bool       `json:"detached,omitempty"`
	// UntracedChildren are the processes the program forked: they ran
	// without our breakpoints, so their hits are not in the counts.
	UntracedChildren []int `json:"untraced_children,omitempty"`
	// Watches are the --watch expressions, with how often they changed.
	Watches []Watched `json:"watches,omitempty"`
	// DroppedLines are log lines lost because our output was not read as
	// fast as the program hit its breakpoints (the counts stay exact).
	DroppedLines int `json:"dropped_lines,omitempty"`
}

// Watched is one watched expression of the report.
type Watched struct {
	Expr    string `json:"expr"`
	Address string `json:"address"` // "gone": deleted when the program exec'd
	Size    int    `json:"size,omitempty"`
	Changes int    `json:"changes"`
	Value   string `json:"value,omitempty"` // the last value seen
	id      int
}

// Exit is how the traced program ended.
type Exit struct {
	Code   int    `json:"code"`
	Signal string `json:"signal,omitempty"`
}

// Output receives what a trace has to say while it runs.
type Output interface {
	// Hit is one logged hit (a logpoint message) by thread tid.
	Hit(tid int, text string)
	// Note is something ubpdbg says about the trace.
	Note(text string)
}

// Place puts one counting breakpoint on each spec; with log set, each hit
// also prints logFormat (a log message with {expr}; "" gives the spec
// and the thread). The breakpoints follow the program as every breakpoint
// does (libraries loaded and unloaded, exec), and count per address, so
// that the report can say which copy (inlined, instantiated, in which
// library) was hit how often. A spec not found yet is pending, and out is
// told so.
// With force, *ADDR specs that no symbols cover are placed unchecked
// (breakpoints.Spec.Force), with a note.
func Place(s *debugger.Session, specs []string, log bool, logFormat string, force bool, out Output) ([]Location, error) {
	var locs []Location
	for _, spec := range specs {
		bs := breakpoints.Spec{Location: spec, Trace: true, Force: force}
		if log {
			bs.Log = logFormat
			if bs.Log == "" {
				bs.Log = strings.NewReplacer("{", "{{", "}", "}}").Replace(spec) + " thread {$tid}"
			}
		}
		info, err := s.SetBreakpoint(bs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec, err)
		}
		if !info.Verified && !info.Pending {
			return nil, fmt.Errorf("%s: %s", spec, info.Message)
		}
		if info.Pending || info.Message != "" {
			out.Note(fmt.Sprintf("%s: %s", spec, info.Message)) // pending, or the warning of a forced *ADDR
		}
		locs = append(locs, Location{Location: spec, bpID: info.ID})
	}
	return locs, nil
}

// Watch puts a logging write watchpoint on each expression: every write
// that changes its value is a line (old -> new, the thread and where it
// was), and nothing stops. There is no frame to evaluate in, so only
// globals (and what they point to) can be watched. A watchpoint ends at
// an exec, with a note.
func Watch(s *debugger.Session, exprs []string) ([]Watched, error) {
	var ws []Watched
	for _, x := range exprs {
		info, err := s.Watch(debugger.WatchSpec{Expr: x, Kind: debugger.WatchWrite, Log: true})
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", x, err)
		}
		ws = append(ws, Watched{Expr: x, Address: fmt.Sprintf("%#x", info.Addr), Size: info.Size, Value: info.Value, id: info.ID})
	}
	return ws, nil
}

// Run follows the session's events until the program ends or is detached
// from, and returns the report and the exit status for ubpdbg: the
// program's (ExitCode), or at least 1 if a spec never matched anything.
// A signal on sigs ends the trace early: an attached process (attached
// true) is detached and runs on, a launched one is killed; what is done is
// said on stderr.
func Run(s *debugger.Session, attached bool, locs []Location, watches []Watched, out Output, sigs chan os.Signal, stderr io.Writer) (Report, int) {
	report := Report{Pid: s.Pid()}
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
				if ev.Category == "console" {
					out.Hit(ev.Tid, ev.Text)
				} else {
					out.Note(ev.Text)
				}
			case debugger.Stopped:
				// Only a fault stops a thread in a trace: say so and let
				// the program have its signal.
				out.Note(fmt.Sprintf("thread %d: %s", ev.Tid, ev.Description))
				s.Continue(ev.Tid, true)
			case debugger.Forked:
				report.UntracedChildren = append(report.UntracedChildren, ev.Child)
			case debugger.Exited:
				report.Exit = &Exit{Code: ev.Status.Code}
				if ev.Status.Signal != 0 {
					report.Exit.Signal = unix.SignalName(syscall.Signal(ev.Status.Signal))
				}
				status = ev.Status.ShellCode()
			case debugger.Detached:
				report.Detached = true
			}
		case sig := <-sigs:
			fmt.Fprintf(stderr, "ubpdbg trace: %v: ", sig)
			if attached {
				fmt.Fprintln(stderr, "detaching")
				if err := s.Detach(); err != nil {
					fmt.Fprintln(stderr, "ubpdbg trace: detach:", err)
				}
			} else {
				fmt.Fprintln(stderr, "killing the program")
				s.Kill()
			}
			signal.Stop(sigs)
		}
	}
	if !attached {
		s.Wait()
	}
	report.Locations = reportRows(s, locs)
	report.Watches = watchRows(s, watches)
	report.DroppedLines = s.DroppedLogMessages()
	if kids := report.UntracedChildren; len(kids) == 1 {
		out.Note(fmt.Sprintf("the program forked process %d, which ran untraced: trace does not follow forks, so its hits are not counted", kids[0]))
	} else if len(kids) > 1 {
		out.Note(fmt.Sprintf("the program forked %d processes (%s), which ran untraced: trace does not follow forks, so their hits are not counted",
			len(kids), joinInts(kids)))
	}
	if err := neverFound(report.Locations); err != nil {
		out.Note(err.Error())
		status = max(status, 1)
	}
	return report, status
}
