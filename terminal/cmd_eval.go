package terminal

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/eval"
)

// Values: print, set, locals, args. They evaluate in the selected frame of
// the selected thread, which must be stopped; in non-stop mode the other
// threads keep running meanwhile, so a value they share may change between
// two prints.

func init() {
	register(
		&command{name: "print", aliases: []string{"p"}, group: "data", usage: "[/FMT] EXPR",
			summary: "evaluate EXPR (C or Go, as the frame's language) in the selected frame",
			help: "FMT is a gdb format letter for the numbers in the value: x hexadecimal, d signed and\n" +
				"u unsigned decimal, o octal, t binary, c character, s string (print/x EXPR, p/x EXPR).\n" +
				"Values are shown whole, nested " + fmt.Sprint(printDepth) + " levels deep and " + fmt.Sprint(printElements) + " elements long, as gdb does;\n" +
				"set print max-depth N and set print elements N change that (unlimited or 0: no limit).",
			run: cmdPrint},
		&command{name: "set", group: "data", usage: "VAR = EXPR | print elements|max-depth [N|unlimited]",
			summary: "assign to a variable, register ($rax) or memory in the selected frame; or how print shows values", run: cmdSet},
		&command{name: "locals", group: "data",
			summary: "show the selected frame's local variables", run: cmdLocals},
		&command{name: "args", group: "data",
			summary: "show the selected frame's arguments", run: cmdArgs},
	)
}

// printDepth and printElements are gdb's defaults (print max-depth,
// print elements): print shows a value whole, where a variables view shows
// a line and lets its children be opened.
const (
	printDepth    = 20
	printElements = 200
)

// cutFormat splits a leading "/FMT" off print's arguments.
func cutFormat(args string) (byte, string, error) {
	if !strings.HasPrefix(args, "/") {
		return 0, args, nil
	}
	f, rest, _ := strings.Cut(args[1:], " ")
	if len(f) != 1 {
		return 0, "", badArgs("want one format letter after /, one of %s", eval.Formats)
	}
	if err := eval.CheckFormat(f[0]); err != nil {
		return 0, "", badArgs("%v", err)
	}
	return f[0], strings.TrimSpace(rest), nil
}

func cmdPrint(t *Term, args string) error {
	format, src, err := cutFormat(args)
	if err != nil {
		return err
	}
	if src == "" {
		return badArgs("missing expression")
	}
	p := t.printing()
	p.Format = format
	v, err := t.evaluate(src, false, p)
	if err != nil {
		return err
	}
	t.con.printf("%s\n", v.Printed())
	return nil
}

// unlimited stands for gdb's "unlimited" (or 0) in set print.
const unlimited = 1 << 30

// printing is how print shows values now.
func (t *Term) printing() eval.Print {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := eval.Print{MaxDepth: printDepth, MaxArray: printElements}
	if t.printDepthSet != 0 {
		p.MaxDepth = t.printDepthSet
	}
	if t.printElementsSet != 0 {
		p.MaxArray = t.printElementsSet
	}
	p.MaxString = min(p.MaxArray, 1<<20) // gdb's print elements caps strings too
	return p
}

// setPrint is gdb's set print elements / max-depth; without a value it
// shows the setting.
func (t *Term) setPrint(args string) error {
	words := strings.Fields(args)
	if len(words) == 0 || len(words) > 2 || (words[0] != "elements" && words[0] != "max-depth") {
		return badArgs("want set print elements|max-depth [N|unlimited]")
	}
	if len(words) == 1 {
		p := t.printing()
		n := map[string]int{"elements": p.MaxArray, "max-depth": p.MaxDepth}[words[0]]
		if n >= unlimited {
			t.con.printf("print %s is unlimited\n", words[0])
		} else {
			t.con.printf("print %s is %d\n", words[0], n)
		}
		return nil
	}
	n, err := strconv.Atoi(words[1])
	switch {
	case words[1] == "unlimited":
		n = unlimited
	case err != nil || n < 0:
		return badArgs("%q is not a number or unlimited", words[1])
	case n == 0:
		n = unlimited
	}
	t.mu.Lock()
	if words[0] == "elements" {
		t.printElementsSet = n
	} else {
		t.printDepthSet = n
	}
	t.mu.Unlock()
	return nil
}

func cmdSet(t *Term, args string) error {
	if rest, ok := strings.CutPrefix(args, "print "); ok && !strings.Contains(rest, "=") {
		return t.setPrint(rest)
	}
	if args == "print" {
		return t.setPrint("")
	}
	lhs, rhs, ok := strings.Cut(args, "=")
	if !ok || strings.TrimSpace(lhs) == "" || strings.TrimSpace(rhs) == "" {
		return badArgs("want VAR = EXPR")
	}
	v, err := t.evaluate(args, true, eval.Print{})
	if err != nil {
		return err
	}
	t.con.printf("%s = %s\n", strings.TrimSpace(lhs), v.Value)
	return nil
}

// evaluate evaluates in the selected frame (assign: a statement that
// writes), the value written as p says.
func (t *Term) evaluate(src string, assign bool, p eval.Print) (*eval.Variable, error) {
	tid, err := t.stoppedThread()
	if err != nil {
		return nil, err
	}
	_, n := t.selected()
	return t.s.EvaluatePrint(tid, n, src, assign, p)
}

func cmdLocals(t *Term, args string) error {
	return t.listVars(func(c *eval.Context) ([]*eval.Variable, error) { return c.Locals() }, "locals")
}

func cmdArgs(t *Term, args string) error {
	return t.listVars(func(c *eval.Context) ([]*eval.Variable, error) { return c.Args() }, "arguments")
}

func (t *Term) listVars(get func(c *eval.Context) ([]*eval.Variable, error), what string) error {
	tid, err := t.stoppedThread()
	if err != nil {
		return err
	}
	_, n := t.selected()
	var b strings.Builder
	err = t.s.WithFrame(tid, n, func(c *eval.Context) error {
		vs, err := get(c)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			fmt.Fprintf(&b, "(no %s)\n", what)
		}
		for _, v := range vs {
			note := ""
			if v.Shadowed {
				note = " (shadowed)"
			}
			fmt.Fprintf(&b, "%s = %s%s\n", v.Name, v.Value, note)
		}
		return nil
	})
	t.con.printf("%s", b.String())
	return err
}

var hexNumber = regexp.MustCompile(`0x[0-9a-fA-F]+`)

// evalAddress evaluates an expression for an address: a pointer's value,
// or an integer.
func (t *Term) evalAddress(s string) (uint64, error) {
	v, err := t.evaluate(s, false, eval.Print{})
	if err != nil {
		return 0, err
	}
	if m := hexNumber.FindString(v.Value); m != "" {
		return strconv.ParseUint(m, 0, 64)
	}
	if a, err := strconv.ParseInt(strings.TrimSpace(v.Value), 0, 64); err == nil {
		return uint64(a), nil
	}
	return 0, fmt.Errorf("%s is %s, not an address", s, v.Value)
}
