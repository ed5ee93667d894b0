package debugger

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/regnum"
	"github.com/ubpdbg/ubpdbg/goruntime"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// Goroutines are read from the Go runtime's own records (package
// goruntime) whenever a front end asks, without stopping anything: a
// goroutine's state can change while we read, as it can between any two
// requests. What is true of a goroutine's thread is true of it: on a
// thread that a stop holds, it is stopped; parked, it has no thread and is
// waiting, and its stack is unwound from the context the runtime saved
// when it parked (g.sched).

// ErrNotGo is returned for goroutine requests on a program that is not Go.
var ErrNotGo = errors.New("not a Go program (no goroutines; threads are OS threads)")

// ErrNoGoroutine is returned for a goroutine id the runtime does not know.
var ErrNoGoroutine = errors.New("no such goroutine")

// GoroutineInfo describes one goroutine for front ends.
type GoroutineInfo struct {
	ID         int64
	Status     string // running, runnable, waiting, syscall, ...
	WaitReason string // for waiting ones: "chan receive", "sleep", ...
	Tid        int    // its OS thread; 0 if it has none (parked, runnable)
	Stopped    bool   // its thread is held by a reported stop
	// System: started by the runtime for itself (GC workers, the finalizer
	// goroutine, ...), as Delve and runtime.Stack tell them apart.
	System bool
	// UserFrame is the first frame outside the runtime: where the
	// goroutine is in the program's own code (zero if none was found).
	UserFrame symbols.Frame
	Start     string // the function it was started with
	CurFunc   string // where it is: frame 0's function
}

// Name is how front ends title a goroutine: "[Go N] pkg.func" with its
// user frame's function, as Delve does.
func (g GoroutineInfo) Name() string {
	fn := g.UserFrame.Function
	if fn == "" {
		fn = g.CurFunc
	}
	if fn == "" {
		fn = g.Start
	}
	return fmt.Sprintf("[Go %d] %s", g.ID, fn)
}

// runtimeOf returns the Go runtime's records of the program's executable.
func (s *Session) runtimeOf() (*goruntime.Runtime, error) {
	var im *symbols.Image
	for _, i := range s.syms.Images() {
		if i.Go {
			im = i
			break
		}
	}
	if im == nil {
		return nil, ErrNotGo
	}
	if s.gortImage != im {
		rt, err := goruntime.Load(im.DWARF(), im.Bias)
		if errors.Is(err, goruntime.ErrNoRuntime) {
			return nil, ErrNotGo
		}
		if err != nil {
			return nil, err
		}
		s.gort, s.gortImage = rt, im
	}
	return s.gort, nil
}

// Goroutines lists the program's live goroutines by id, each with its
// user frame (which takes an unwind of each: front ends that list many
// should say so if it is slow).
func (s *Session) Goroutines() ([]GoroutineInfo, error) {
	var out []GoroutineInfo
	err := s.proc.Do(func(c *target.Ctl) error {
		gs, err := s.readGoroutines()
		if err != nil {
			return err
		}
		for _, g := range gs {
			out = append(out, s.describeGoroutine(c, g))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// Goroutine describes one goroutine.
func (s *Session) Goroutine(id int64) (GoroutineInfo, error) {
	var gi GoroutineInfo
	err := s.proc.Do(func(c *target.Ctl) error {
		g, err := s.findGoroutine(id)
		if err == nil {
			gi = s.describeGoroutine(c, g)
		}
		return err
	})
	return gi, err
}

// GoroutineStack unwinds a goroutine: from its thread's registers if a
// stop holds that thread, from its saved context if it is parked. A
// goroutine on a running thread has no stack to show until it stops.
func (s *Session) GoroutineStack(id int64, max int) ([]symbols.Frame, error) {
	frames, _, err := s.GoroutineFrames(id, max)
	return frames, err
}

// GoroutineOfThread returns the id of the goroutine on thread tid, 0 if
// it runs none (a runtime thread on its g0 stack, C code, or not Go).
func (s *Session) GoroutineOfThread(tid int) int64 {
	var id int64
	s.proc.Do(func(c *target.Ctl) error {
		gs, err := s.readGoroutines()
		if err != nil {
			return nil
		}
		for _, g := range gs {
			if g.Tid == tid && onThread(g) {
				id = g.ID
			}
		}
		return nil
	})
	return id
}

func (s *Session) readGoroutines() ([]goruntime.Goroutine, error) {
	rt, err := s.runtimeOf()
	if err != nil {
		return nil, err
	}
	return rt.Goroutines(memReader{s})
}

func (s *Session) findGoroutine(id int64) (goruntime.Goroutine, error) {
	gs, err := s.readGoroutines()
	if err != nil {
		return goruntime.Goroutine{}, err
	}
	for _, g := range gs {
		if g.ID == id {
			return g, nil
		}
	}
	return goruntime.Goroutine{}, fmt.Errorf("goroutine %d: %w", id, ErrNoGoroutine)
}

// onThread: the goroutine is what its m runs (a goroutine keeps g.m only
// while it runs or is in a system call, or when locked to its thread).
func onThread(g goruntime.Goroutine) bool {
	return g.Tid != 0 && (g.Status == goruntime.Running || g.Status == goruntime.Syscall)
}

func (s *Session) goroutineFrames(c *target.Ctl, g goruntime.Goroutine, max int) ([]symbols.Frame, error) {
	if onThread(g) {
		if th := s.threads[g.Tid]; th == nil || !th.held {
			return nil, fmt.Errorf("goroutine %d runs on thread %d: %w", g.ID, g.Tid, ErrNotStopped)
		}
		return s.unwind(c, g.Tid, max)
	}
	if g.PC == 0 || g.SP == 0 {
		return nil, fmt.Errorf("goroutine %d (%s) has no saved context to unwind from", g.ID, g.Status)
	}
	var r symbols.Regs
	r.Set(regnum.AMD64_Rip, g.PC)
	r.Set(regnum.AMD64_Rsp, g.SP)
	r.Set(regnum.AMD64_Rbp, g.BP)
	if max <= 0 {
		max = 256
	}
	return s.syms.UnwindRegs(memReader{s}, r, symbols.UnwindOptions{MaxFrames: max})
}

func (s *Session) describeGoroutine(c *target.Ctl, g goruntime.Goroutine) GoroutineInfo {
	gi := GoroutineInfo{ID: g.ID, Status: g.Status.String(), WaitReason: g.WaitReason}
	if onThread(g) {
		gi.Tid = g.Tid
		th := s.threads[g.Tid]
		gi.Stopped = th != nil && th.held
	}
	gi.Start = s.funcName(g.StartPC)
	gi.System = isRuntimeFunc(gi.Start)
	if frames, err := s.goroutineFrames(c, g, 64); err == nil && len(frames) > 0 {
		gi.CurFunc = frames[0].Function
		for _, f := range frames {
			if f.Function != "" && !isRuntimeFunc(f.Function) {
				gi.UserFrame = f
				break
			}
		}
	}
	return gi
}

func (s *Session) funcName(pc uint64) string {
	if pi := s.syms.LookupPC(pc); len(pi.Frames) > 0 {
		return pi.Frames[len(pi.Frames)-1].Function
	}
	return ""
}

// isRuntimeFunc: code of the runtime itself, not the program's.
func isRuntimeFunc(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/")
}
