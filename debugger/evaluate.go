package debugger

import (
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// frameContext prepares evaluation in frame n of a stopped thread,
// unwinding at most max frames (0: all). On the ptrace thread.
func (s *Session) frameContext(c *target.Ctl, tid, n, max int) (*eval.Context, error) {
	regs, err := c.Regs(tid)
	if err != nil {
		return nil, err
	}
	var frames []symbols.Frame
	if n == 0 && max == 1 {
		// Conditions and log messages, on every hit: no stack walk.
		f, err := s.syms.TopFrame(memReader{s}, &regs)
		if err != nil && f.PC == 0 {
			return nil, err
		}
		frames = inlineFrames(f)
	} else {
		if max > 0 && max <= n {
			max = n + 1
		}
		frames, err = s.unwindRegs(c, regs, max)
		if err != nil && len(frames) == 0 {
			return nil, err
		}
	}
	return s.contextFor(c, tid, &regs, frames, n)
}

// contextFor is the evaluation context of frame n of frames, the stack of
// thread tid stopped with regs. On the ptrace thread.
func (s *Session) contextFor(c *target.Ctl, tid int, regs *regsT, frames []symbols.Frame, n int) (*eval.Context, error) {
	if n >= len(frames) {
		return nil, fmt.Errorf("thread %d has %d frames, no frame %d", tid, len(frames), n)
	}
	cfg := eval.Config{Table: s.syms, Frames: frames, Frame: n, Mem: evalMem{s},
		ThreadRegs: regs}
	if n == 0 {
		cfg.SetRegs = func(r regsT) error { return c.SetRegs(tid, r) }
	}
	return eval.NewContext(cfg)
}

// inlineFrames expands a top frame that sits in inlined calls into one
// frame per call, innermost first, sharing the physical frame's pc, CFA
// and registers, as Unwind gives them. Without them a condition in an
// inlined function would be evaluated in the scope of the function it was
// inlined into, and find none of its variables.
func inlineFrames(f symbols.Frame) []symbols.Frame {
	if !f.Inlined || f.Image == nil {
		return []symbols.Frame{f}
	}
	info := f.Image.LookupPC(f.PC)
	if len(info.Frames) < 2 {
		return []symbols.Frame{f}
	}
	frames := make([]symbols.Frame, len(info.Frames))
	for i, sf := range info.Frames {
		frames[i] = f
		frames[i].Function, frames[i].File, frames[i].Line = sf.Function, sf.File, sf.Line
		frames[i].Inlined = sf.Inlined || i < len(info.Frames)-1
	}
	return frames
}

// evalMem is the program's memory for eval. Reads do not hide our int3s:
// variables live in data, never in code, and the children of a Variable
// are read later from any goroutine, where the site table must not be
// touched.
type evalMem struct{ s *Session }

func (m evalMem) ReadMemory(addr uint64, buf []byte) (int, error) {
	return m.s.proc.ReadMemory(addr, buf)
}

func (m evalMem) WriteMemory(addr uint64, data []byte) error {
	return m.s.proc.WriteMemory(addr, data)
}

// WithFrame runs f with an evaluation context for frame n of a stopped
// thread, on the ptrace thread: everything f does with the context (and
// the variables it returns, whose children read memory later) sees the
// thread as it is now.
func (s *Session) WithFrame(tid, n int, f func(ctx *eval.Context) error) error {
	return s.proc.Do(func(c *target.Ctl) error {
		if th := s.threads[tid]; th == nil || !th.held {
			return fmt.Errorf("thread %d: %w", tid, ErrNotStopped)
		}
		ctx, err := s.frameContext(c, tid, n, 0)
		if err != nil {
			return err
		}
		return f(ctx)
	})
}

// WithStack runs f, on the ptrace thread, with the stack of a stopped
// thread (up to max frames, 0: all; walkErr says why the walk stopped
// early, if it did) and an evaluation context for any of its frames, all
// from one stack walk: a backtrace that shows each frame's arguments
// needs no walk per frame.
func (s *Session) WithStack(tid, max int, f func(frames []symbols.Frame, walkErr error, frame func(n int) (*eval.Context, error)) error) error {
	return s.proc.Do(func(c *target.Ctl) error {
		if th := s.threads[tid]; th == nil || !th.held {
			return fmt.Errorf("thread %d: %w", tid, ErrNotStopped)
		}
		regs, err := c.Regs(tid)
		if err != nil {
			return err
		}
		frames, walkErr := s.unwindRegs(c, regs, max)
		return f(frames, walkErr, func(n int) (*eval.Context, error) {
			return s.contextFor(c, tid, &regs, frames, n)
		})
	})
}

// Evaluate evaluates an expression (or, with assign, a statement such as
// `x = 5`) in frame n of a stopped thread.
func (s *Session) Evaluate(tid, n int, src string, assign bool) (*eval.Variable, error) {
	return s.EvaluatePrint(tid, n, src, assign, eval.Print{})
}

// EvaluatePrint is Evaluate with the value written as p says (depth,
// elements, a format letter).
func (s *Session) EvaluatePrint(tid, n int, src string, assign bool, p eval.Print) (*eval.Variable, error) {
	var v *eval.Variable
	err := s.WithFrame(tid, n, func(ctx *eval.Context) error {
		if err := ctx.SetPrint(p); err != nil {
			return err
		}
		var err error
		if assign {
			v, err = ctx.Exec(src)
		} else {
			v, err = ctx.Eval(src)
		}
		return err
	})
	return v, err
}

// ReturnValues are the values returned by the function that a step out
// of thread tid just finished (none, without an error, when the thread is
// not held right after one or the function returns nothing): C's one
// value, or each result of a Go function. Read in frame 0 from the
// registers the function returned them in. p says how they are written.
func (s *Session) ReturnValues(tid int, p eval.Print) ([]*eval.Variable, error) {
	var vs []*eval.Variable
	err := s.proc.Do(func(c *target.Ctl) error {
		th := s.threads[tid]
		if th == nil || !th.held || th.returned == 0 {
			return nil
		}
		ctx, err := s.frameContext(c, tid, 0, 1)
		if err != nil {
			return err
		}
		if err := ctx.SetPrint(p); err != nil {
			return err
		}
		fp, err := c.FPRegs(tid)
		if err != nil {
			return err
		}
		vs, err = ctx.ReturnValues(th.returned, &fp.Xmm)
		if errors.Is(err, eval.ErrNoReturnValue) {
			return nil
		}
		return err
	})
	return vs, err
}
