package eval

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// matches reports whether a Variable shows the value the program printed
// with printf/fmt: the same text, or the same number, string or character
// inside the debugger's richer display (`0x4010 "text"`, `120 'x'`,
// `int(17)`).
func matches(v *Variable, want string) bool {
	got := v.Value
	if got == want {
		return true
	}
	if g, err1 := strconv.ParseFloat(got, 64); err1 == nil {
		if w, err2 := strconv.ParseFloat(want, 64); err2 == nil {
			return g == w || math.Abs(g-w) <= 1e-6*math.Abs(w)
		}
	}
	if m := quoted.FindStringSubmatch(got); m != nil {
		if s, err := strconv.Unquote(`"` + m[1] + `"`); err == nil && s == want {
			return true
		}
	}
	if m := charRe.FindStringSubmatch(got); m != nil && (m[2] == want || m[1] == want) {
		return true
	}
	if m := ifaceRe.FindStringSubmatch(got); m != nil {
		return matches(&Variable{Value: m[1]}, want)
	}
	if m := wrapped.FindStringSubmatch(got); m != nil {
		return matches(&Variable{Value: m[1]}, want)
	}
	return false
}

var (
	quoted  = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	charRe  = regexp.MustCompile(`^(-?\d+) '(.*)'$`)
	wrapped = regexp.MustCompile(`^[\w.\[\]*]+\((.*)\)$`)
	ifaceRe = regexp.MustCompile(`^(?:[\w.\[\]*]+|interface \{\})\([\w.\[\]*]+\) (.*)$`) // interface {}(int) 17
)

// checkPrinted evaluates every NAME the program printed before this stop
// and compares. With optimized set, a value may instead be reported as
// optimized out (never as a wrong value); it returns those names.
func checkPrinted(t *testing.T, c *Context, s *session, optimized bool) (lost []string) {
	t.Helper()
	checked := 0
	for _, name := range s.order {
		want := s.vals[name]
		if strings.Contains(name, "(") && !strings.HasPrefix(name, "len(") && !strings.HasPrefix(name, "cap(") {
			continue // calls of program functions are not expressions here
		}
		v, err := c.Eval(name)
		if err != nil {
			// Go's optimizing compiler drops some variables' DIEs
			// altogether ("no variable").
			if optimized && (IsOptimizedOutMsg(err) || strings.Contains(err.Error(), "no variable named")) {
				lost = append(lost, name)
				continue
			}
			t.Errorf("%s: %v (program printed %s)", name, err, want)
			continue
		}
		if v.Unavailable && optimized {
			lost = append(lost, name)
			continue
		}
		checked++
		if !matches(v, want) {
			t.Errorf("%s = %s (%s), program printed %s", name, v.Value, v.Type, want)
		}
	}
	t.Logf("%d values compared, optimized out: %v", checked, lost)
	return lost
}

// IsOptimizedOutMsg recognises the evaluator's error for an expression
// that needs an optimized-out value.
func IsOptimizedOutMsg(err error) bool { return strings.Contains(err.Error(), "optimized out") }

func dump(t *testing.T, what string, vs []*Variable, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, v := range vs {
		t.Logf("%s: %s %s = %s (shadowed=%v children=%d)", what, v.Name, v.Type, v.Value, v.Shadowed, v.NumChildren)
	}
}

func TestCVariables(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			s := launch(t, buildC(t, opt), "x")
			s.next("compute")
			c := s.context("compute")
			locals, err := c.Locals()
			dump(t, "local", locals, err)
			args, err := c.Args()
			dump(t, "arg", args, err)
			lost := checkPrinted(t, c, s, opt == "-O2")
			if opt == "-O2" && !slices.Contains(lost, "total") {
				t.Errorf("at -O2 gcc gives total no location at the stop; want <optimized out>, lost=%v", lost)
			}
			checkArgs(t, args, []string{"n", "scale", "o"})
			checkShadow(t, c, locals)

			s.next("types")
			c = s.context("types")
			locals, err = c.Locals()
			dump(t, "local", locals, err)
			checkPrinted(t, c, s, opt == "-O2")
		})
	}
}

func checkArgs(t *testing.T, args []*Variable, want []string) {
	t.Helper()
	var got []string
	for _, a := range args {
		got = append(got, a.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("args = %v, want %v in order", got, want)
	}
}

// checkShadow: in compute's inner block, "shadow" is the inner variable
// (total*2) and the outer one is listed after it, marked shadowed.
func checkShadow(t *testing.T, c *Context, locals []*Variable) {
	t.Helper()
	var names []string
	for _, l := range locals {
		if l.Name == "shadow" {
			names = append(names, strconv.FormatBool(l.Shadowed))
		}
	}
	if strings.Join(names, ",") != "false,true" {
		t.Errorf("shadow locals: shadowed flags %v, want inner first then the shadowed outer", names)
	}
}

func TestGoVariables(t *testing.T) {
	for _, tc := range testprog.GoOpts {
		t.Run(tc.Name, func(t *testing.T) {
			s := launch(t, buildGo(t, tc.Flags...))
			s.next("values")
			c := s.context("main.values")
			if c.Lang() != 1 {
				t.Errorf("language of main.values = %v, want Go", c.Lang())
			}
			locals, err := c.Locals()
			dump(t, "local", locals, err)
			args, err := c.Args()
			dump(t, "arg", args, err)
			lost := checkPrinted(t, c, s, tc.Flags == nil)
			if tc.Flags != nil && len(lost) > 0 {
				t.Errorf("with -N -l nothing should be optimized out: %v", lost)
			}
			checkArgs(t, args, []string{"n", "label"})
		})
	}
}
