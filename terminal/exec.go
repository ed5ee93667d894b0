package terminal

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Exec runs one terminal command for another front end (the DAP server's
// Debug Console: `-exec bt`), on thread tid and its frame, and returns
// what it printed. Only commands that look and set (the "threads and
// stack", "data", "source" and "breakpoints" groups, and help) run here:
// the ones that run the program or end the session wait for events that
// the other front end owns, and that front end has its own controls.
func Exec(s *debugger.Session, tid, frame int, line string) string {
	var out bytes.Buffer
	t := &Term{s: s, cur: tid, frame: frame, con: &console{out: &out}, done: make(chan struct{}),
		threadOK: map[int]bool{}}
	word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	if c, _ := lookup(word); c != nil {
		switch c.group {
		case "threads and stack", "data", "source", "breakpoints":
		default:
			if c.name != "help" {
				return fmt.Sprintf("%s: not from here: use the debugger's own controls to run, step or end the program\n", c.name)
			}
		}
	}
	t.runLine(line, false)
	return out.String()
}
