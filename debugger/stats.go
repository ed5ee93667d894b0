package debugger

import (
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol"
)

// XOLStats returns what the session's XOL runtime has done so far (hits
// boosted, emulated, stepped; slots written; pcs fixed; replays). It works
// after the process has gone too.
func (s *Session) XOLStats() xol.Stats {
	var st xol.Stats
	if s.proc.Do(func(c *target.Ctl) error { st = s.xol.Stats; return nil }) != nil {
		st = s.xol.Stats // the ptrace thread is gone: nothing changes it any more
	}
	return st
}

// SlotMemory is how many bytes of the target the XOL slot areas take.
func (s *Session) SlotMemory() int {
	var n int
	if s.proc.Do(func(c *target.Ctl) error { n = s.xol.SlotMemory(); return nil }) != nil {
		n = s.xol.SlotMemory()
	}
	return n
}
