package breakpoints

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"unique"

	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/target"
)

// Spec is what a user asks for.
type Spec struct {
	Location  string // a location spec: FUNC, FILE:LINE, *ADDR
	Cond      string // stop only if this expression is true
	HitCond   string // DAP hit condition: N, == N, >= N, > N, < N, <= N, % N
	Log       string // a logpoint: print this (with {expr}) instead of stopping
	Temporary bool   // delete after the first stop
	Disabled  bool
	Trace     bool // count hits (and print Log, if any) but never stop
	Thread    int  // only this thread (tid) hits it; 0: every thread
	// Force places an *ADDR breakpoint that cannot be checked to start an
	// instruction (no symbols cover it). An address shown to be inside an
	// instruction, or outside executable memory, is refused even so.
	Force bool
	// Catch makes it a C++ catchpoint: "throw" or "catch", at the entry
	// of the runtime's __cxa_throw or __cxa_begin_catch (not past a
	// prologue: the exception is in the argument registers there). Its
	// stops are exceptions (debugger.CatchCxx).
	Catch string
}

// Location is one address a breakpoint resolved to.
type Location struct {
	Addr     uint64
	Function string
	File     string
	Line     int
	Hits     uint64 // hits at this address
}

// Breakpoint is a user breakpoint. Its state is changed on the ptrace
// thread only, through its methods and those of Sites, under mu; the
// ptrace thread reads it without the lock (it is the only writer), and
// every other goroutine reads it through Snapshot.
//
// A million of them must fit (a trace of every instruction or line), so a
// plain one is small: the spec apart from its location is interned
// (breakpoints made alike share it), and what only conditions, hit
// conditions, logpoints, messages and unloaded code need is in x,
// allocated when first needed.
type Breakpoint struct {
	mu        sync.Mutex // guards what follows
	id        int32
	verified  bool                // placed in the code
	pending   bool                // not found yet; placed when a library that has it loads
	location  string              // Spec.Location
	spec      unique.Handle[Spec] // the rest of the spec (Location empty)
	locations []Location
	hits      atomic.Uint64
	x         *extra // nil for a plain breakpoint
}

// extra is what a plain breakpoint has none of.
type extra struct {
	message string        // why it is not verified, or a note
	evals   atomic.Uint64 // times the condition was evaluated (every trap)
	hitCond *expr.HitCondition
	tmpl    *expr.Template

	// compiled is the evaluator's cache for the condition (CondCache).
	compiled any

	unloaded []Location // locations whose code was unmapped (see locations.go)
	// condFail counts the hits whose condition could not be evaluated,
	// for the condition text in condFor (a new condition starts afresh).
	condFail struct {
		condFor string
		n       uint64
		first   string
	}
}

// more returns bp.x, allocating it. Caller holds bp.mu (or is New).
func (bp *Breakpoint) more() *extra {
	if bp.x == nil {
		bp.x = &extra{}
	}
	return bp.x
}

// setMessage sets the message; caller holds bp.mu.
func (bp *Breakpoint) setMessage(msg string) {
	if msg != "" || bp.x != nil {
		bp.more().message = msg
	}
}

// opts is the spec without its location (ptrace thread, or under mu).
func (bp *Breakpoint) opts() Spec { return bp.spec.Value() }

// setOpts replaces the spec apart from its location; caller holds bp.mu.
func (bp *Breakpoint) setOpts(spec Spec) {
	spec.Location = ""
	bp.spec = unique.Make(spec)
}

// ID is the breakpoint's number.
func (bp *Breakpoint) ID() int { return int(bp.id) }

// Spec is what the user asked for (ptrace thread; elsewhere use Snapshot).
func (bp *Breakpoint) Spec() Spec {
	spec := bp.opts()
	spec.Location = bp.location
	return spec
}

// Locations are the addresses it is placed at (ptrace thread; elsewhere
// use Snapshot).
func (bp *Breakpoint) Locations() []Location { return bp.locations }

// CondCache is where the evaluator keeps what it compiled of the
// condition; SetCondition empties it. Ptrace thread only.
func (bp *Breakpoint) CondCache() *any {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	return &bp.more().compiled
}

// SetCondition replaces the condition (already checked: see New); the
// count of hits whose condition could not be evaluated starts afresh.
func (bp *Breakpoint) SetCondition(cond string) {
	bp.mu.Lock()
	spec := bp.opts()
	spec.Cond = cond
	bp.setOpts(spec)
	bp.more().compiled = nil
	bp.mu.Unlock()
}

// Hits is how many times the breakpoint's condition held.
func (bp *Breakpoint) Hits() uint64 { return bp.hits.Load() }

// Enabled reports whether it is enabled.
func (bp *Breakpoint) Enabled() bool { return !bp.opts().Disabled }

// Template is the parsed logpoint message, nil for a breakpoint that stops.
func (bp *Breakpoint) Template() *expr.Template {
	if bp.x == nil {
		return nil
	}
	return bp.x.tmpl
}

// Info is a copy of a breakpoint's state for front ends.
type Info struct {
	ID        int
	Spec      Spec
	Locations []Location
	Verified  bool
	Message   string
	Hits      uint64 // hits whose condition held (DAP's hit count)
	// Evaluations is how often the condition was evaluated: every time a
	// thread reached the breakpoint, whether it held or not.
	Evaluations uint64
	// CondErrors is how often the condition could not be evaluated, and
	// CondError the first such error (the one the thread stopped with).
	CondErrors uint64
	CondError  string
	// Unloaded are locations the breakpoint had in code that was unmapped
	// since (a dlclose'd library, the image before an exec), with their hits.
	Unloaded []Location
	// Pending: the location matched nothing yet; it is placed when a
	// library that has it is loaded.
	Pending bool
}

// Snapshot returns a copy safe to use from any goroutine.
func (bp *Breakpoint) Snapshot() Info {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	info := Info{ID: int(bp.id), Spec: bp.Spec(), Locations: append([]Location(nil), bp.locations...),
		Verified: bp.verified, Hits: bp.hits.Load(), Pending: bp.pending}
	if x := bp.x; x != nil {
		info.Message, info.Evaluations = x.message, x.evals.Load()
		info.Unloaded = append([]Location(nil), x.unloaded...)
		if x.condFail.condFor == info.Spec.Cond {
			info.CondErrors, info.CondError = x.condFail.n, x.condFail.first
		}
	}
	return info
}

// New checks a spec's hit condition and log template and returns an
// unplaced breakpoint.
func New(id int, spec Spec) (*Breakpoint, error) {
	bp := &Breakpoint{id: int32(id), location: spec.Location}
	bp.setOpts(spec)
	if spec.Catch != "" && spec.Catch != "throw" && spec.Catch != "catch" && spec.Catch != "rethrow" {
		return nil, fmt.Errorf("no catchpoint %q (throw, catch or rethrow)", spec.Catch)
	}
	if spec.HitCond != "" {
		hc, err := expr.ParseHitCondition(spec.HitCond)
		if err != nil {
			return nil, fmt.Errorf("hit condition %q: %w", spec.HitCond, err)
		}
		bp.more().hitCond = &hc
	}
	if spec.Log != "" {
		t, err := expr.ParseTemplate(spec.Log)
		if err != nil {
			return nil, fmt.Errorf("log message %q: %w", spec.Log, err)
		}
		bp.more().tmpl = t
	}
	if spec.Cond != "" {
		if _, err := expr.ParseStatement(spec.Cond); err != nil {
			return nil, fmt.Errorf("condition %q: %w", spec.Cond, err)
		}
		bp.more()
	}
	return bp, nil
}

// Place inserts the breakpoint's int3s at its locations. Locations that
// cannot take an int3 are dropped with a message; the breakpoint is
// verified if any was placed. The breakpoint keeps locs (what is left of
// it): the caller must not use it afterwards.
func (s *Sites) Place(c *target.Ctl, bp *Breakpoint, locs []Location) error {
	placed := locs[:0]
	var firstErr error
	for _, l := range locs {
		if err := s.attach(c, bp, l.Addr); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		placed = append(placed, l)
	}
	if len(placed) == 0 {
		placed = nil
	}
	bp.mu.Lock()
	bp.locations = placed
	bp.verified = len(placed) > 0
	bp.pending = false
	if firstErr != nil && len(placed) == 0 {
		bp.setMessage(firstErr.Error())
	} else {
		bp.setMessage("")
	}
	bp.mu.Unlock()
	if len(placed) == 0 && firstErr != nil {
		return firstErr
	}
	return nil
}

// attach makes bp a user of the site at addr, putting its int3 in if it
// is new; a disabled breakpoint keeps the location without a site.
func (s *Sites) attach(c *target.Ctl, bp *Breakpoint, addr uint64) error {
	if bp.opts().Disabled {
		return nil
	}
	st, err := s.get(c, addr)
	if err != nil {
		return err
	}
	st.users = append(st.users, bp)
	return nil
}

// Unplace takes the breakpoint out of its sites (the int3s go when no
// other breakpoint uses them).
func (s *Sites) Unplace(c *target.Ctl, bp *Breakpoint) {
	for _, l := range bp.locations {
		st := s.sites[l.Addr]
		if st == nil {
			continue
		}
		kept := st.users[:0]
		for _, u := range st.users {
			if u != bp {
				kept = append(kept, u)
			}
		}
		st.users = kept
		_ = s.release(c, st)
	}
}

// UnplaceAll takes many breakpoints out of their sites at once: the int3s
// that nothing uses any more are taken out with one read and one write
// per run of pages, as Batch and Flush put them in. An int3 that cannot
// be taken out stays in memory, as with Unplace: its site is remembered
// as removed, so a hit there resumes as if there were none.
func (s *Sites) UnplaceAll(c *target.Ctl, bps []*Breakpoint) error {
	var free []*Site
	for _, bp := range bps {
		for _, l := range bp.locations {
			st := s.sites[l.Addr]
			if st == nil {
				continue
			}
			st.users = without(st.users, bp)
			if len(st.users) == 0 && len(st.Internals()) == 0 {
				free = append(free, st)
			}
		}
	}
	if len(free) == 0 {
		return nil
	}
	addrs := make([]uint64, len(free))
	for i, st := range free {
		addrs[i] = st.Addr
	}
	s.Batch(c, addrs)
	var first error
	for _, st := range free {
		delete(s.sites, st.Addr)
		s.removed.add(st.Addr)
		if page := s.batch.page(st.Addr); page != nil {
			page.buf[st.Addr&pageMask] = st.orig
			page.dirty = true
		} else if err := c.WriteMemory(st.Addr, []byte{st.orig}); err != nil && first == nil {
			first = err
		}
	}
	if err := s.Flush(c); err != nil && first == nil {
		first = err
	}
	c.UnguardSites(addrs)
	return first
}

// SetEnabled enables or disables a placed breakpoint.
func (s *Sites) SetEnabled(c *target.Ctl, bp *Breakpoint, on bool) error {
	if on == bp.Enabled() {
		return nil
	}
	locs := slices.Clone(bp.locations) // Place keeps it; Snapshot may be reading bp.locations
	bp.SetDisabled(!on)
	if on {
		return s.Place(c, bp, locs)
	}
	s.Unplace(c, bp)
	return nil
}

// SetDisabled records whether the breakpoint is disabled, for one that is
// not placed (pending, unverified); Sites.SetEnabled also puts in or takes
// out a placed one's int3s.
func (bp *Breakpoint) SetDisabled(off bool) {
	bp.mu.Lock()
	spec := bp.opts()
	spec.Disabled = off
	bp.setOpts(spec)
	bp.mu.Unlock()
}

// CondError is a breakpoint condition that could not be evaluated at a
// hit: the thread stops, and the stop says why.
type CondError struct {
	ID   int
	Cond string
	Err  error
}

func (e CondError) Error() string {
	return fmt.Sprintf("Error in testing condition for breakpoint %d (%s): %s", e.ID, e.Cond, condReason(e.Err))
}

func (e CondError) Unwrap() error { return e.Err }

// condReason is why a condition failed, without the position in its text:
// a condition is short, and the reason names what failed ("n is optimized
// out").
func condReason(err error) string {
	var xe *expr.Error
	if errors.As(err, &xe) {
		return xe.Msg
	}
	return err.Error()
}

// condFailed counts a hit whose condition could not be evaluated and
// reports whether it is the first since the condition was set.
func (bp *Breakpoint) condFailed(err error) bool {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	f, cond := &bp.more().condFail, bp.opts().Cond
	if f.condFor != cond {
		f.condFor, f.n, f.first = cond, 0, ""
	}
	f.n++
	if f.n == 1 {
		f.first = condReason(err)
	}
	return f.n == 1
}

// Outcome is what one hit of a breakpoint comes to (Hit).
type Outcome int

const (
	// Pass: the condition is false, the hit condition does not match, a
	// trace breakpoint counted the hit, or a condition failed again.
	Pass Outcome = iota
	// Stop: the thread stops for this breakpoint.
	Stop
	// Log: a logpoint whose message is to be printed; the thread goes on.
	Log
	// StopCondError: the condition could not be evaluated, the first time
	// since it was set; the thread stops, with the error (CondError).
	StopCondError
)

// Hit records one hit of the breakpoint at addr and says what it comes to,
// in DAP's order: condition, then hit count and hit condition, then the
// log message. The caller, which owns evaluation, has evaluated the
// condition first if the breakpoint has one (held, err); without one, both
// are ignored. Ptrace thread only.
func (bp *Breakpoint) Hit(addr uint64, held bool, err error) Outcome {
	spec := bp.opts()
	if spec.Cond != "" {
		bp.x.evals.Add(1) // New and SetCondition made x
		if err != nil {
			// As GDB does, a condition that cannot be evaluated stops
			// the thread, with the error, so the user sees why. Once:
			// what fails here (a variable optimized out, a name not
			// in scope) mostly fails on every hit, and a stop per hit
			// would bury the program. Later errors are counted.
			if bp.condFailed(err) {
				return StopCondError
			}
			return Pass
		}
		if !held {
			return Pass
		}
	}
	n := bp.hits.Add(1)
	bp.countAt(addr)
	var hitCond *expr.HitCondition
	var tmpl *expr.Template
	if x := bp.x; x != nil {
		hitCond, tmpl = x.hitCond, x.tmpl
	}
	switch {
	case hitCond != nil && !hitCond.Match(n):
		return Pass
	case tmpl != nil:
		return Log
	case spec.Trace:
		return Pass
	}
	return Stop
}

// SetWarning sets the message of a placed breakpoint: something the user
// should know about it (it stays verified).
func (bp *Breakpoint) SetWarning(msg string) {
	bp.mu.Lock()
	bp.setMessage(msg)
	bp.mu.Unlock()
}

// SetUnverified marks the breakpoint as not placed, with the reason.
func (bp *Breakpoint) SetUnverified(msg string) {
	bp.mu.Lock()
	bp.verified, bp.locations, bp.pending = false, nil, false
	bp.setMessage(msg)
	bp.mu.Unlock()
}
