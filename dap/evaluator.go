package dap

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// evaluator implements breakpoints.Evaluator (conditions and logpoint
// messages) on package eval. Package eval offers expression evaluation at
// a frame but no Evaluator, and debugger cannot import eval's users, so
// the adapter lives with its first user.
//
// It runs on the ptrace thread, in the middle of a hit: it must not call
// any debugger.Session method (they queue work for that same thread and
// would wait for themselves), so it reads registers through the Ctl it is
// given and memory through the process directly.
type evaluator struct {
	dbg   atomic.Pointer[debugger.Session] // set once the session exists
	mu    sync.Mutex
	cache map[string]*eval.Compiled // logpoint expressions by source
}

func newEvaluator() *evaluator { return &evaluator{cache: map[string]*eval.Compiled{}} }

var _ breakpoints.Evaluator = (*evaluator)(nil)

// condFrames is how far conditions unwind: frame 0 is where they are
// evaluated, its caller serves DW_OP_entry_value. Deeper unwinding would
// only slow every hit.
const condFrames = 2

// context prepares evaluation in thread tid's innermost frame.
func (e *evaluator) context(c *target.Ctl, tid int) (*eval.Context, error) {
	dbg := e.dbg.Load()
	if dbg == nil {
		return nil, errors.New("no debugging session yet")
	}
	regs, err := c.Regs(tid)
	if err != nil {
		return nil, err
	}
	proc := c.Process()
	frames, err := dbg.Symbols().Unwind(proc, &regs, symbols.UnwindOptions{MaxFrames: condFrames})
	if err != nil && len(frames) == 0 {
		return nil, err
	}
	cfg := eval.Config{Table: dbg.Symbols(), Frames: frames, Mem: proc, ThreadRegs: &regs}
	if fp, err := c.FPRegs(tid); err == nil {
		cfg.Vector = &fp.Xmm
	}
	return eval.NewContext(cfg)
}

// Cond evaluates a breakpoint's condition; its compiled form is cached in
// the breakpoint (the field debugger keeps for this).
func (e *evaluator) Cond(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) (bool, error) {
	ctx, err := e.context(c, tid)
	if err != nil {
		return false, err
	}
	p, _ := bp.Compiled.(*eval.Compiled)
	if p == nil {
		if p, err = ctx.Compile(bp.Spec.Cond); err != nil {
			return false, err
		}
		bp.Compiled = p
	}
	return ctx.CondCompiled(p)
}

// Log expands a logpoint's message. An expression that fails shows its
// error in the text (expr.Template.Expand does that), so a logpoint
// always logs.
func (e *evaluator) Log(c *target.Ctl, tid int, bp *breakpoints.Breakpoint) string {
	t := bp.Template()
	if t == nil {
		return bp.Spec.Log
	}
	var ctx *eval.Context
	var ctxErr error
	texts := map[expr.Expr]string{}
	for _, p := range t.Parts {
		if p.Expr != nil {
			texts[p.Expr] = p.Text
		}
	}
	return t.Expand(func(x expr.Expr) (string, error) {
		if ctx == nil && ctxErr == nil {
			ctx, ctxErr = e.context(c, tid)
		}
		if ctxErr != nil {
			return "", ctxErr
		}
		src := texts[x]
		e.mu.Lock()
		p := e.cache[src]
		e.mu.Unlock()
		if p == nil {
			var err error
			if p, err = ctx.Compile(src); err != nil {
				return "", err
			}
			e.mu.Lock()
			e.cache[src] = p
			e.mu.Unlock()
		}
		v, err := ctx.EvalCompiled(p)
		if err != nil {
			return "", err
		}
		return v.Value, nil
	})
}
