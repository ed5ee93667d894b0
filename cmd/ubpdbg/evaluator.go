package main

import (
	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// newEvaluator returns the evaluator of conditions and log messages every
// subcommand uses.
func newEvaluator() breakpoints.Evaluator {
	return &debugger.HitEvaluator{Exprs: debugger.Expressions()}
}
