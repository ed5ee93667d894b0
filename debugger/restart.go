package debugger

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/target"
)

// Restart starts the launched program again, as Launch first did (same
// program, arguments, environment and standard files; an input file is
// read again from its start), and returns the new session, stopped at the
// program's first instruction. The breakpoints come along with the same
// IDs, specs and enabled state; their hit counts start from zero. The
// signal table and the Go failure stops come along too. If the
// program still runs it is killed first, and this session ends; its
// events end as for any kill (Exited).
func (s *Session) Restart() (*Session, error) {
	if s.launch == nil {
		return nil, errors.New("restart: this program was attached to, not started by the debugger")
	}
	if err := s.Kill(); err != nil && !errors.Is(err, target.ErrExited) {
		return nil, fmt.Errorf("restart: kill the running program: %w", err)
	}
	s.Wait()
	lc := *s.launch
	rewind(lc.Stdin)
	ns, err := Launch(lc)
	if err != nil {
		return nil, fmt.Errorf("restart: %w", err)
	}
	s.sigMu.Lock()
	for sig, h := range s.signals {
		ns.HandleSignal(sig, h)
	}
	s.sigMu.Unlock()
	for _, k := range goFailureKinds {
		if s.goFailOff[k.kind] {
			ns.SetStopOnGoFailure(k.kind, false)
		}
	}
	if err := ns.adoptBreakpoints(s.Breakpoints(), s.nextBreakpointID()); err != nil {
		ns.Kill()
		return nil, fmt.Errorf("restart: breakpoints: %w", err)
	}
	ns.adoptWatches(s.Watchpoints())
	ns.adoptCatches(s.EventCatchpoints())
	return ns, nil
}

// rewind puts an input file back at its start, so a second run reads what
// the first one read. Terminals and pipes cannot seek and are left as they
// are.
func rewind(in io.Reader) {
	if f, ok := in.(*os.File); ok {
		_, _ = f.Seek(0, io.SeekStart)
	}
}

func (s *Session) nextBreakpointID() int {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	return s.nextBP
}

// adoptBreakpoints recreates breakpoints of an earlier run with their IDs
// and places them all at once; next is the ID the next new one gets, so
// that IDs deleted earlier are not given out again.
func (s *Session) adoptBreakpoints(infos []breakpoints.Info, next int) error {
	return s.proc.Do(func(c *target.Ctl) error {
		bps := make([]*breakpoints.Breakpoint, 0, len(infos))
		var errs []error
		for _, info := range infos {
			s.bpMu.Lock()
			s.nextBP = info.ID
			s.bpMu.Unlock()
			bp, err := s.makeBreakpoint(info.Spec)
			if err != nil {
				errs = append(errs, fmt.Errorf("breakpoint %d: %w", info.ID, err))
				continue
			}
			bps = append(bps, bp)
		}
		s.bpMu.Lock()
		s.nextBP = max(s.nextBP, next)
		s.bpMu.Unlock()
		s.placeAll(c, bps)
		return errors.Join(errs...)
	})
}
