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
	"sort"
	"strings"
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
	os.Exit(cmd.run(os.Args[2:]))
}

const version = "0.1.0-dev"
