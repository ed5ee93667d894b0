package eval

import (
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/expr"
)

// errAt makes an *expr.Error pointing at a node of the expression, so
// front ends can show a caret under the problem (expr.Error.Render).
func errAt(n expr.Node, format string, args ...any) error {
	pos := 0
	if n != nil {
		pos = n.Pos()
	}
	return &expr.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// errorf is a plain error for problems not tied to a place in the text.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// valueErr explains why a value used at n could not be read.
func (c *Context) valueErr(n expr.Node, v *value, err error) error {
	var xe *expr.Error
	if errors.As(err, &xe) {
		return err
	}
	if errors.Is(err, errOptimizedOut) {
		return errAt(n, "%s is optimized out", describe(v))
	}
	return errAt(n, "%s: %v", describe(v), err)
}
