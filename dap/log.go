package dap

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// logger writes the --log output: DAP traffic ("dap") and the engine's
// decisions ("debugger"), each line stamped and tagged, to one writer. A
// nil *logger logs nothing, so callers never check.
type logger struct {
	mu       sync.Mutex
	w        io.Writer
	dapOn    bool
	engineOn bool
}

// newLogger parses a --log-output list ("dap,debugger"); an empty list
// means "dap" as in dlv. w nil means no logging at all.
func newLogger(w io.Writer, outputs string) (*logger, error) {
	if w == nil {
		return nil, nil
	}
	l := &logger{w: w}
	if outputs == "" {
		outputs = "dap"
	}
	for _, o := range strings.Split(outputs, ",") {
		switch strings.TrimSpace(o) {
		case "dap":
			l.dapOn = true
		case "debugger":
			l.engineOn = true
		case "":
		default:
			return nil, fmt.Errorf("unknown log output %q: want dap or debugger", o)
		}
	}
	return l, nil
}

func (l *logger) printf(tag, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s %s %s\n", time.Now().Format("15:04:05.000000"), tag, fmt.Sprintf(format, args...))
}

// dap logs protocol traffic.
func (l *logger) dap(format string, args ...any) {
	if l != nil && l.dapOn {
		l.printf("dap", format, args...)
	}
}

// engine returns the writer the debugger logs its decisions to, or nil.
func (l *logger) engine() io.Writer {
	if l == nil || !l.engineOn {
		return nil
	}
	return engineLog{l}
}

// engineLog turns the debugger's lines into tagged log lines.
type engineLog struct{ l *logger }

func (e engineLog) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		e.l.printf("debugger", "%s", line)
	}
	return len(p), nil
}
