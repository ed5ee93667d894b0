package debugger

import (
	"fmt"
	"sort"

	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
	"golang.org/x/sys/unix"
)

type regsT = unix.PtraceRegs

// ThreadInfo describes one thread for front ends.
type ThreadInfo struct {
	Tid     int
	Name    string
	Stopped bool   // held by a reported stop
	Reason  string // of that stop
	PC      uint64 // where it is stopped
	Func    string
	File    string
	Line    int
}

// Threads lists the process's threads; running ones are listed as such
// (they are not stopped to find out where they are).
func (s *Session) Threads() ([]ThreadInfo, error) {
	var out []ThreadInfo
	err := s.proc.Do(func(c *target.Ctl) error {
		for _, t := range c.Threads() {
			if t.Pid != s.proc.Pid() {
				continue
			}
			th := s.thread(t.Tid)
			ti := ThreadInfo{Tid: t.Tid, Name: threadName(s.proc.Pid(), t.Tid)}
			if t.Stopped && th.held {
				ti.Stopped, ti.Reason = true, th.reason
				if r, err := c.Regs(t.Tid); err == nil {
					ti.PC = r.Rip
					if pi := s.syms.LookupPC(r.Rip); len(pi.Frames) > 0 {
						f := pi.Frames[0]
						ti.Func, ti.File, ti.Line = f.Function, f.File, f.Line
					}
				}
			}
			out = append(out, ti)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Tid < out[j].Tid })
	return out, err
}

// Stopped reports whether a thread is held by a reported stop.
func (s *Session) Stopped(tid int) bool {
	var ok bool
	s.proc.Do(func(c *target.Ctl) error {
		th := s.threads[tid]
		ok = th != nil && th.held && c.Stopped(tid)
		return nil
	})
	return ok
}

// Stack unwinds a stopped thread: up to max frames (0: a default).
func (s *Session) Stack(tid, max int) ([]symbols.Frame, error) {
	var frames []symbols.Frame
	err := s.proc.Do(func(c *target.Ctl) error {
		if th := s.threads[tid]; th == nil || !th.held {
			return fmt.Errorf("thread %d: %w", tid, ErrNotStopped)
		}
		var err error
		frames, err = s.unwind(c, tid, max)
		return err
	})
	return frames, err
}

// Regs returns a stopped thread's registers.
func (s *Session) Regs(tid int) (unix.PtraceRegs, error) {
	var r unix.PtraceRegs
	err := s.proc.Do(func(c *target.Ctl) error {
		var err error
		r, err = c.Regs(tid)
		return err
	})
	return r, err
}

// Do runs f on the ptrace thread with the session's state; front ends use
// it for evaluation at a stopped thread (see package eval).
func (s *Session) Do(f func(c *target.Ctl) error) error { return s.proc.Do(f) }

func (s *Session) unwind(c *target.Ctl, tid, max int) ([]symbols.Frame, error) {
	regs, err := c.Regs(tid)
	if err != nil {
		return nil, err
	}
	return s.unwindRegs(c, regs, max)
}

func (s *Session) unwindRegs(c *target.Ctl, regs unix.PtraceRegs, max int) ([]symbols.Frame, error) {
	if max <= 0 {
		max = 256
	}
	return s.syms.Unwind(memReader{s}, &regs, symbols.UnwindOptions{MaxFrames: max})
}

// memReader reads memory as the program sees it (our int3s hidden) for the
// unwinder, which may read code.
type memReader struct{ s *Session }

func (m memReader) ReadMemory(addr uint64, buf []byte) (int, error) {
	n, err := m.s.proc.ReadMemory(addr, buf)
	m.s.sites.Original(addr, buf[:n])
	return n, err
}
