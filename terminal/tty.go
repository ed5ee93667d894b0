package terminal

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-delve/liner"
	"golang.org/x/sys/unix"
)

// Printing above the prompt.
//
// In non-stop mode the program keeps running while the user types, so a
// stop, a thread's exit or a logpoint's output can arrive in the middle of
// a line. It must be printed at once, and the half-typed line must survive
// it. liner has no "print above the prompt" call, and its line buffer is
// private, so we cannot simply redraw it ourselves. Two ways were
// considered:
//
//   - Clear the line, print, and make liner redraw by sending ourselves
//     SIGWINCH (liner refreshes the prompt and its buffer on a window
//     change). Cheap, but liner redraws the prompt string it was given,
//     and ours changes with the event ("thread 7 running" becomes
//     "stopped"), which is the most common case; and our writes would race
//     with liner's own echo.
//   - Own liner's input. liner reads keys from os.Stdin as it was when
//     NewLiner ran; we hand it the read end of a pipe instead and copy the
//     terminal's bytes into it ourselves (termios calls still go to fd 0,
//     the real terminal). To print above the prompt we write a carriage
//     return into the pipe: liner returns the line typed so far as if Enter
//     had been pressed; we erase that line, print, and prompt again with
//     the new prompt and the same text (PromptWithSuggestion). Keystrokes
//     are never lost: they wait in the pipe in order.
//
// We do the second. Every line end written into the pipe is recorded in
// order as the user's or ours, and each return of Prompt takes the oldest,
// so a real Enter is never mistaken for ours. That needs every line end to
// end exactly one Prompt: true with liner's circular tab completion (the
// "Display all N possibilities? (y or n)" question of TabPrints would eat
// one) except right after Esc, which starts an escape sequence that could
// swallow our byte; so we wait until 100ms after the last Esc. The cursor
// goes to the end of the line after a redraw; the text is unchanged.
//
// Owning the input also makes Ctrl-C simple: ISIG is off (liner turns it
// off while prompting; we keep it off between prompts too), so Ctrl-C is a
// byte we see first. If anything runs, it pauses the program and goes no
// further; if nothing runs, liner gets it and clears the line. The program
// never gets a SIGINT from our terminal.
type ttyInput struct {
	t    *Term
	line *liner.State
	real *os.File // the terminal
	pw   *os.File // liner reads the other end
	hist string

	mu        sync.Mutex
	prompting bool
	injected  bool     // a line end of ours is on its way to liner
	ends      []bool   // line ends in the pipe, oldest first: true if ours
	pending   []string // text to print at the next redraw
	lastEsc   time.Time
}

func newTTY(t *Term, histFile string) *ttyInput {
	y := &ttyInput{t: t, real: os.Stdin, hist: histFile}
	pr, pw, err := os.Pipe()
	if err != nil {
		panic(err) // out of file descriptors at startup
	}
	y.pw = pw
	// liner captures os.Stdin in NewLiner (bufio.NewReader(os.Stdin)).
	os.Stdin = pr
	y.line = liner.NewLiner()
	os.Stdin = y.real
	y.line.SetCtrlCAborts(false)
	y.line.SetTabCompletionStyle(liner.TabCircular)
	y.line.SetWordCompleter(t.complete)
	if histFile != "" {
		if f, err := os.Open(histFile); err == nil {
			y.line.ReadHistory(f)
			f.Close()
		}
	}
	noISIG()
	go y.copyInput()
	return y
}

// noISIG turns off the terminal's signal keys, so Ctrl-C reaches us as a
// byte even between prompts (see above).
func noISIG() {
	tio, err := unix.IoctlGetTermios(0, unix.TCGETS)
	if err != nil {
		return
	}
	tio.Lflag &^= unix.ISIG
	unix.IoctlSetTermios(0, unix.TCSETS, tio)
}

func (y *ttyInput) close() {
	if y.hist != "" {
		// 0600: the history holds what the user typed (expressions,
		// values set), for their eyes only.
		if f, err := os.OpenFile(y.hist, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err == nil {
			y.line.WriteHistory(f)
			f.Close()
		}
	}
	y.line.Close()
}

// copyInput copies the terminal's bytes into liner's pipe, noting line
// ends and Esc, and taking Ctrl-C out when it pauses the program.
func (y *ttyInput) copyInput() {
	buf := make([]byte, 256)
	for {
		n, err := y.real.Read(buf)
		if err != nil {
			y.pw.Close()
			return
		}
		var out []byte
		for _, b := range buf[:n] {
			if b == 3 { // Ctrl-C
				y.mu.Lock()
				prompting := y.prompting
				y.mu.Unlock()
				if y.t.interrupt() || !prompting {
					continue
				}
			}
			out = append(out, b)
		}
		y.mu.Lock()
		for _, b := range out {
			switch b {
			case '\r', '\n':
				y.ends = append(y.ends, false)
			case 0x1b:
				y.lastEsc = time.Now()
			}
		}
		y.pw.Write(out)
		y.mu.Unlock()
	}
}

// above prints text above the prompt if the user is at it (and reports
// true); otherwise it prints it in place.
func (y *ttyInput) above(text string) bool {
	y.mu.Lock()
	defer y.mu.Unlock()
	if !y.prompting {
		y.t.con.mu.Lock()
		io.WriteString(y.t.con.out, text)
		y.t.con.mu.Unlock()
		return true
	}
	y.pending = append(y.pending, text)
	y.injectLocked()
	return true
}

// injectLocked ends liner's line with a line end of ours (see above).
func (y *ttyInput) injectLocked() {
	if y.injected {
		return
	}
	if d := time.Since(y.lastEsc); d < 100*time.Millisecond {
		time.AfterFunc(100*time.Millisecond-d, func() {
			y.mu.Lock()
			defer y.mu.Unlock()
			if y.prompting && len(y.pending) > 0 {
				y.injectLocked()
			}
		})
		return
	}
	y.injected = true
	y.ends = append(y.ends, true)
	y.pw.Write([]byte{'\r'})
}

// flushLocked prints the text that waited for a redraw.
func (y *ttyInput) flushLocked() {
	if len(y.pending) == 0 {
		return
	}
	y.t.con.mu.Lock()
	for _, s := range y.pending {
		io.WriteString(y.t.con.out, s)
	}
	y.t.con.mu.Unlock()
	y.pending = nil
}

// readLine prompts until the user enters a line, redrawing whenever
// something was printed above.
func (y *ttyInput) readLine() (string, error) {
	text := ""
	for {
		y.mu.Lock()
		y.flushLocked()
		y.prompting = true
		y.mu.Unlock()

		line, err := y.line.PromptWithSuggestion(y.t.prompt(), text, -1)

		y.mu.Lock()
		y.prompting = false
		if err != nil {
			y.flushLocked()
			y.mu.Unlock()
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			if errors.Is(err, liner.ErrPromptAborted) {
				text = ""
				continue
			}
			return "", err
		}
		ours := false
		if len(y.ends) > 0 {
			ours, y.ends = y.ends[0], y.ends[1:]
		}
		if ours {
			y.injected = false
			// liner printed the line and a newline: go back up, erase it,
			// print what arrived, and prompt again with the same text.
			y.t.con.mu.Lock()
			io.WriteString(y.t.con.out, "\x1b[1A\r\x1b[K")
			y.t.con.mu.Unlock()
			y.flushLocked()
			y.mu.Unlock()
			text = line
			continue
		}
		y.flushLocked()
		y.mu.Unlock()
		if strings.TrimSpace(line) != "" {
			y.line.AppendHistory(line)
		}
		return line, nil
	}
}

// confirm asks a yes/no question.
func (y *ttyInput) confirm(q string) bool {
	for {
		ans, err := y.readAnswer(q + " (y or n) ")
		if err != nil {
			return true
		}
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "y", "yes":
			return true
		case "n", "no":
			return false
		}
	}
}

func (y *ttyInput) readAnswer(q string) (string, error) {
	for {
		y.mu.Lock()
		y.flushLocked()
		y.prompting = true
		y.mu.Unlock()
		line, err := y.line.Prompt(q)
		y.mu.Lock()
		y.prompting = false
		ours := false
		if err == nil && len(y.ends) > 0 {
			ours, y.ends = y.ends[0], y.ends[1:]
		}
		if ours {
			y.injected = false
			y.t.con.mu.Lock()
			io.WriteString(y.t.con.out, "\x1b[1A\r\x1b[K")
			y.t.con.mu.Unlock()
		}
		y.flushLocked()
		y.mu.Unlock()
		if !ours {
			return line, err
		}
	}
}

// progWriter carries the program's output to the terminal a line at a
// time, printed above the prompt like events. A partial line (a prompt
// without a newline) is flushed after a short pause.
type progWriter struct {
	out   io.Writer // before a terminal runs
	con   *console
	mu    sync.Mutex
	buf   []byte
	timer *time.Timer
}

func (w *progWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.con == nil {
		return w.out.Write(p)
	}
	w.buf = append(w.buf, p...)
	if i := strings.LastIndexByte(string(w.buf), '\n'); i >= 0 {
		w.con.async(string(w.buf[:i+1]))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 0 && w.timer == nil {
		w.timer = time.AfterFunc(200*time.Millisecond, w.flush)
	}
	return len(p), nil
}

func (w *progWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = nil
	if len(w.buf) > 0 {
		w.con.async(string(w.buf) + "\n")
		w.buf = nil
	}
}

// ProgramOutput returns the writer a launched program's standard output
// and error should go to when the terminal is interactive (pass it in
// Config.ProgramOutput): its lines are printed above the prompt instead of
// through it. Until the terminal runs, it writes to out.
func ProgramOutput(out io.Writer) io.Writer { return &progWriter{out: out} }
