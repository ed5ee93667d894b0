// Command ubpdbg is a debugger for native Linux x86-64 programs whose
// breakpoints stay inserted while threads run (execute-out-of-line), so one
// thread can sit at a breakpoint while the others keep running.
//
//	ubpdbg dap [--listen ADDR]             Debug Adapter Protocol server
//	ubpdbg exec PROG [ARGS...]             interactive terminal debugger
//	ubpdbg attach PID                      same, on a running process
//	ubpdbg trace LOCSPEC... -- PROG ARGS   count or log hits without stopping
//
// Each subcommand lives in its own file and registers itself here; this
// file only dispatches.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ubpdbg/ubpdbg/debugger"
	"golang.org/x/sys/unix"
)

// command is one subcommand: run gets the arguments after its name and
// returns the exit status.
type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) int) {
	commands[name] = command{summary: summary, run: run}
}

func usage() {
	var b strings.Builder
	b.WriteString("ubpdbg: a non-stop debugger for native Linux x86-64 programs\n\nusage: ubpdbg COMMAND [ARGS...]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'ubpdbg COMMAND -h' for a command's options.\n")
	fmt.Fprint(os.Stderr, b.String())
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	switch name {
	case "-h", "--help", "help":
		usage()
		os.Exit(0)
	case "version", "--version":
		fmt.Println("ubpdbg", version)
		os.Exit(0)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "ubpdbg: unknown command %q\n\n", name)
		usage()
		os.Exit(2)
	}
	guardEnds(name)
	defer closeOnPanic()
	os.Exit(cmd.run(os.Args[2:]))
}

// The programs we debug must outlive whatever happens to ubpdbg. The
// uncatchable ends (SIGKILL, the OOM killer) are the guardian's business
// (target/guardian.go); the catchable ones are caught here, before any
// process is touched, so that no signal can arrive in a window where it
// would still kill us with int3s left in a program.

// endSignals are the signals that end each command after it let every
// program go (attached ones detached, launched ones killed). The terminal
// keeps SIGINT for itself (it pauses the program) and trace handles all
// three itself, to print its report.
var endSignals = map[string][]os.Signal{
	"dap":    {syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP},
	"exec":   {syscall.SIGTERM, syscall.SIGHUP},
	"attach": {syscall.SIGTERM, syscall.SIGHUP},
}

// letGoTimeout bounds how long a signal waits for the programs to be let
// go: a signal always ends ubpdbg, even if a program cannot be stopped.
const letGoTimeout = 10 * time.Second

// guardEnds installs the handlers: for the command's end signals, and for
// SIGPIPE, which would otherwise kill us at the first write to a client or
// terminal that is gone (Go dies of it on stdout and stderr); with a
// handler such a write just fails. A handler, unlike an ignored signal, is
// not inherited by the programs we start.
func guardEnds(name string) {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	sigs := endSignals[name]
	if len(sigs) == 0 {
		return
	}
	saved := saveTerminal()
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	go func() {
		sig := <-ch
		fmt.Fprintf(os.Stderr, "ubpdbg: %v: detaching from attached programs, killing launched ones\n", sig)
		done := make(chan struct{})
		go func() {
			debugger.CloseAll()
			close(done)
		}()
		select {
		case <-done:
		case <-ch:
			fmt.Fprintln(os.Stderr, "ubpdbg: a second signal: exiting now")
		case <-time.After(letGoTimeout):
			fmt.Fprintf(os.Stderr, "ubpdbg: the programs could not be let go within %v: exiting\n", letGoTimeout)
		}
		saved.restore()
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
}

// closeOnPanic lets every program go before a panic of the main goroutine
// ends us (the ptrace thread and the DAP request loop recover their own).
func closeOnPanic() {
	if v := recover(); v != nil {
		done := make(chan struct{})
		go func() {
			debugger.CloseAll()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(letGoTimeout):
		}
		panic(v)
	}
}

// termState is the terminal's settings when we started, so that an exit on
// a signal does not leave it in the line editor's raw mode.
type termState struct{ t *unix.Termios }

func saveTerminal() termState {
	t, err := unix.IoctlGetTermios(0, unix.TCGETS)
	if err != nil {
		return termState{}
	}
	return termState{t}
}

func (s termState) restore() {
	if s.t != nil {
		_ = unix.IoctlSetTermios(0, unix.TCSETS, s.t)
	}
}

const version = "0.1.0-dev"
