package debugger

import "github.com/ubpdbg/ubpdbg/target"

// EventKind says what an Event reports.
type EventKind int

const (
	// Stopped: thread Tid stopped (Reason says why). AllStopped tells
	// whether every other thread stopped too (all-stop mode, pause all).
	Stopped EventKind = iota + 1
	// Continued: thread Tid (or every thread, if All) runs again.
	Continued
	// ThreadStarted and ThreadExited: a thread came or went.
	ThreadStarted
	ThreadExited
	// Output: text for the user: a logpoint's message (Category "console"),
	// or a note from the debugger ("important").
	Output
	// BreakpointChanged: a breakpoint was verified or moved (library load).
	BreakpointChanged
	// ModulesChanged: shared libraries were loaded or unloaded.
	ModulesChanged
	// Forked: thread Tid forked process Child. Children are not followed:
	// the child runs on without our breakpoints, its hits unseen.
	Forked
	// Exited: the process ended (Status). Nothing follows.
	Exited
	// Detached: we let the process go. Nothing follows.
	Detached
)

// Reasons for Stopped, as DAP names them.
const (
	ReasonBreakpoint = "breakpoint"
	ReasonStep       = "step"
	ReasonPause      = "pause"
	ReasonEntry      = "entry"
	ReasonException  = "exception"
	ReasonSignal     = "signal"
)

// Event is one thing front ends must hear about, in the order it happened.
type Event struct {
	Kind          EventKind
	Tid           int
	Reason        string
	Description   string // human text: "Breakpoint 1", "signal SIGSEGV", ...
	BreakpointIDs []int
	AllStopped    bool
	All           bool   // Continued: every thread; Stopped: a pause of every thread, about no thread in particular
	Signal        int    // the signal of a signal/exception stop
	Category      string // Output
	Text          string // Output; Stopped: more to say (a condition that could not be evaluated)
	LogMessage    bool   // Output: a logpoint's message, dropped if the front end falls behind
	BreakpointID  int    // BreakpointChanged
	Child         int    // Forked: the child's process ID
	Status        target.ExitStatus
}
