package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/terminal"
	"golang.org/x/sys/unix"
)

// exec and attach: the interactive terminal debugger (package terminal).

func init() {
	register("exec", "debug a program in the terminal", runExec)
	register("attach", "debug a running process in the terminal", runAttach)
}

// termFlags are the options exec and attach share.
type termFlags struct {
	init     string
	stopMode string
	log      logFlags
	echo     bool
}

func (f *termFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.init, "init", "", "run the commands in `FILE` first")
	fs.StringVar(&f.stopMode, "stop-mode", "thread", "which threads stop at a breakpoint: thread (non-stop) or all")
	f.log.define(fs, "debugger (the engine's decisions; the only one here)")
	fs.BoolVar(&f.echo, "echo", false, "print each scripted command after a (ubpdbg) prompt before its output")
}

func (f *termFlags) config() (debugger.Config, error) {
	mode, err := debugger.ParseStopMode(f.stopMode)
	if err != nil {
		return debugger.Config{}, err
	}
	cfg := debugger.Config{StopMode: mode}
	if err := f.log.only("debugger"); err != nil {
		return cfg, err
	}
	w, err := f.log.writer()
	if err != nil {
		return cfg, err
	}
	if w != nil {
		cfg.Log = w
	}
	return cfg, nil
}

func runExec(args []string) int {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	var tf termFlags
	tf.define(fs)
	var stdinFile, ttyPath string
	fs.StringVar(&stdinFile, "stdin", "", "the program reads its standard input from `FILE` (default /dev/null)")
	fs.StringVar(&ttyPath, "tty", "", "the program's standard input, output and error are the terminal `DEV` (for example another window's /dev/pts/N)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: ubpdbg exec [--init FILE] [--stop-mode thread|all] [--stdin FILE] [--tty DEV] PROG [ARGS...]\n\n"+
			"Start PROG stopped at its first instruction and debug it; see docs/cli.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	cfg, err := tf.config()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg exec: %v\n", err)
		return 2
	}
	interactive := isTerminal(0) && isTerminal(1)
	progOut := terminal.ProgramOutput(os.Stdout)
	lc := debugger.LaunchConfig{Config: cfg, Program: fs.Arg(0), Args: fs.Args()[1:]}
	files, err := programFiles(&lc, stdinFile, ttyPath, interactive, progOut)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg exec: %v\n", err)
		return 2
	}
	defer closeAll(files)
	s, err := debugger.Launch(lc)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg exec: %v\n", err)
		return 1
	}
	return terminal.Run(terminal.Config{Session: s, Launched: true, In: os.Stdin, Out: os.Stdout,
		Interactive: interactive, InitFile: tf.init, HistoryFile: historyFile(interactive), ProgramOutput: progOut, Echo: tf.echo})
}

// programFiles chooses the launched program's standard files and returns
// those it opened.
//
// Input is never ours, which holds the commands (a terminal, or a script):
// it is --stdin's file, else --tty's terminal, else /dev/null.
//
// Output is ours as it is (a file, a pipe, a terminal: the program writes
// to it directly, as without a debugger, and goes on writing to it after a
// detach), with one exception: when ubpdbg is interactive, the program's
// output to our terminal is relayed a line at a time through the terminal
// front end, which prints it above the prompt (non-stop: the prompt is up
// while the program runs, and raw writes would land in the line being
// typed). A detach hands that relay to a process that outlives ubpdbg
// (terminal/cmd_run.go). --tty gives the program a terminal of its own
// for all three.
func programFiles(lc *debugger.LaunchConfig, stdinFile, ttyPath string, interactive bool, progOut io.Writer) ([]*os.File, error) {
	var opened []*os.File
	if ttyPath != "" {
		tty, err := os.OpenFile(ttyPath, os.O_RDWR|unix.O_NOCTTY, 0)
		if err != nil {
			return nil, fmt.Errorf("--tty: %w", err)
		}
		if !isTerminal(int(tty.Fd())) {
			tty.Close()
			return nil, fmt.Errorf("--tty: %s is not a terminal", ttyPath)
		}
		opened = append(opened, tty)
		lc.Stdin, lc.Stdout, lc.Stderr = tty, tty, tty
	}
	if stdinFile != "" {
		in, err := os.Open(stdinFile)
		if err != nil {
			closeAll(opened)
			return nil, fmt.Errorf("--stdin: %w", err)
		}
		opened = append(opened, in)
		lc.Stdin = in
	}
	if lc.Stdin == nil {
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			closeAll(opened)
			return nil, err
		}
		opened = append(opened, devnull)
		lc.Stdin = devnull
	}
	if ttyPath == "" && interactive {
		lc.Stdout = progOut
		if isTerminal(2) {
			lc.Stderr = progOut
		}
	}
	return opened, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

func runAttach(args []string) int {
	fs := flag.NewFlagSet("attach", flag.ContinueOnError)
	var tf termFlags
	tf.define(fs)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: ubpdbg attach [--init FILE] [--stop-mode thread|all] PID\n\n"+
			"Attach to a running process (it keeps running) and debug it; quit detaches.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	pid, err := strconv.Atoi(fs.Arg(0))
	if err != nil || pid <= 0 {
		fmt.Fprintf(os.Stderr, "ubpdbg attach: %q is not a process ID\n", fs.Arg(0))
		return 2
	}
	cfg, err := tf.config()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg attach: %v\n", err)
		return 2
	}
	s, err := debugger.Attach(pid, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg attach: %v\n", err)
		return 1
	}
	interactive := isTerminal(0) && isTerminal(1)
	return terminal.Run(terminal.Config{Session: s, In: os.Stdin, Out: os.Stdout,
		Interactive: interactive, InitFile: tf.init, HistoryFile: historyFile(interactive), Echo: tf.echo})
}

// createPrivate creates (or truncates) a file of ours: readable by the
// user alone, as the DAP log is, unless the umask takes away more. Traces
// and logs hold the program's data and the user's expressions.
func createPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// historyFile is where the terminal keeps its history across runs:
// $UBPDBG_HISTORY, else $XDG_STATE_HOME/ubpdbg/history if XDG_STATE_HOME
// is set, else ~/.ubpdbg_history.
func historyFile(interactive bool) string {
	if !interactive {
		return ""
	}
	if p := os.Getenv("UBPDBG_HISTORY"); p != "" {
		return p
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		dir := filepath.Join(d, "ubpdbg")
		if os.MkdirAll(dir, 0o700) == nil {
			return filepath.Join(dir, "history")
		}
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".ubpdbg_history")
	}
	return ""
}
