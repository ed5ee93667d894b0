package eval

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// The tests of testdata/govalues: interfaces, escaped variables and
// package variables, compared with what the program printed with %v.

func buildGoValues(t testing.TB, flags ...string) string {
	return testprog.BuildGo(t, flags, "./"+filepath.Join("testdata", "govalues"))
}

func TestGoValues(t *testing.T) {
	for _, tc := range testprog.GoOpts {
		t.Run(tc.Name, func(t *testing.T) {
			s := launch(t, buildGoValues(t, tc.Flags...))
			s.next("ifaces")
			c := s.context("main.ifaces")
			locals, err := c.Locals()
			dump(t, "local", locals, err)
			byName := map[string]*Variable{}
			for _, v := range locals {
				byName[v.Name] = v
			}
			for _, name := range s.order {
				want := s.vals[name]
				if strings.Contains(name, "/") {
					continue // a closure's captured variable: below
				}
				v, err := c.Eval(name)
				if err != nil {
					t.Errorf("p %s: %v (program printed %s)", name, err, want)
					continue
				}
				got := testharness.PercentV(v.Value)
				if tc.Flags == nil && strings.Contains(v.Value, "debug information describes it wrongly") {
					// Never a value of the wrong type: an error.
					t.Logf("p %s: %s", name, v.Value)
					continue
				}
				if strings.HasPrefix(name, "err") && want != "<nil>" {
					// %v of an error is its message; the debugger
					// shows the value that holds it.
					if !strings.Contains(v.Value, strconv.Quote(want)) {
						t.Errorf("p %s = %s, want the message %q in it", name, v.Value, want)
					}
				} else if got != want {
					t.Errorf("p %s = %s (as %%v: %s), program printed %s", name, v.Value, got, want)
				}
				if l, ok := byName[name]; name != "counter" && (!ok || l.Value != v.Value) {
					t.Errorf("locals: %s is %+v, p %s is %s", name, l, name, v.Value)
				}
			}
			// The display names both types, as Delve does.
			for name, want := range map[string]string{
				"sh":    "main.Shape(*main.Rect) *{W: 2, H: 3.5}",
				"circ":  "main.Shape(main.Circle) {R: 5}",
				"none":  "nil",
				"err":   `error(*errors.errorString) *{s: "it broke"}`,
				"num":   "interface {}(int) 22",
				"list":  "interface {}([]int) len: 3, cap: 3, [4, 5, 6]",
				"acc":   "{W: 1, H: 9}",
				"hits":  "42",
				"noErr": "nil",
			} {
				if v, err := c.Eval(name); err != nil || v.Value != want {
					t.Errorf("p %s = %+v, %v; want %s", name, v, err, want)
				}
			}
			if v := byName["acc"]; v == nil || v.Type != "main.Rect" || v.Expr != "acc" {
				t.Errorf("escaped acc: %+v, want type main.Rect named acc", v)
			}
			// An interface's children are those of its dynamic value,
			// named so that they evaluate.
			for name, want := range map[string][]string{
				"sh":   {"W=2", "H=3.5"},
				"rect": {"W=7", "H=8"},
				"list": {"[0]=4", "[1]=5", "[2]=6"},
				"err":  {`s="it broke"`},
				"num":  nil,
			} {
				v := byName[name]
				kids, err := v.Children(0, 0)
				if err != nil {
					t.Errorf("children of %s: %v", name, err)
					continue
				}
				var got []string
				for _, k := range kids {
					got = append(got, k.Name+"="+k.Value)
					e, err := c.Eval(k.Expr)
					if err != nil || e.Value != k.Value {
						t.Errorf("child %s of %s: evaluateName %q gives %+v, %v", k.Name, name, k.Expr, e, err)
					}
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("children of %s = %v, want %v", name, got, want)
				}
				if v.NumChildren != len(want) {
					t.Errorf("%s: NumChildren %d, want %d", name, v.NumChildren, len(want))
				}
			}
			// A closure's children are what it captured, by value or
			// by reference (&hits in DWARF, shown as hits).
			for _, fn := range []string{"adder", "bump"} {
				v := byName[fn]
				if v == nil || !strings.HasPrefix(v.Value, "main.ifaces.func") {
					t.Errorf("closure %s: %+v", fn, v)
					continue
				}
				kids, err := v.Children(0, 0)
				if err != nil {
					t.Errorf("children of %s: %v", fn, err)
				}
				got := map[string]string{}
				for _, k := range kids {
					got[k.Name] = testharness.PercentV(k.Value)
				}
				for _, name := range s.order {
					f, captured, ok := strings.Cut(name, "/")
					if !ok || f != fn {
						continue
					}
					g, have := got[captured]
					if !have && tc.Flags == nil {
						// The optimizing compiler does not always
						// describe what a closure captured.
						t.Logf("%s: %s not described (optimized)", fn, captured)
						continue
					}
					if g != s.vals[name] {
						t.Errorf("%s captured %s = %q, program printed %s (children %v)", fn, captured, g, s.vals[name], got)
					}
				}
				if len(kids) != v.NumChildren {
					t.Errorf("%s: %d children, NumChildren %d", fn, len(kids), v.NumChildren)
				}
			}
			for expr, want := range map[string]string{"sh.W + rect.H": "10", "list[1]": "5", "acc.H": "9", "hits + counter": "48", "main.counter": "6"} {
				if v, err := c.Eval(expr); err != nil || v.Value != want {
					t.Errorf("p %s = %+v, %v; want %s", expr, v, err, want)
				}
			}
			for expr, msg := range map[string]string{"none.W": "nil interface", "num.W": "has no field W", "noErr[0]": "nil interface"} {
				if _, err := c.Eval(expr); err == nil || !strings.Contains(err.Error(), msg) {
					t.Errorf("p %s: error %v, want one saying %q", expr, err, msg)
				}
			}
		})
	}
}

// TestGoSlices evaluates slice expressions on strings, slices, arrays and
// []byte, each printed by the program under its own text, and their
// bounds errors.
func TestGoSlices(t *testing.T) {
	for _, tc := range testprog.GoOpts {
		t.Run(tc.Name, func(t *testing.T) {
			s := launch(t, buildGoValues(t, tc.Flags...))
			s.next("ifaces")
			s.next("slicing")
			c := s.context("main.slicing")
			optimized := tc.Flags == nil
			var lost []string
			// lost reports whether err is the optimizer's doing, which
			// is allowed in the optimized build (never a wrong value).
			isLost := func(src string, err error) bool {
				if optimized && err != nil && IsOptimizedOutMsg(err) {
					lost = append(lost, src)
					return true
				}
				return false
			}
			for _, name := range s.order {
				want := s.vals[name]
				v, err := c.Eval(name)
				if isLost(name, err) {
					continue
				}
				if err != nil {
					t.Errorf("p %s: %v (program printed %s)", name, err, want)
					continue
				}
				if got := testharness.PercentV(v.Value); got != want {
					t.Errorf("p %s = %s (as %%v: %s), program printed %s", name, v.Value, got, want)
				}
			}
			for src, want := range map[string]string{
				"sl[1:3]":  "len: 2, cap: 4, [20, 30]",
				"sl[:2:3]": "len: 2, cap: 3, [10, 20]",
				"bs[:5]":   `len: 5, cap: 24, "bytes"`,
				"arr[3:]":  "len: 2, cap: 2, [4, 5]",
				"s[1:3]":   `"el"`,
			} {
				v, err := c.Eval(src)
				if isLost(src, err) {
					continue
				}
				if err != nil || v.Value != want {
					t.Errorf("p %s = %+v, %v; want %s", src, v, err, want)
					continue
				}
				// The children of a slice expression evaluate by their names.
				kids, err := v.Children(0, 0)
				if err != nil {
					t.Errorf("children of %s: %v", src, err)
				}
				for _, k := range kids {
					if e, err := c.Eval(k.Expr); err != nil || e.Value != k.Value {
						t.Errorf("child %s of %s: %q gives %+v, %v; want %s", k.Name, src, k.Expr, e, err, k.Value)
					}
				}
			}
			if v, err := c.Eval("arr[1:3]"); err != nil || v.Type != "[]int" {
				t.Errorf("type of arr[1:3] = %+v, %v", v, err)
			}
			for src, msg := range map[string]string{
				"sl[1:6]":  "slice bounds out of range [:6] with capacity 5",
				"sl[3:2]":  "slice bounds out of range [3:2]",
				"s[0:20]":  "slice bounds out of range [:20] with length 12",
				"arr[:6]":  "slice bounds out of range [:6] with length 5",
				"sl[:1:9]": "slice bounds out of range [::9] with capacity 5",
				"sl[:3:2]": "slice bounds out of range [:3:2]",
				"s[1:2:3]": "3-index slice of a string",
				"lo[1:2]":  "cannot slice lo (type int)",
				"sl[-1:]":  "must be non-negative",
				"sl[1.5:]": "slice index must be an integer",
			} {
				if v, err := c.Eval(src); !isLost(src, err) && (err == nil || !strings.Contains(err.Error(), msg)) {
					t.Errorf("p %s = %+v, %v; want an error saying %q", src, v, err, msg)
				}
			}
			t.Logf("optimized out: %v", lost)
			if !optimized && len(lost) > 0 {
				t.Errorf("with -N -l nothing should be optimized out: %v", lost)
			}
		})
	}
}

// TestGoTypeAssert evaluates x.(T) on govalues' interfaces: the dynamic
// value when T is its type, an error naming both types when not.
func TestGoTypeAssert(t *testing.T) {
	s := launch(t, buildGoValues(t, "-gcflags=all=-N -l"))
	s.next("ifaces")
	c := s.context("main.ifaces")
	for src, want := range map[string]string{
		"sh.(*main.Rect)":             "*{W: 2, H: 3.5}",
		"sh.(*Rect).H":                "3.5",
		"*sh.(*Rect)":                 "{W: 2, H: 3.5}",
		"circ.(Circle)":               "{R: 5}",
		"circ.(main.Circle).R * 2":    "10",
		"num.(int) + 1":               "23",
		"word.(string)":               `"word"`,
		"list.([]int)[2]":             "6",
		"rect.(Rect).W":               "7",
		"err.(*errors.errorString).s": `"it broke"`,
	} {
		v, err := c.Eval(src)
		if err != nil || !strings.HasPrefix(v.Value, want) {
			t.Errorf("p %s = %+v, %v; want %s", src, v, err, want)
		}
	}
	if v, err := c.Eval("circ.(Circle)"); err != nil || v.Expr != "circ.(main.Circle)" {
		t.Errorf("circ.(Circle): %+v, %v; want it named circ.(main.Circle)", v, err)
	} else if e, err := c.Eval(v.Expr); err != nil || e.Value != v.Value {
		t.Errorf("%s = %+v, %v", v.Expr, e, err)
	}
	for src, msg := range map[string]string{
		"sh.(Circle)":    "interface conversion: main.Shape is *main.Rect, not main.Circle",
		"sh.(main.Rect)": "interface conversion: main.Shape is *main.Rect, not main.Rect",
		"num.(string)":   "interface conversion: interface {} is int, not string",
		"none.(*Rect)":   "interface conversion: main.Shape is nil, not *main.Rect",
		"hits.(int)":     "hits (type int) is not an interface",
		"sh.(Shape)":     "to an interface type (main.Shape) are not supported",
		"sh.(Nope)":      "a type in the type assertion",
	} {
		if v, err := c.Eval(src); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("p %s = %+v, %v; want an error saying %q", src, v, err, msg)
		}
	}
}
