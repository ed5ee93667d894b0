package debugger

import (
	"fmt"

	"github.com/ubpdbg/ubpdbg/target"
)

// Emergency implements target.EmergencyHandler: after a panic of ours on
// the ptrace thread, an attached process gets its code and threads back as
// they were (the target package then detaches it; a launched one is
// killed), and front ends hear why.
func (s *Session) Emergency(c *target.Ctl, v any, stack []byte) {
	s.emit(Event{Kind: Output, Category: "important",
		Text: fmt.Sprintf("ubpdbg internal error: %v; the process is %s\n%s", v, s.fate(), stack)})
	if s.proc.Launched() {
		return
	}
	s.restore(c, func(f func()) {
		defer func() { recover() }()
		f()
	})
	s.emit(Event{Kind: Detached})
	s.events.Close()
}

func (s *Session) fate() string {
	if s.proc.Launched() {
		return "killed"
	}
	return "detached and runs on"
}

// Recover, deferred at the top of a front end's goroutine, makes a panic
// there leave the process as it found it (detached, or killed if we
// launched it) before the panic goes on and ends the program:
//
//	go func() { defer s.Recover(); ... }()
func (s *Session) Recover() {
	if v := recover(); v != nil {
		s.Close()
		panic(v)
	}
}
