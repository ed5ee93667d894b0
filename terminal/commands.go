package terminal

import (
	"errors"
	"fmt"
	"strings"
)

// command is one terminal command.
type command struct {
	name    string
	aliases []string
	group   string
	usage   string // arguments, as help shows them
	summary string // one line
	help    string // more, for `help CMD`
	run     func(t *Term, args string) error
	repeat  bool // an empty line repeats it (interactive)
}

// Groups, in the order help lists them.
var groups = []string{"breakpoints", "running", "threads and stack", "data", "source", "session"}

var commands []*command

// register adds commands; each command file registers its group from an
// init function.
func register(cs ...*command) { commands = append(commands, cs...) }

// usageError is a bad argument: the message is followed by the command's
// usage and a pointer to its help.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badArgs(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// lookup finds a command by name, alias, or unique prefix of a name (as
// gdb accepts "disas" for "disassemble").
func lookup(word string) (*command, []string) {
	for _, c := range commands {
		if c.name == word {
			return c, nil
		}
		for _, a := range c.aliases {
			if a == word {
				return c, nil
			}
		}
	}
	var matches []*command
	var names []string
	for _, c := range commands {
		if strings.HasPrefix(c.name, word) {
			matches = append(matches, c)
			names = append(names, c.name)
		}
	}
	if len(matches) == 1 {
		return matches[0], nil
	}
	return nil, names
}

// suggest finds the command a mistyped word most likely meant: the
// nearest name or alias within two edits (one for short words), ties
// going to the longer, more descriptive name.
func suggest(word string) string {
	best, bestN, bestD := "", "", 3
	for _, c := range commands {
		for _, n := range append([]string{c.name}, c.aliases...) {
			if len(n) < 3 {
				continue // "b" is one edit from too much
			}
			d := editDistance(word, n)
			if d < bestD || (d == bestD && len(n) > len(bestN)) {
				best, bestN, bestD = c.name, n, d
			}
		}
	}
	if bestD > 2 || (bestD == 2 && len(word) < 3) {
		return ""
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (with adjacent
// transpositions: "braek" is one slip from "break").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// runLine runs one command line. Errors are printed as one line with a
// hint; the session always goes on.
func (t *Term) runLine(line string, fromUser bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		if fromUser && t.tty != nil && t.lastCmd != "" {
			line = t.lastCmd
		} else {
			return
		}
	}
	if strings.HasPrefix(line, "#") {
		return
	}
	word, args, _ := strings.Cut(line, " ")
	args = strings.TrimSpace(args)
	if w, f, ok := strings.Cut(word, "/"); ok && w != "" {
		// gdb's print/x: the format goes to the command as "/x ARGS".
		word, args = w, strings.TrimSpace("/"+f+" "+args)
	}
	c, ambiguous := lookup(word)
	if c == nil {
		switch {
		case len(ambiguous) > 1:
			t.con.printf("ambiguous command %q: %s? (help lists commands)\n", word, strings.Join(ambiguous, ", "))
		case suggest(word) != "":
			t.con.printf("unknown command %q; did you mean %q? (help lists commands)\n", word, suggest(word))
		default:
			t.con.printf("unknown command %q (help lists commands)\n", word)
		}
		return
	}
	if fromUser {
		t.lastCmd = ""
		if c.repeat {
			t.lastCmd = line
		}
	}
	if err := c.run(t, args); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			t.con.printf("%s: %s; usage: %s (help %s)\n", c.name, ue.msg, strings.TrimSpace(c.name+" "+c.usage), c.name)
			return
		}
		t.con.printf("%s: %v\n", c.name, err)
	}
}

func init() {
	register(&command{
		name: "help", aliases: []string{"h"}, group: "session", usage: "[COMMAND]",
		summary: "list commands, or explain one",
		run:     cmdHelp,
	})
}

func cmdHelp(t *Term, args string) error {
	if args != "" {
		c, _ := lookup(args)
		if c == nil {
			if s := suggest(args); s != "" {
				return fmt.Errorf("no command %q; did you mean %q?", args, s)
			}
			return fmt.Errorf("no command %q (help lists commands)", args)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", c.name, c.usage)
		if len(c.aliases) > 0 {
			fmt.Fprintf(&b, "  aliases: %s\n", strings.Join(c.aliases, ", "))
		}
		fmt.Fprintf(&b, "\n  %s\n", c.summary)
		if c.help != "" {
			for _, l := range strings.Split(strings.TrimSpace(c.help), "\n") {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
		t.con.printf("%s", b.String())
		return nil
	}
	var b strings.Builder
	b.WriteString("Commands (help COMMAND for more; a unique prefix of a name works too):\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s:\n", g)
		var cs []*command
		for _, c := range commands {
			if c.group == g {
				cs = append(cs, c)
			}
		}
		for _, c := range cs {
			name := c.name
			if len(c.aliases) > 0 {
				name += " (" + strings.Join(c.aliases, ", ") + ")"
			}
			fmt.Fprintf(&b, "  %-26s %s\n", name, c.summary)
		}
	}
	b.WriteString("\nLocation specs: FUNC, FILE:LINE, *ADDR. Ctrl-C pauses every thread.\n")
	t.con.printf("%s", b.String())
	return nil
}

// fields splits arguments on spaces.
func fields(args string) []string { return strings.Fields(args) }
