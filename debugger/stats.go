package debugger

import (
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol"
)

// XOLStats returns what the session's XOL runtime has done so far: hits
// boosted, emulated and stepped, slot writes, areas mapped. It is for
// benchmarks and logs; once the process is gone it returns zeros.
func (s *Session) XOLStats() xol.Stats {
	var st xol.Stats
	s.proc.Do(func(*target.Ctl) error {
		st = s.xol.Stats
		return nil
	})
	return st
}

// SlotMemory returns how many bytes of the target's address space the XOL
// slot areas take (0 before the first hit maps one, and once the process
// is gone).
func (s *Session) SlotMemory() int {
	n := 0
	s.proc.Do(func(*target.Ctl) error {
		n = s.xol.SlotMemory()
		return nil
	})
	return n
}
