package dap

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoValues stops eval's govalues program at its BP_VALUES line,
// optimized and with -N -l, and checks through a DAP client what the
// program printed with %v: the locals (interfaces, escaped variables),
// evaluate of each, the children of interfaces, and that every
// evaluateName of the variables tree, two levels down, evaluates to the
// value shown.
func TestGoValues(t *testing.T) {
	requireLinux(t)
	const pkg = "../eval/testdata/govalues"
	src := abs(t, filepath.Join(pkg, "main.go"))
	line := testharness.LineOf(t, src, "BP_VALUES")
	for _, tc := range testprog.GoOpts {
		t.Run(tc.Name, func(t *testing.T) {
			prog := testprog.BuildGo(t, tc.Flags, pkg)
			file := filepath.Join(t.TempDir(), "values")
			c, _ := pipeClient(t, Config{})
			c.start("launch", map[string]any{"program": prog, "env": map[string]any{"GOVALUES_OUT": file, "GODEBUG": "asyncpreemptoff=1"}})
			c.ok("setBreakpoints", srcBP(src, line))
			c.ok("configurationDone", nil)
			st := c.stopped()
			frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
			if frames[0].Name != "main.ifaces" || frames[0].Line != line {
				t.Fatalf("stopped at %+v", frames[0])
			}
			fid := frames[0].Id
			order, vals := testharness.ReadValues(t, file)
			sc := c.ok("scopes", map[string]any{"frameId": fid}).(*dap.ScopesResponse)
			locals := map[string]dap.Variable{}
			for _, v := range c.variables(sc.Body.Scopes[0].VariablesReference) {
				locals[v.Name] = v
			}
			for _, n := range order {
				if strings.Contains(n, "/") {
					continue // a closure's captured variable: below
				}
				want := vals[n]
				ev := c.ok("evaluate", map[string]any{"expression": n, "frameId": fid, "context": "watch"}).(*dap.EvaluateResponse).Body
				if tc.Flags == nil && strings.Contains(ev.Result, "debug information describes it wrongly") {
					continue // the optimizer's DWARF: an error, never a wrong value
				}
				if n == "err" {
					if !strings.Contains(ev.Result, strconv.Quote(want)) {
						t.Errorf("evaluate err = %s, want the message %q in it", ev.Result, want)
					}
				} else if got := testharness.PercentV(ev.Result); got != want {
					t.Errorf("evaluate %s = %s (as %%v %s), program printed %s", n, ev.Result, got, want)
				}
				if l, ok := locals[n]; n != "counter" && (!ok || l.Value != ev.Result) {
					t.Errorf("locals: %s is %+v, evaluate says %s", n, l, ev.Result)
				}
			}
			if sh := locals["sh"]; sh.Value != "main.Shape(*main.Rect) *{W: 2, H: 3.5}" || sh.Type != "main.Shape" {
				t.Errorf("sh: %+v", sh)
			}
			fields := map[string]string{}
			for _, v := range c.variables(locals["sh"].VariablesReference) {
				fields[v.Name] = v.Value + " " + v.EvaluateName
			}
			if fields["W"] != "2 sh.W" || fields["H"] != "3.5 sh.H" || len(fields) != 2 {
				t.Errorf("children of sh: %v, want its *main.Rect's fields", fields)
			}
			if tc.Flags != nil {
				// What the closure captured is its children.
				captured := map[string]string{}
				for _, v := range c.variables(locals["adder"].VariablesReference) {
					captured[v.Name] = testharness.PercentV(v.Value)
				}
				if captured["n"] != vals["adder/n"] || captured["label"] != vals["adder/label"] {
					t.Errorf("adder captured %v, program printed n=%s label=%s", captured, vals["adder/n"], vals["adder/label"])
				}
			}
			if acc := locals["acc"]; acc.Type != "main.Rect" || acc.EvaluateName != "acc" {
				t.Errorf("escaped acc: %+v", acc)
			}
			// Type assertions and slice expressions in evaluate.
			for src, want := range map[string]string{
				"sh.(*main.Rect).H":  "3.5",
				"circ.(Circle)":      "{R: 5}",
				"list.([]int)[1:]":   "len: 2, cap: 2, [5, 6]",
				"word.(string)[1:3]": `"or"`,
			} {
				ev := c.ok("evaluate", map[string]any{"expression": src, "frameId": fid, "context": "watch"}).(*dap.EvaluateResponse).Body
				if ev.Result != want {
					t.Errorf("evaluate %s = %s, want %s", src, ev.Result, want)
				}
			}
			for src, msg := range map[string]string{
				"sh.(Circle)":       "interface conversion: main.Shape is *main.Rect, not main.Circle",
				"list.([]int)[1:9]": "slice bounds out of range [:9] with capacity 3",
			} {
				if got := c.fails("evaluate", map[string]any{"expression": src, "frameId": fid, "context": "watch"}); !strings.Contains(got, msg) {
					t.Errorf("evaluate %s: %s, want an error saying %q", src, got, msg)
				}
			}
			checked := c.walkEvaluateNames(fid, sc.Body.Scopes[0].VariablesReference, 3)
			t.Logf("%d evaluateNames checked", checked)
			c.ok("disconnect", map[string]any{"terminateDebuggee": true})
		})
	}
}

// variables lists the children of a variables reference.
func (c *client) variables(ref int) []dap.Variable {
	c.t.Helper()
	return c.ok("variables", map[string]any{"variablesReference": ref}).(*dap.VariablesResponse).Body.Variables
}

// walkEvaluateNames walks the variables tree under ref depth levels deep
// and evaluates every evaluateName in the frame, which must give the
// value the tree shows. It returns how many it checked.
func (c *client) walkEvaluateNames(fid, ref, depth int) int {
	c.t.Helper()
	n := 0
	for _, v := range c.variables(ref) {
		if v.EvaluateName != "" {
			ev := c.ok("evaluate", map[string]any{"expression": v.EvaluateName, "frameId": fid, "context": "watch"}).(*dap.EvaluateResponse).Body
			if ev.Result != v.Value {
				c.t.Errorf("%s: evaluateName %q gives %s, the tree shows %s", v.Name, v.EvaluateName, ev.Result, v.Value)
			}
			n++
		}
		if depth > 1 && v.VariablesReference != 0 {
			n += c.walkEvaluateNames(fid, v.VariablesReference, depth-1)
		}
	}
	return n
}

// TestEvaluateNamesC walks the locals and arguments of eval's cvars C
// program (structs, nested arrays, pointers, shadowed locals), three
// levels deep, and evaluates every evaluateName the tree hands out.
func TestEvaluateNamesC(t *testing.T) {
	requireLinux(t)
	src := abs(t, "../eval/testdata/cvars/cvars.c")
	line := testharness.LineOf(t, src, `stop("compute");`)
	prog := testprog.BuildC(t, []string{"-O0", "-pthread", "-no-pie"}, src)
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog})
	c.ok("setBreakpoints", srcBP(src, line))
	c.ok("configurationDone", nil)
	st := c.stopped()
	frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
	if frames[0].Name != "compute" || frames[0].Line != line {
		t.Fatalf("stopped at %+v", frames[0])
	}
	sc := c.ok("scopes", map[string]any{"frameId": frames[0].Id}).(*dap.ScopesResponse)
	n := 0
	for _, s := range sc.Body.Scopes[:2] { // Locals, Arguments
		n += c.walkEvaluateNames(frames[0].Id, s.VariablesReference, 3)
	}
	if n < 10 {
		t.Errorf("only %d evaluateNames in the tree", n)
	}
	t.Logf("%d evaluateNames checked", n)
	c.ok("disconnect", map[string]any{"terminateDebuggee": true})
}

// TestGoShortFunctionBreakpoints: function breakpoints on Go names
// without their package stop there; an ambiguous one is not verified and
// says which functions it may be.
func TestGoShortFunctionBreakpoints(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "../eval/testdata/govalues")
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "env": map[string]any{"GODEBUG": "asyncpreemptoff=1"}})
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "risky"}, {"name": "Rect.Area"}}}).(*dap.SetFunctionBreakpointsResponse)
	amb, area := fb.Body.Breakpoints[0], fb.Body.Breakpoints[1]
	if amb.Verified || !strings.Contains(amb.Message, `"risky" is ambiguous`) || !strings.Contains(amb.Message, "main.risky") {
		t.Errorf("risky: %+v", amb)
	}
	if !area.Verified {
		t.Fatalf("Rect.Area: %+v", area)
	}
	c.ok("configurationDone", nil)
	// The program's own SIGTRAP (at its ifaces stop) comes first.
	for i := 0; i < 2; i++ {
		st := c.stopped()
		frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
		if frames[0].Name == "main.(*Rect).Area" {
			c.ok("disconnect", map[string]any{"terminateDebuggee": true})
			return
		}
		c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	}
	t.Errorf("never stopped in main.(*Rect).Area")
}
