package terminal

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoValues prints eval's govalues program's interfaces, escaped
// variables and package variables at its BP_VALUES line, optimized and
// with -N -l, and compares each with what the program printed with %v.
func TestGoValues(t *testing.T) {
	const pkg = "../eval/testdata/govalues"
	line := testharness.LineOf(t, filepath.Join(pkg, "main.go"), "BP_VALUES")
	for _, tc := range testprog.GoOpts {
		t.Run(tc.Name, func(t *testing.T) {
			prog := testprog.BuildGo(t, tc.Flags, pkg)
			file := filepath.Join(t.TempDir(), "values")
			names := []string{"known", "sh", "circ", "none", "err", "noErr", "num", "word", "list", "rect", "acc", "hits", "counter"}
			cmds := fmt.Sprintf("break main.go:%d\ncontinue\n", line)
			for _, n := range names {
				cmds += "print " + n + "\n"
			}
			cmds += "print sh.H * 2\nprint sh.(Circle)\nprint circ.(Circle).R\nlocals\n"
			out := script(t, append(goEnv, "GOVALUES_OUT="+file), cmds, "exec", "--echo", prog)
			order, vals := testharness.ReadValues(t, file)
			var shown []string
			for _, n := range order {
				if !strings.Contains(n, "/") { // not a closure's captured variable
					shown = append(shown, n)
				}
			}
			if strings.Join(shown, " ") != strings.Join(names, " ") {
				t.Fatalf("the program printed %v; output:\n%s", order, out)
			}
			for _, n := range names {
				m := regexp.MustCompile(`(?m)^\(ubpdbg\) print ` + n + `\n(.*)$`).FindStringSubmatch(out)
				if m == nil {
					t.Errorf("no output for print %s:\n%s", n, out)
					continue
				}
				got, want := m[1], vals[n]
				if tc.Flags == nil && strings.Contains(got, "debug information describes it wrongly") {
					continue // the optimizer's DWARF: an error, never a wrong value
				}
				if n == "err" {
					if !strings.Contains(got, strconv.Quote(want)) {
						t.Errorf("print err = %s, want the message %q in it", got, want)
					}
				} else if testharness.PercentV(got) != want {
					t.Errorf("print %s = %s, program printed %s", n, got, want)
				}
			}
			expectInOrder(t, out,
				`(?m)^\(ubpdbg\) print sh\nmain\.Shape\(\*main\.Rect\) \*\{W: 2, H: 3\.5\}$`,
				`(?m)^\(ubpdbg\) print err\nerror\(\*errors\.errorString\) \*\{s: "it broke"\}$`,
				`(?m)^\(ubpdbg\) print sh.H \* 2\n7$`,
				`(?m)^\(ubpdbg\) print sh.\(Circle\)\nprint: interface conversion: main.Shape is \*main.Rect, not main.Circle$`,
				`(?m)^\(ubpdbg\) print circ.\(Circle\).R\n5$`,
				`(?m)^\(ubpdbg\) locals\n`,
				`(?m)^acc = \{W: 1, H: 9\}$`)
			if !regexp.MustCompile(`(?m)^hits = 42$`).MatchString(out) {
				t.Errorf("locals do not list the escaped hits as itself:\n%s", out)
			}
		})
	}
}

// TestGoShortNames sets breakpoints on Go functions named without their
// package: the program stops in them, and an ambiguous name is refused
// with the candidates while the session goes on. (The first continue
// ends at the program's own SIGTRAP.)
func TestGoShortNames(t *testing.T) {
	prog := testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, "../eval/testdata/govalues")
	out := script(t, goEnv, "break risky\nbreak Rect.Area\nbreak shapes.risky\ncontinue\ncontinue\nbt 1\ncontinue\nbt 1\n", "exec", "--echo", prog)
	expectInOrder(t, out,
		`(?m)^\(ubpdbg\) break risky\nbreak: "risky" is ambiguous: it may be github\.com/ubpdbg/ubpdbg/eval/testdata/govalues/shapes\.risky, main\.risky \(name one in full\)$`,
		`(?m)^\(ubpdbg\) break Rect.Area\nBreakpoint 1 at 0x[0-9a-f]+: main\.\(\*Rect\)\.Area\(\) main\.go:\d+$`,
		`(?m)^\(ubpdbg\) break shapes.risky\nBreakpoint 2 at 0x[0-9a-f]+: github\.com/ubpdbg/ubpdbg/eval/testdata/govalues/shapes\.risky\(\) shapes\.go:6$`,
		`stopped at breakpoint 1: main\.\(\*Rect\)\.Area\(\)`,
		`(?m)^> #0 .* in main\.\(\*Rect\)\.Area\(r=\*\.\.\.\)`,
		`stopped at breakpoint 2: github\.com/ubpdbg/ubpdbg/eval/testdata/govalues/shapes\.risky\(\)`,
	)
}

// TestGoSlices prints slice expressions and a bounds error at govalues'
// BP_SLICES line.
func TestGoSlices(t *testing.T) {
	const pkg = "../eval/testdata/govalues"
	line := testharness.LineOf(t, filepath.Join(pkg, "main.go"), "BP_SLICES")
	prog := testprog.BuildGo(t, []string{"-gcflags=all=-N -l"}, pkg)
	file := filepath.Join(t.TempDir(), "values")
	out := script(t, append(goEnv, "GOVALUES_OUT="+file), fmt.Sprintf("break main.go:%d\ncontinue\ncontinue\nprint s[7:]\nprint sl[1:3]\nprint bs[:5]\nprint sl[1:6]\nprint arr[lo:]\n", line), "exec", "--echo", prog)
	_, vals := testharness.ReadValues(t, file)
	if vals["s[7:]"] != "world" || vals["sl[1:3]"] != "[20 30]" {
		t.Fatalf("the program printed %v", vals)
	}
	expectInOrder(t, out,
		`(?m)^\(ubpdbg\) print s\[7:\]\n"world"$`,
		`(?m)^\(ubpdbg\) print sl\[1:3\]\nlen: 2, cap: 4, \[20, 30\]$`,
		`(?m)^\(ubpdbg\) print bs\[:5\]\nlen: 5, cap: \d+, "bytes"$`,
		`(?m)^\(ubpdbg\) print sl\[1:6\]\nprint: 1:6: slice bounds out of range \[:6\] with capacity 5$`,
		`(?m)^\(ubpdbg\) print arr\[lo:\]\nlen: 4, cap: 4, \[2, 3, 4, 5\]$`)
}
