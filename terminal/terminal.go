// Package terminal is ubpdbg's interactive command language: `ubpdbg exec`
// and `ubpdbg attach` run it over one debugger.Session.
//
// The session is non-stop: one thread can sit at a breakpoint while the
// others run and stop on their own. The terminal makes that plain. The
// prompt names the selected thread and says whether it is stopped or
// running; `threads` shows every thread's state; and whatever happens in
// the program while the user types (a stop, a thread exit, logpoint output,
// the program's exit) is printed at once, above the line being typed (see
// tty.go for how that is done with liner).
//
// With a terminal, lines are edited with liner (history, tab completion of
// commands, functions and files). Without one, commands are read one per
// line, nothing is echoed, and resuming commands wait for the next stop, so
// a session can be scripted (see docs/cli.md).
//
// Each command group lives in its own file: cmd_break.go (breakpoints),
// cmd_run.go (resuming, stepping, ending), cmd_stack.go (threads and
// frames), cmd_data.go (values, registers, memory), cmd_source.go (list,
// disassemble).
package terminal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ubpdbg/ubpdbg/debugger"
)

// Config says what a terminal runs on.
type Config struct {
	Session *debugger.Session
	// Launched: we started the program (quit kills it, after asking when
	// interactive); otherwise we attached (quit detaches).
	Launched bool
	// In is where commands come from when not Interactive.
	In io.Reader
	// Out receives everything the terminal prints.
	Out io.Writer
	// Interactive: In and Out are the process's terminal (os.Stdin and
	// os.Stdout); use liner for line editing and history.
	Interactive bool
	// InitFile, if set, is a file of commands run before the first prompt.
	InitFile string
	// ProgramOutput is the writer from ProgramOutput that the launched
	// program writes to, if any.
	ProgramOutput io.Writer
	// HistoryFile is where interactive history is kept ("" for none).
	HistoryFile string
	// Echo prints each command that does not come from the keyboard (a
	// script, the init file) after a "(ubpdbg) " prompt before running
	// it, so that a script's output reads like a session.
	Echo bool
}

// Term is one running terminal.
type Term struct {
	s        *debugger.Session
	launched bool
	echo     bool
	con      *console
	in       lineReader
	tty      *ttyInput // nil unless interactive

	mu       sync.Mutex   // guards what follows (shared with the event loop)
	cur      int          // selected thread
	frame    int          // selected frame of it
	ended    bool         // the process exited or was detached
	endText  string       // how it ended
	waiter   *waiter      // a command waiting for a stop or the end
	threadOK map[int]bool // threads alive (event loop only)
	// shown: threads whose stop the event loop has reported and that have
	// not gone on since; a stop still queued is not in it.
	shown map[int]bool
	names names
	// printing: how deep and how long print shows values (set print
	// max-depth, set print elements); 0 until set: gdb's defaults.
	printDepthSet, printElementsSet int

	done     chan struct{} // closed when the event stream ends
	lastCmd  string        // for repeating on an empty line
	listNext *listPos      // where a bare `list` goes on
	quit     bool
	status   int
}

// lineReader gives the next command line; io.EOF at the end.
type lineReader interface {
	readLine() (string, error)
}

// Run runs a terminal until the user quits or input ends; it returns the
// exit status for the ubpdbg process.
func Run(cfg Config) int {
	t := newTerm(cfg)
	defer t.close()
	go t.eventLoop()
	// With a terminal Ctrl-C is a key we read (tty.go); SIGINT still
	// comes from scripts' Ctrl-C and from kill -INT.
	defer t.catchInterrupt()()
	if cfg.InitFile != "" {
		if err := t.runFile(cfg.InitFile); err != nil {
			t.con.printf("%v\n", err)
		}
	}
	t.loop()
	t.finish()
	return t.status
}

func newTerm(cfg Config) *Term {
	t := &Term{s: cfg.Session, launched: cfg.Launched, echo: cfg.Echo && !cfg.Interactive, done: make(chan struct{}), threadOK: map[int]bool{}, shown: map[int]bool{}}
	t.con = &console{out: cfg.Out}
	if w, ok := cfg.ProgramOutput.(*progWriter); ok {
		w.mu.Lock()
		w.con = t.con
		w.mu.Unlock()
	}
	if cfg.Interactive {
		t.tty = newTTY(t, cfg.HistoryFile)
		t.con.tty = t.tty
		t.in = t.tty
	} else {
		t.in = newScriptReader(cfg.In)
	}
	t.selectInitial()
	return t
}

func (t *Term) close() {
	if t.tty != nil {
		t.tty.close()
	}
}

// selectInitial picks the thread the prompt starts on: a stopped one (a
// launched program stops at its first instruction), else the main thread.
func (t *Term) selectInitial() {
	t.cur = t.s.Pid()
	ths, err := t.s.Threads()
	if err != nil {
		return
	}
	for _, th := range ths {
		t.threadOK[th.Tid] = true
		if th.Stopped {
			t.cur = th.Tid
			return
		}
	}
}

// loop reads and runs commands until quit or the end of input.
func (t *Term) loop() {
	for !t.quit {
		line, err := t.in.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				t.endOfInput()
			}
			return
		}
		t.echoLine(line)
		t.runLine(line, true)
	}
}

// echoLine shows a scripted command as if typed at the prompt (Echo).
func (t *Term) echoLine(line string) {
	if t.echo && strings.TrimSpace(line) != "" {
		t.con.printf("(ubpdbg) %s\n", strings.TrimSpace(line))
	}
}

// runFile runs the commands of an init file; the first error ends it.
func (t *Term) runFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("init file: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if t.quit {
			return nil
		}
		t.echoLine(line)
		t.runLine(line, false)
	}
	return nil
}

// endOfInput ends a session whose commands ran out (Ctrl-D, or the end of
// a script): as quit does, without asking.
func (t *Term) endOfInput() {
	if t.tty != nil {
		t.con.printf("\n")
	}
	t.doQuit(false)
}

// finish waits for the event loop to print the end of the session, so that
// "exited" or "detached" is the last thing said.
func (t *Term) finish() {
	select {
	case <-t.done:
	case <-time.After(5 * time.Second):
	}
}

// selected returns the selected thread and frame.
func (t *Term) selected() (tid, frame int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur, t.frame
}

func (t *Term) isEnded() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ended
}

// prompt shows the selected thread and whether it is stopped or running:
// in non-stop mode that is the first thing to know before typing.
func (t *Term) prompt() string {
	t.mu.Lock()
	ended, tid, frame := t.ended, t.cur, t.frame
	t.mu.Unlock()
	if ended {
		return "(ubpdbg: no process) "
	}
	state := "running"
	if t.s.Stopped(tid) {
		state = "stopped"
		if frame > 0 {
			state = fmt.Sprintf("stopped, frame %d", frame)
		}
	}
	return fmt.Sprintf("(ubpdbg) thread %d %s> ", tid, state)
}

// scriptReader reads commands from a file or pipe, one per line. Lines
// are read ahead by a goroutine, so that a command waiting for a stop can
// see the lines after it (kill, detach, quit end the wait: see
// Term.await).
type scriptReader struct {
	lines chan scriptLine
	queue []scriptLine // read ahead, not yet run
	atEnd bool         // the queue ends with the end of input (or an error)
}

type scriptLine struct {
	text string
	err  error
}

func newScriptReader(r io.Reader) *scriptReader {
	s := &scriptReader{lines: make(chan scriptLine)}
	go func() {
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
				s.lines <- scriptLine{err: err}
				return
			}
			s.lines <- scriptLine{text: strings.TrimRight(line, "\r\n")}
		}
	}()
	return s
}

func (s *scriptReader) readLine() (string, error) {
	if len(s.queue) == 0 {
		s.add(<-s.lines)
	}
	l := s.queue[0]
	if l.err == nil || len(s.queue) > 1 {
		s.queue = s.queue[1:]
	}
	return l.text, l.err
}

// add queues a line read ahead.
func (s *scriptReader) add(l scriptLine) {
	s.queue = append(s.queue, l)
	if l.err != nil {
		s.atEnd = true
	}
}

// waitOrEnd waits for done, reading lines ahead meanwhile. Lines that
// were there when the wait began (the rest of a script file) wait their
// turn; a line that arrives later, while the wait goes on, is someone
// ending a session that does not stop: kill, detach or quit, or the end of
// the input, make it return false at once.
func (s *scriptReader) waitOrEnd(done <-chan struct{}) bool {
	// What arrives within scriptSettle of the previous line was already
	// written: a file or here-document comes in microseconds.
	settle := time.NewTimer(scriptSettle)
	defer settle.Stop()
	for !s.atEnd {
		select {
		case <-done:
			return true
		case l := <-s.lines:
			s.add(l)
			settle.Reset(scriptSettle)
			continue
		case <-settle.C:
		}
		break
	}
	for !s.atEnd {
		select {
		case <-done:
			return true
		case l := <-s.lines:
			s.add(l)
			if l.err != nil || endsSession(l.text) {
				return false
			}
		}
	}
	<-done
	return true
}

// scriptSettle is how long a script's input may pause between lines that
// were written together.
const scriptSettle = 200 * time.Millisecond

// endsSession reports whether a command line ends the session.
func endsSession(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "kill", "detach", "quit", "q", "exit":
		return true
	}
	return false
}

// console serializes everything printed, by commands and by the event loop.
type console struct {
	mu  sync.Mutex
	out io.Writer
	tty *ttyInput
}

// printf prints command output (the prompt is not showing meanwhile).
func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
}

// async prints text that arrived on its own (an event, program output):
// above the prompt if the user is typing.
func (c *console) async(text string) {
	if text == "" {
		return
	}
	if c.tty != nil && c.tty.above(text) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.out, text)
}
