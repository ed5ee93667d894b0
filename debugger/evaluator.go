package debugger

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/target"
)

// ExprEvaluator evaluates the program's expressions in the innermost frame
// of a thread stopped at a breakpoint, on the ptrace thread. Package eval
// provides one; the session works without (breakpoints then take no
// conditions, and log messages only the pseudo-variables below).
type ExprEvaluator interface {
	// String formats the value of x (parsed from src) for a log message.
	String(c *target.Ctl, tid int, x expr.Expr, src string) (string, error)
	// Truth evaluates a condition; cache is the breakpoint's own slot for
	// whatever makes the next evaluation cheaper.
	Truth(c *target.Ctl, tid int, src string, cache *any) (bool, error)
}

// HitEvaluator is the session's breakpoints.Evaluator. Log messages may
// use, besides the program's expressions, the pseudo-variables {$tid}
// (thread ID), {$pc} (hex), {$hits} (the breakpoint's hit count) and
// {$bp} (its ID), which need no debug information.
type HitEvaluator struct {
	Exprs ExprEvaluator
}

var errNoExprs = errors.New("no expression evaluator in this session")

// Cond implements breakpoints.Evaluator.
func (h *HitEvaluator) Cond(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) (bool, error) {
	if h.Exprs == nil {
		return false, errNoExprs
	}
	return h.Exprs.Truth(c, tid, bp.Spec().Cond, bp.CondCache())
}

// Log implements breakpoints.Evaluator.
func (h *HitEvaluator) Log(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) string {
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
		if h.Exprs == nil {
			return "", errNoExprs
		}
		return h.Exprs.String(c, tid, x, expr.Format(x))
	})
}

// canCond reports whether the session can evaluate conditions.
func (s *Session) canCond() bool {
	if h, ok := s.cfg.Evaluator.(*HitEvaluator); ok {
		return h.Exprs != nil
	}
	return s.cfg.Evaluator != nil
}
