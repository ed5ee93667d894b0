package debugger

import (
	"fmt"
	"os"
	"sort"

	"github.com/ubpdbg/ubpdbg/target"
)

// Event catchpoints, gdb's `catch fork`, `catch vfork` and `catch exec`:
// the thread that forks stops as the call returns in the parent (the
// child already runs, untraced, or for vfork in our memory until it execs),
// and the thread that execs stops at the new program's first instruction,
// its breakpoints resolved again. They are the kernel's ptrace events,
// which the session hears anyway: a catchpoint costs nothing until then.
// They share their numbers with breakpoints.

// CatchKinds are the event catchpoints there are.
var CatchKinds = []string{"fork", "vfork", "exec"}

// CatchInfo is an event catchpoint's state.
type CatchInfo struct {
	ID       int
	Kind     string // "fork", "vfork" or "exec"
	Hits     int
	Disabled bool
}

// CatchEvent makes an event catchpoint of a kind in CatchKinds.
func (s *Session) CatchEvent(kind string) (CatchInfo, error) {
	known := false
	for _, k := range CatchKinds {
		known = known || k == kind
	}
	if !known {
		return CatchInfo{}, fmt.Errorf("no event catchpoint %q (fork, vfork or exec)", kind)
	}
	var info CatchInfo
	err := s.proc.Do(func(c *target.Ctl) error {
		s.bpMu.Lock()
		defer s.bpMu.Unlock()
		if s.catches == nil {
			s.catches = map[int]*CatchInfo{}
		}
		info = CatchInfo{ID: s.nextBP, Kind: kind}
		s.nextBP++
		s.catches[info.ID] = &info
		return nil
	})
	return info, err
}

// EventCatchpoints lists the event catchpoints in order.
func (s *Session) EventCatchpoints() []CatchInfo {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	var out []CatchInfo
	for _, id := range s.catchIDs() {
		out = append(out, *s.catches[id])
	}
	return out
}

// catchIDs are the event catchpoints' numbers in order; under bpMu.
func (s *Session) catchIDs() []int {
	ids := make([]int, 0, len(s.catches))
	for id := range s.catches {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// caught reports the enabled catchpoints of a kind, counting a hit on
// each; on the ptrace thread.
func (s *Session) caught(kind string) []int {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	var ids []int
	for _, id := range s.catchIDs() {
		if ci := s.catches[id]; ci.Kind == kind && !ci.Disabled {
			ci.Hits++
			ids = append(ids, id)
		}
	}
	return ids
}

// catchStop stops thread tid for the catchpoints ids: "catchpoint 2
// (forked process 4242)", as gdb words it.
func (s *Session) catchStop(c *target.Ctl, tid int, ids []int, what string) target.Action {
	desc := fmt.Sprintf("catchpoint %s (%s)", joinIDs(ids), what)
	return s.userStop(c, tid, ReasonBreakpoint, desc, ids, 0)
}

// forkCaught is the stop of a catch fork or vfork, if there is one.
func (s *Session) forkCaught(c *target.Ctl, ev target.Event) (bool, target.Action) {
	kind, verb := "fork", "forked"
	if ev.Kind == target.EventVfork {
		kind, verb = "vfork", "vforked"
	}
	ids := s.caught(kind)
	if len(ids) == 0 {
		return false, target.Resume
	}
	return true, s.catchStop(c, ev.Tid, ids, fmt.Sprintf("%s process %d", verb, ev.ChildPid))
}

// execCaught is the stop of a catch exec, if there is one.
func (s *Session) execCaught(c *target.Ctl, tid int) (bool, target.Action) {
	ids := s.caught("exec")
	if len(ids) == 0 {
		return false, target.Resume
	}
	path, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", s.proc.Pid()))
	if err != nil {
		path = "a new program"
	}
	return true, s.catchStop(c, tid, ids, "exec'd "+path)
}

// adoptCatches keeps the event catchpoints of an earlier run, with their
// numbers and without their hits.
func (s *Session) adoptCatches(cs []CatchInfo) {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	for _, ci := range cs {
		if s.catches == nil {
			s.catches = map[int]*CatchInfo{}
		}
		ci.Hits = 0
		s.catches[ci.ID] = &ci
	}
}

// deleteCatch deletes event catchpoint id, if there is one.
func (s *Session) deleteCatch(id int) bool {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	if s.catches[id] == nil {
		return false
	}
	delete(s.catches, id)
	return true
}

// enableCatch enables or disables event catchpoint id, if there is one.
func (s *Session) enableCatch(id int, on bool) bool {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	ci := s.catches[id]
	if ci == nil {
		return false
	}
	ci.Disabled = !on
	return true
}
