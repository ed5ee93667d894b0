package debugger

import (
	"fmt"
	"strconv"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/target"
)

// decideUsers decides one hit of st's user breakpoints by thread tid: the
// session evaluates each condition and log message here, with package eval
// in the thread's innermost frame, and the breakpoint records the hit and
// says what it comes to (breakpoints.Breakpoint.Hit). Log messages are
// emitted as they are expanded, in breakpoint order. It returns the
// breakpoints that stop the thread and the conditions that could not be
// evaluated, the first time each.
func (s *Session) decideUsers(c *target.Ctl, tid int, st *breakpoints.Site) (stopBy []*breakpoints.Breakpoint, condErrs []error) {
	for _, bp := range st.Users() {
		if !bp.Enabled() || bp.Spec().Thread != 0 && bp.Spec().Thread != tid {
			continue // disabled, or another thread's breakpoint: not a hit, as in gdb
		}
		held, err := true, error(nil)
		if bp.Spec().Cond != "" {
			held, err = s.cond(c, tid, bp)
		}
		switch bp.Hit(st.Addr, held, err) {
		case breakpoints.Stop:
			stopBy = append(stopBy, bp)
		case breakpoints.StopCondError:
			stopBy = append(stopBy, bp)
			condErrs = append(condErrs, breakpoints.CondError{ID: bp.ID(), Cond: bp.Spec().Cond, Err: err})
		case breakpoints.Log:
			s.emit(Event{Kind: Output, Tid: tid, Category: "console", Text: s.logMessage(c, tid, bp) + "\n", LogMessage: true})
		}
	}
	return stopBy, condErrs
}

// cond evaluates bp's condition in frame 0 of thread tid. The compiled
// form, kept in the breakpoint, saves parsing and name lookup: conditions
// are evaluated on every hit.
func (s *Session) cond(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) (bool, error) {
	ctx, err := s.frameContext(c, tid, 0, 1)
	if err != nil {
		return false, err
	}
	src := bp.Spec().Cond
	cache := bp.CondCache()
	p, _ := (*cache).(*eval.Compiled)
	if p == nil || p.Src != src {
		p, err = ctx.Compile(src)
		if err != nil {
			return false, err
		}
		*cache = p
	}
	return ctx.CondCompiled(p)
}

// logMessage expands a logpoint's message in frame 0 of thread tid.
// Besides the program's expressions it may use the pseudo-variables
// {$tid} (thread ID), {$pc} (hex), {$hits} (the breakpoint's hit count)
// and {$bp} (its ID), which need no debug information.
func (s *Session) logMessage(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) string {
	t := bp.Template()
	if t == nil {
		return ""
	}
	return t.Expand(func(x expr.Expr) (string, error) {
		if r, ok := x.(*expr.Register); ok {
			switch r.Name {
			case "tid":
				return strconv.Itoa(tid), nil
			case "hits":
				return strconv.FormatUint(bp.Hits(), 10), nil
			case "bp":
				return strconv.Itoa(bp.ID()), nil
			case "pc":
				regs, err := c.Regs(tid)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("%#x", regs.Rip), nil
			}
		}
		ctx, err := s.frameContext(c, tid, 0, 1)
		if err != nil {
			return "", err
		}
		v, err := ctx.Eval(expr.Format(x))
		if err != nil {
			return "", err
		}
		return v.Value, nil
	})
}
