package debugger

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// SetBreakpoint creates a breakpoint. A location that matches nothing yet
// (a library not loaded) gives an unverified breakpoint with the reason in
// its Message; it is placed when the library loads. A spec that can never
// work (a bad hit condition, a condition without an evaluator) is an error.
func (s *Session) SetBreakpoint(spec breakpoints.Spec) (breakpoints.Info, error) {
	var info breakpoints.Info
	err := s.proc.Do(func(c *target.Ctl) error {
		bp, err := s.newBreakpoint(c, spec)
		if err != nil {
			return err
		}
		info = bp.Snapshot()
		return nil
	})
	return info, err
}

func (s *Session) newBreakpoint(c *target.Ctl, spec breakpoints.Spec) (*breakpoints.Breakpoint, error) {
	bp, err := s.makeBreakpoint(spec)
	if err != nil {
		return nil, err
	}
	s.place(c, bp)
	return bp, nil
}

// makeBreakpoint checks a spec and registers an unplaced breakpoint.
func (s *Session) makeBreakpoint(spec breakpoints.Spec) (*breakpoints.Breakpoint, error) {
	bp, err := breakpoints.New(s.nextBP, spec)
	if err != nil {
		return nil, err
	}
	s.bpMu.Lock()
	s.nextBP++ // under bpMu too: Restart reads it after the ptrace thread ended
	s.bps.put(bp)
	s.bpMu.Unlock()
	return bp, nil
}

// place resolves and inserts a breakpoint; failure leaves it unverified
// with the reason.
func (s *Session) place(c *target.Ctl, bp *breakpoints.Breakpoint) {
	if locs, warning, ok := s.resolve(bp); ok {
		if err := s.sites.Place(c, bp, locs); err != nil {
			s.logf("breakpoint %d: %v", bp.ID(), err)
		}
		warnPlaced(bp, warning)
	}
}

// warnPlaced puts the warning of a forced *ADDR breakpoint in its message,
// once it is placed (placing clears the message).
func warnPlaced(bp *breakpoints.Breakpoint, warning string) {
	if warning != "" && bp.Snapshot().Verified {
		bp.SetWarning(warning)
	}
}

// resolve finds a breakpoint's locations, or marks it unverified. The
// warning, if any, is for the breakpoint's message once it is placed.
func (s *Session) resolve(bp *breakpoints.Breakpoint) (locs []breakpoints.Location, warning string, ok bool) {
	resolve := s.syms.Resolve
	if bp.Spec().Catch != "" {
		resolve = s.syms.ResolveLines // at the entry: see CatchCxx
	}
	found, err := resolve(bp.Spec().Location)
	var unchecked []string
	if err == nil && strings.HasPrefix(strings.TrimSpace(bp.Spec().Location), "*") {
		for _, l := range found {
			cerr := s.checkCodeAddr(l.PC)
			var u uncheckedError
			if errors.As(cerr, &u) && bp.Spec().Force {
				unchecked = append(unchecked, u.msg)
				continue
			}
			if cerr != nil {
				if errors.As(cerr, &u) {
					cerr = fmt.Errorf("%w (force it, at the risk of corrupting the program if it is not an instruction's first byte: break -f, logpoint -f, trace --force)", cerr)
				}
				err = cerr
				break
			}
		}
	}
	if err == nil && len(unchecked) > 0 {
		warning = "warning: placed without checking that it starts an instruction: " + strings.Join(unchecked, "; ")
	}
	if err != nil {
		if s.ldNotify != 0 && errors.Is(err, symbols.ErrNotFound) && !errors.Is(err, symbols.ErrPastEnd) {
			bp.SetPending(err.Error() + pendingNote)
		} else {
			bp.SetUnverified(err.Error())
		}
		return nil, "", false
	}
	return toBreakpointLocations(found), warning, true
}

// pendingNote ends the message of a breakpoint whose location is not found
// (yet) in a program that loads libraries.
const pendingNote = " (pending: it is placed if a library that has it is loaded)"

func toBreakpointLocations(locs []symbols.Location) []breakpoints.Location {
	bl := make([]breakpoints.Location, 0, len(locs))
	for _, l := range locs {
		bl = append(bl, breakpoints.Location{Addr: l.PC, Function: l.Function, File: l.File, Line: l.Line})
	}
	return bl
}

// placeAll places many breakpoints with one read and one write per page of
// code (see breakpoints.Sites.Batch).
func (s *Session) placeAll(c *target.Ctl, bps []*breakpoints.Breakpoint) {
	all := make([][]breakpoints.Location, len(bps))
	warnings := make([]string, len(bps))
	var addrs []uint64
	for i, bp := range bps {
		if locs, warning, ok := s.resolve(bp); ok {
			all[i], warnings[i] = locs, warning
			for _, l := range locs {
				addrs = append(addrs, l.Addr)
			}
		}
	}
	s.sites.Batch(c, addrs)
	for i, bp := range bps {
		if all[i] != nil {
			if err := s.sites.Place(c, bp, all[i]); err != nil {
				s.logf("breakpoint %d: %v", bp.ID(), err)
			}
		}
	}
	if err := s.sites.Flush(c); err != nil {
		s.logf("placing breakpoints: %v", err)
	}
	for i, bp := range bps {
		warnPlaced(bp, warnings[i])
	}
}

// SetBreakpoints creates many breakpoints at once, much faster than one
// SetBreakpoint each (one round trip to the ptrace thread, one read and
// one write per page of code). Specs that fail give an Info with the
// reason in Message and ID 0.
func (s *Session) SetBreakpoints(specs []breakpoints.Spec) ([]breakpoints.Info, error) {
	var infos []breakpoints.Info
	err := s.proc.Do(func(c *target.Ctl) error {
		infos = make([]breakpoints.Info, len(specs))
		bps := make([]*breakpoints.Breakpoint, 0, len(specs))
		idx := make([]int, 0, len(specs))
		for i, spec := range specs {
			bp, err := s.makeBreakpoint(spec)
			if err != nil {
				infos[i] = breakpoints.Info{Spec: spec, Message: err.Error()}
				continue
			}
			bps = append(bps, bp)
			idx = append(idx, i)
		}
		s.placeAll(c, bps)
		for k, bp := range bps {
			infos[idx[k]] = bp.Snapshot()
		}
		return nil
	})
	return infos, err
}

// placePending retries every unverified breakpoint (after libraries load).
func (s *Session) placePending(c *target.Ctl) {
	for _, id := range s.sortedIDs() {
		bp := s.bps.get(id)
		if info := bp.Snapshot(); info.Verified || bp.Spec().Disabled {
			continue
		}
		s.place(c, bp)
		if bp.Snapshot().Verified {
			s.emit(Event{Kind: BreakpointChanged, BreakpointID: bp.ID()})
		}
	}
}

func (s *Session) sortedIDs() []int { return s.bps.ids() }

// sortedKeys are the numbers of a session's breakpoints, watchpoints or
// catchpoints, in order.
func sortedKeys[V any](m map[int]V) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// ClearBreakpoint deletes a breakpoint (its int3s go unless shared) or a
// watchpoint (its debug registers are freed).
func (s *Session) ClearBreakpoint(id int) error {
	return s.proc.Do(func(c *target.Ctl) error {
		if s.deleteWatch(c, id) || s.deleteCatch(c, id) {
			return nil
		}
		bp := s.bps.get(id)
		if bp == nil {
			return fmt.Errorf("no breakpoint %d", id)
		}
		s.sites.Unplace(c, bp)
		s.deleteBP(id)
		return nil
	})
}

// ClearBreakpoints deletes many breakpoints, watchpoints and catchpoints
// at once: the int3s go with one read and one write per run of pages of
// code, so removing a million is as fast as placing them. Every number
// that exists is deleted; the error names those that do not.
func (s *Session) ClearBreakpoints(ids []int) error {
	var missing []error
	err := s.proc.Do(func(c *target.Ctl) error {
		var bps []*breakpoints.Breakpoint
		for _, id := range ids {
			if s.deleteWatch(c, id) || s.deleteCatch(c, id) {
				continue
			}
			bp := s.bps.get(id)
			if bp == nil {
				missing = append(missing, fmt.Errorf("no breakpoint %d", id))
				continue
			}
			bps = append(bps, bp)
			s.deleteBP(id)
		}
		if err := s.sites.UnplaceAll(c, bps); err != nil {
			s.logf("taking breakpoints out: %v", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(missing...)
}

// EnableBreakpoint enables or disables a breakpoint or a watchpoint.
func (s *Session) EnableBreakpoint(id int, on bool) error {
	return s.proc.Do(func(c *target.Ctl) error {
		if isWatch, err := s.enableWatch(c, id, on); isWatch {
			return err
		}
		if s.enableCatch(c, id, on) {
			return nil
		}
		bp := s.bps.get(id)
		if bp == nil {
			return fmt.Errorf("no breakpoint %d", id)
		}
		if !bp.Snapshot().Verified && on {
			bp.SetDisabled(false)
			s.place(c, bp)
			return nil
		}
		return s.sites.SetEnabled(c, bp, on)
	})
}

// SetCondition changes a breakpoint's or a watchpoint's condition (""
// removes it).
func (s *Session) SetCondition(id int, cond string) error {
	return s.proc.Do(func(c *target.Ctl) error {
		if w := s.watches[id]; w != nil {
			s.bpMu.Lock()
			w.info.Spec.Cond = cond
			s.bpMu.Unlock()
			return nil
		}
		bp := s.bps.get(id)
		if bp == nil {
			return fmt.Errorf("no breakpoint %d", id)
		}
		spec := bp.Spec()
		spec.Cond = cond
		if _, err := breakpoints.New(bp.ID(), spec); err != nil {
			return err
		}
		bp.SetCondition(cond)
		return nil
	})
}

func (s *Session) deleteBP(id int) {
	s.bpMu.Lock()
	s.bps.remove(id)
	s.bpMu.Unlock()
}

// Breakpoints lists every breakpoint, with hit counts; it works after the
// process has gone too.
func (s *Session) Breakpoints() []breakpoints.Info {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	var out []breakpoints.Info
	for _, id := range s.sortedIDs() {
		out = append(out, s.bps.get(id).Snapshot())
	}
	return out
}

// Breakpoint returns one breakpoint's state.
func (s *Session) Breakpoint(id int) (breakpoints.Info, bool) {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	if bp := s.bps.get(id); bp != nil {
		return bp.Snapshot(), true
	}
	return breakpoints.Info{}, false
}

// ReplaceBreakpoints replaces the breakpoints a front end owns under one
// key (DAP: a source file, or "function", or "instruction") with new ones
// in one step, keeping the IDs and hit counts of those whose spec did not
// change. It returns one result per spec, in order; a spec that fails has
// an error in Message and is not verified.
func (s *Session) ReplaceBreakpoints(owned []int, specs []breakpoints.Spec) ([]breakpoints.Info, []int) {
	var infos []breakpoints.Info
	var ids []int
	s.proc.Do(func(c *target.Ctl) error {
		old := map[breakpoints.Spec]*breakpoints.Breakpoint{}
		for _, id := range owned {
			if bp := s.bps.get(id); bp != nil {
				old[bp.Spec()] = bp
			}
		}
		keep := map[int]bool{}
		made := make([]*breakpoints.Breakpoint, len(specs))
		var fresh []*breakpoints.Breakpoint
		errs := make([]error, len(specs))
		for i, spec := range specs {
			if bp, ok := old[spec]; ok && !keep[bp.ID()] {
				keep[bp.ID()] = true
				made[i] = bp
				continue
			}
			bp, err := s.makeBreakpoint(spec)
			if err != nil {
				errs[i] = err
				continue
			}
			keep[bp.ID()] = true
			made[i] = bp
			fresh = append(fresh, bp)
		}
		s.placeAll(c, fresh)
		for i, bp := range made {
			if bp == nil {
				infos = append(infos, breakpoints.Info{Spec: specs[i], Message: errs[i].Error()})
				ids = append(ids, 0)
				continue
			}
			infos = append(infos, bp.Snapshot())
			ids = append(ids, bp.ID())
		}
		var gone []*breakpoints.Breakpoint
		for _, id := range owned {
			if bp := s.bps.get(id); bp != nil && !keep[id] {
				gone = append(gone, bp)
				s.deleteBP(id)
			}
		}
		if err := s.sites.UnplaceAll(c, gone); err != nil {
			s.logf("taking breakpoints out: %v", err)
		}
		return nil
	})
	return infos, ids
}

func reloadSymbols(pid int) (*symbols.Table, error) { return symbols.LoadProcess(pid) }
