package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// logFlags are the logging options of every subcommand that logs, with
// one meaning everywhere (dlv's): --log turns logging on, --log-output
// says what is logged (a comma-separated list of components), --log-dest
// where (stderr if not given). Either of the last two turns logging on
// too.
type logFlags struct {
	on           bool
	output, dest string
}

func (l *logFlags) define(fs *flag.FlagSet, components string) {
	fs.BoolVar(&l.on, "log", false, "log (see --log-output) to stderr or --log-dest")
	fs.StringVar(&l.output, "log-output", "", "what to log, comma-separated: "+components)
	fs.StringVar(&l.dest, "log-dest", "", "write the log to `FILE` instead of stderr")
}

func (l *logFlags) enabled() bool { return l.on || l.output != "" || l.dest != "" }

// only checks that --log-output names no component but those given.
func (l *logFlags) only(components ...string) error {
	if l.output == "" {
		return nil
	}
	for _, c := range strings.Split(l.output, ",") {
		if !slices.Contains(components, strings.TrimSpace(c)) {
			return fmt.Errorf("--log-output: unknown component %q: want %s", c, strings.Join(components, ", "))
		}
	}
	return nil
}

// writer is where the log goes: nil if logging is off, stderr, or the
// --log-dest file, created readable by the user alone and appended to.
func (l *logFlags) writer() (io.Writer, error) {
	if !l.enabled() {
		return nil, nil
	}
	if l.dest == "" {
		return os.Stderr, nil
	}
	return os.OpenFile(l.dest, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}
