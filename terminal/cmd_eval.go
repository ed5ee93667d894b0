package terminal

import (
	"errors"

	"github.com/ubpdbg/ubpdbg/breakpoints"
)

// Values: print, set, locals, args. They evaluate in the selected frame of
// the selected (stopped) thread with package eval.

func init() {
	register(
		&command{name: "print", aliases: []string{"p"}, group: "data", usage: "EXPR",
			summary: "evaluate EXPR in the selected frame", run: cmdPrint},
		&command{name: "set", group: "data", usage: "VAR = EXPR",
			summary: "assign to a variable (or register, or memory) in the selected frame", run: cmdSet},
		&command{name: "locals", group: "data", usage: "",
			summary: "show the selected frame's local variables", run: cmdLocals},
		&command{name: "args", group: "data", usage: "",
			summary: "show the selected frame's arguments", run: cmdArgs},
	)
}

var errNoEval = errors.New("expression evaluation is not available yet")

func cmdPrint(t *Term, args string) error  { return errNoEval }
func cmdSet(t *Term, args string) error    { return errNoEval }
func cmdLocals(t *Term, args string) error { return errNoEval }
func cmdArgs(t *Term, args string) error   { return errNoEval }

func (t *Term) evalAddress(s string) (uint64, error) {
	return 0, badArgs("%q is not an address", s)
}

// Evaluator returns the breakpoint condition and logpoint evaluator for
// sessions the terminal runs (nil until package eval provides one).
func Evaluator() breakpoints.Evaluator { return nil }
