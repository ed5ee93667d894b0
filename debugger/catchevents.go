package debugger

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/elastic/go-seccomp-bpf/arch"

	"github.com/ubpdbg/ubpdbg/target"
)

// Event catchpoints, gdb's `catch fork`, `catch vfork`, `catch exec` and
// `catch syscall`: the thread that forks stops as the call returns in the
// parent (the child already runs, untraced, or for vfork in our memory
// until it execs), the thread that execs stops at the new program's first
// instruction, its breakpoints resolved again, and a thread stops as it
// enters and as it leaves a system call caught. Fork and exec are the
// kernel's ptrace events, which the session hears anyway: those
// catchpoints cost nothing until then. A syscall catchpoint turns on the
// target's system call stops (two per call, in every thread, caught or
// not) while it is enabled. They share their numbers with breakpoints.

// CatchKinds are the event catchpoints there are.
var CatchKinds = []string{"fork", "vfork", "exec", "syscall"}

// CatchInfo is an event catchpoint's state.
type CatchInfo struct {
	ID       int
	Kind     string // "fork", "vfork", "exec" or "syscall"
	Syscalls []int  // syscall: the calls caught (x86-64 numbers); none: every one
	Hits     int
	Disabled bool
}

// CatchEvent makes an event catchpoint of a kind in CatchKinds; a syscall
// catchpoint takes the calls it catches, by name or number (none: all).
func (s *Session) CatchEvent(kind string, syscalls ...string) (CatchInfo, error) {
	if !slices.Contains(CatchKinds, kind) {
		return CatchInfo{}, fmt.Errorf("no event catchpoint %q (fork, vfork, exec or syscall)", kind)
	}
	if kind != "syscall" && len(syscalls) > 0 {
		return CatchInfo{}, fmt.Errorf("catch %s takes no arguments", kind)
	}
	nrs, err := parseSyscalls(syscalls)
	if err != nil {
		return CatchInfo{}, err
	}
	var info CatchInfo
	err = s.proc.Do(func(c *target.Ctl) error {
		s.bpMu.Lock()
		if s.catches == nil {
			s.catches = map[int]*CatchInfo{}
		}
		info = CatchInfo{ID: s.nextBP, Kind: kind, Syscalls: nrs}
		s.nextBP++
		s.catches[info.ID] = &info
		s.bpMu.Unlock()
		return s.syncSyscallTrace(c)
	})
	return info, err
}

// parseSyscalls reads system call names ("write") and numbers ("1").
func parseSyscalls(words []string) ([]int, error) {
	var nrs []int
	for _, w := range words {
		if n, err := strconv.Atoi(w); err == nil {
			if _, ok := arch.X86_64.SyscallNumbers[n]; !ok {
				return nil, fmt.Errorf("no system call number %d on x86-64", n)
			}
			nrs = append(nrs, n)
			continue
		}
		n, ok := arch.X86_64.SyscallNames[w]
		if !ok {
			return nil, fmt.Errorf("no system call named %q on x86-64", w)
		}
		nrs = append(nrs, n)
	}
	return nrs, nil
}

// SyscallName is a system call's x86-64 name ("write"), or its number.
func SyscallName(nr int) string {
	if name, ok := arch.X86_64.SyscallNumbers[nr]; ok {
		return name
	}
	return strconv.Itoa(nr)
}

// syncSyscallTrace has the target stop at system calls exactly while an
// enabled syscall catchpoint exists.
func (s *Session) syncSyscallTrace(c *target.Ctl) error {
	s.bpMu.Lock()
	on := false
	for _, ci := range s.catches {
		on = on || (ci.Kind == "syscall" && !ci.Disabled)
	}
	s.bpMu.Unlock()
	return c.SetSyscallTrace(on)
}

// syscallCaught decides a system call stop: the thread stops if a
// syscall catchpoint catches the call, else it goes on.
func (s *Session) syscallCaught(c *target.Ctl, ev target.Event) target.Action {
	sc := ev.Syscall
	if ev.Pid != s.proc.Pid() {
		return target.Resume // a vfork child before its exec: not the program
	}
	ids := s.caught("syscall", func(ci *CatchInfo) bool {
		return len(ci.Syscalls) == 0 || slices.Contains(ci.Syscalls, sc.Nr)
	})
	if len(ids) == 0 {
		return target.Resume
	}
	s.fix(c, ev.Tid) // a boosted syscall instruction runs in a slot
	what := "call to"
	if !sc.Entry {
		what = "returned from"
	}
	return s.catchStop(c, ev.Tid, ids, fmt.Sprintf("%s syscall %s", what, SyscallName(sc.Nr)))
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
func (s *Session) catchIDs() []int { return sortedKeys(s.catches) }

// caught reports the enabled catchpoints of a kind that catch this event
// (match nil: all of them), counting a hit on each; on the ptrace thread.
func (s *Session) caught(kind string, match func(*CatchInfo) bool) []int {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	var ids []int
	for _, id := range s.catchIDs() {
		if ci := s.catches[id]; ci.Kind == kind && !ci.Disabled && (match == nil || match(ci)) {
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
	ids := s.caught(kind, nil)
	if len(ids) == 0 {
		return false, target.Resume
	}
	return true, s.catchStop(c, ev.Tid, ids, fmt.Sprintf("%s process %d", verb, ev.ChildPid))
}

// execCaught is the stop of a catch exec, if there is one.
func (s *Session) execCaught(c *target.Ctl, tid int) (bool, target.Action) {
	ids := s.caught("exec", nil)
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
	for _, ci := range cs {
		if s.catches == nil {
			s.catches = map[int]*CatchInfo{}
		}
		ci.Hits = 0
		s.catches[ci.ID] = &ci
	}
	s.bpMu.Unlock()
	s.proc.Do(func(c *target.Ctl) error { return s.syncSyscallTrace(c) })
}

// deleteCatch deletes event catchpoint id, if there is one.
func (s *Session) deleteCatch(c *target.Ctl, id int) bool {
	s.bpMu.Lock()
	found := s.catches[id] != nil
	delete(s.catches, id)
	s.bpMu.Unlock()
	if found {
		s.syncSyscallTrace(c)
	}
	return found
}

// enableCatch enables or disables event catchpoint id, if there is one.
func (s *Session) enableCatch(c *target.Ctl, id int, on bool) bool {
	s.bpMu.Lock()
	ci := s.catches[id]
	if ci != nil {
		ci.Disabled = !on
	}
	s.bpMu.Unlock()
	if ci != nil {
		s.syncSyscallTrace(c)
	}
	return ci != nil
}
