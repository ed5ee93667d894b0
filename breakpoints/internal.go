package breakpoints

import (
	"slices"

	"github.com/ubpdbg/ubpdbg/target"
)

// InternalKind is what an internal breakpoint is for; the session decides
// a hit of each kind differently.
type InternalKind int

const (
	// StepStmt: a statement of the stepping frame (next, step, step out
	// of an inlined call); it stops in that frame only.
	StepStmt InternalKind = iota + 1
	// StepReturn: the return address of the stepping frame, for next and
	// step: back in the caller, the step goes on to a statement there.
	StepReturn
	// StepOut: the return address, for step out: it stops there.
	StepOut
	// StepEntry: after the prologue of a function a step went into.
	StepEntry
	// StepSignalReturn: where a signal handler that ran during a step
	// returns to; the step goes on from there.
	StepSignalReturn
	// Libraries: the dynamic linker's notification that the list of
	// libraries changed, for any thread.
	Libraries
	// GoPanic: the entry of the Go runtime's fatalpanic, reached by a
	// panic that no deferred call recovered; it stops any thread.
	GoPanic
	// GoFatal: the entry of the Go runtime's fatalthrow, where every
	// fatal error goes; it stops any thread.
	GoFatal
	// WatchScope: the return address of the frame a watchpoint's
	// variable lives in (a local): the watchpoint ends when the frame
	// returns there, as gdb's do. Steps do not own it.
	WatchScope
	// GoPause: where a parked goroutine (G) resumes; the thread that runs
	// it next stops there, as its pause. Steps do not own it.
	GoPause
)

var internalKindNames = [...]string{StepStmt: "step", StepReturn: "step-return", StepOut: "step-out",
	StepEntry: "step-entry", StepSignalReturn: "step-signal-return", Libraries: "libraries",
	GoPanic: "go-panic", GoFatal: "go-fatal", WatchScope: "watch-scope", GoPause: "go-pause"}

// String is the kind's name in logs.
func (k InternalKind) String() string {
	if k > 0 && int(k) < len(internalKindNames) {
		return internalKindNames[k]
	}
	return "internal"
}

// Internal is a breakpoint of the debugger's own (a step's destination,
// the dynamic linker's notification): it stops only the thread it is for
// (Tid 0: any thread), and only when the frame check passes.
type Internal struct {
	Tid  int
	G    uint64 // for Go code: the goroutine (g pointer) it is for, with Tid 0
	Kind InternalKind
	// MinSP, if non-zero, is the least stack pointer a hit must have: a
	// return address breakpoint must not stop a deeper recursive call.
	MinSP uint64
	// CFA, if non-zero, is the frame a hit must be in (a statement of the
	// stepping frame, not of a recursive call).
	CFA uint64
}

// AddInternal places an internal breakpoint.
func (s *Sites) AddInternal(c *target.Ctl, addr uint64, ib *Internal) error {
	st, err := s.get(c, addr)
	if err != nil {
		return err
	}
	if st.internal == nil {
		st.internal = new([]*Internal)
	}
	*st.internal = append(*st.internal, ib)
	s.withInternal[addr] = st
	return nil
}

// RemoveInternal removes every internal breakpoint for which drop returns
// true.
func (s *Sites) RemoveInternal(c *target.Ctl, drop func(*Internal) bool) {
	addrs := make([]uint64, 0, len(s.withInternal))
	for a := range s.withInternal {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	for _, a := range addrs {
		st := s.withInternal[a]
		kept := (*st.internal)[:0]
		for _, ib := range *st.internal {
			if !drop(ib) {
				kept = append(kept, ib)
			}
		}
		if len(kept) == 0 {
			st.internal = nil
			delete(s.withInternal, a)
		} else {
			*st.internal = kept
		}
		_ = s.release(c, st)
	}
}

// Internals returns the internal breakpoints at a site.
func (st *Site) Internals() []*Internal {
	if st.internal == nil {
		return nil
	}
	return *st.internal
}
