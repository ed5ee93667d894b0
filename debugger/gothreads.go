package debugger

import (
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/goruntime"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// What front ends that show goroutines as threads (DAP) need beyond the
// goroutine list: evaluation in a parked goroutine's frames, and a pause
// of a goroutine that no thread runs now.

// IsGo reports whether the program is a Go program whose goroutines can
// be read.
func (s *Session) IsGo() bool {
	var ok bool
	s.proc.Do(func(c *target.Ctl) error {
		_, err := s.runtimeOf()
		ok = err == nil
		return nil
	})
	return ok
}

// WithGoroutineFrame runs f, on the ptrace thread, with an evaluation
// context for frame n of goroutine id: through its thread if a stop holds
// the thread, from its saved context if it is parked. A parked goroutine's
// registers cannot be written (the runtime restores them from g.sched),
// its memory can. A goroutine on a running thread is an ErrNotStopped.
func (s *Session) WithGoroutineFrame(id int64, n int, f func(ctx *eval.Context) error) error {
	return s.proc.Do(func(c *target.Ctl) error {
		g, err := s.findGoroutine(id)
		if err != nil {
			return err
		}
		if onThread(g) {
			if th := s.threads[g.Tid]; th == nil || !th.held {
				return fmt.Errorf("goroutine %d runs on thread %d: %w", id, g.Tid, ErrNotStopped)
			}
			ctx, err := s.frameContext(c, g.Tid, n, 0)
			if err != nil {
				return err
			}
			return f(ctx)
		}
		frames, err := s.goroutineFrames(c, g, 0)
		if err != nil {
			return err
		}
		if n >= len(frames) {
			return fmt.Errorf("goroutine %d has %d frames, no frame %d", id, len(frames), n)
		}
		regs := regsT{Rip: g.PC, Rsp: g.SP, Rbp: g.BP}
		ctx, err := eval.NewContext(eval.Config{Table: s.syms, Frames: frames, Frame: n, Mem: evalMem{s}, ThreadRegs: &regs})
		if err != nil {
			return err
		}
		return f(ctx)
	})
}

// ErrGoroutineGone: the goroutine ended.
var ErrGoroutineGone = errors.New("the goroutine has ended")

// PauseGoroutine pauses goroutine id. On a thread, that thread is paused
// (Pause). Parked or runnable, it has no thread to stop: an internal
// breakpoint at the pc it resumes at (g.sched.pc), for this goroutine
// only, stops the thread that next runs it, with reason pause, before it
// runs a line of its own. It reports whether the stop is already there
// (false: it comes when the goroutine is next scheduled).
func (s *Session) PauseGoroutine(id int64) (now bool, err error) {
	var tid int
	err = s.proc.Do(func(c *target.Ctl) error {
		g, err := s.findGoroutine(id)
		if err != nil {
			return err
		}
		if onThread(g) {
			tid = g.Tid
			return nil
		}
		if g.Status == goruntime.Dead || g.PC == 0 {
			return fmt.Errorf("goroutine %d: %w", id, ErrGoroutineGone)
		}
		for _, st := range s.sites.All() {
			for _, ib := range st.Internals() {
				if ib.Kind == breakpoints.GoPause && ib.G == g.Addr {
					return nil // asked already
				}
			}
		}
		return s.sites.AddInternal(c, g.PC, &breakpoints.Internal{Kind: breakpoints.GoPause, G: g.Addr})
	})
	if err != nil || tid == 0 {
		return false, err
	}
	return s.Stopped(tid), s.Pause(tid)
}

// goPauseHit decides a trap at a GoPause breakpoint: the goroutine it is
// for has been scheduled on thread tid, which stops; the breakpoint goes.
func (s *Session) goPauseHit(c *target.Ctl, tid int, ib *breakpoints.Internal, regs regsT) bool {
	if s.goroutineOf(regs) != ib.G {
		return false
	}
	s.sites.RemoveInternal(c, func(x *breakpoints.Internal) bool { return x == ib })
	return true
}

// GoroutineFrames is GoroutineStack for front ends that key stacks by
// goroutine: the frames and whether they came from a held thread (tid,
// whose registers they are) or from the goroutine's saved context (tid 0).
func (s *Session) GoroutineFrames(id int64, max int) (frames []symbols.Frame, tid int, err error) {
	err = s.proc.Do(func(c *target.Ctl) error {
		g, err := s.findGoroutine(id)
		if err != nil {
			return err
		}
		if onThread(g) {
			tid = g.Tid
		}
		frames, err = s.goroutineFrames(c, g, max)
		return err
	})
	return frames, tid, err
}
