package terminal

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestPrintScript: print shows nested values whole, takes gdb's format
// letters (bad ones are errors that lose nothing), writes a pointer with
// its type; bt shows each frame's arguments; finish shows the value
// returned in each of the ABI's ways (rax, xmm0, rax and xmm0 together,
// memory), and nothing for a void function; set print max-depth and
// elements change how deep and how long values are. The lines are gdb's
// for the same program but for its "$N = ".
func TestPrintScript(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-g"}, filepath.Join("testdata", "print.c"))
	cmds := `break consume
break scale
break make_pair
break make_outer
break nothing
continue
print *it
p/x it->id
print/x *it
p &it->box
p it->deep.ptr
p/o it->box.a
p/t it->box.a
p/c it->box.a
p/d it->id
p/u it->id
p/z it->id
p/ it->id
p/x
bt
frame 1
finish
continue
finish
continue
finish
continue
finish
continue
finish
continue
`
	out := script(t, nil, cmds, "exec", prog)
	expectInOrder(t, out,
		`^Thread \d+ stopped at breakpoint 1: consume\(\) print\.c:\d+$`,
		`^\{id = -1, box = \{a = 255, tag = "box"\}, deep = \{mid = \{in = \{a = 7, tag = "in\\000"\}, n = 100\}, ptr = (0x[0-9a-f]+)\}\}$`,
		`^0xffffffff$`,
		`^\{id = 0xffffffff, box = \{a = 0xff, tag = \{0x62, 0x6f, 0x78, 0x0\}\}, deep = \{mid = \{in = \{a = 0x7, tag = \{0x69, 0x6e, 0x0, 0x0\}\}, n = 0x64\}, ptr = 0x[0-9a-f]+\}\}$`,
		`^\(struct inner \*\) 0x[0-9a-f]+$`,
		`^\(struct inner \*\) 0x[0-9a-f]+$`,
		`^0377$`,
		`^11111111$`,
		`^-1 '\\377'$`,
		`^-1$`,
		`^4294967295$`,
		`^print: undefined output format 'z' \(want one of xduotcs\)`,
		`^print: want one format letter after /`,
		`^print: missing expression`,
		`^> #0 +0x[0-9a-f]+ in consume\(it=0x[0-9a-f]+, who=1\) at .*print\.c:\d+$`,
		`^  #1 +0x[0-9a-f]+ in main\(\) at `,
		`^#1 +0x[0-9a-f]+ in main\(\) at `,
		`^Thread \d+ stopped after step out: main\(\) print\.c:\d+$`,
		`^Value returned is 0$`,
		`^Thread \d+ stopped at breakpoint 2: scale\(\)`,
		`^Value returned is 4\.5$`,
		`^Thread \d+ stopped at breakpoint 3: make_pair\(\)`,
		`^Value returned is \{a = 5, d = 2\.5\}$`,
		`^Thread \d+ stopped at breakpoint 4: make_outer\(\)`,
		`^Value returned is \{mid = \{in = \{a = 3, tag = "o\\000\\000"\}, n = 42\}, ptr = 0x0\}$`,
		`^Thread \d+ stopped at breakpoint 5: nothing\(\)`,
		`^Thread \d+ stopped after step out: main\(\)`,
		`^0 4\.5 5 2\.5 42$`,
		`^Process \d+ exited with status 0`)
	// A void function's finish says nothing of a value.
	if n := countMatches(out, `(?m)^Value returned`); n != 4 {
		t.Errorf("%d lines tell a returned value, want 4 (none for the void function):\n%s", n, out)
	}
	// How deep and how long: gdb's set print max-depth and elements.
	out = script(t, nil, "break consume\ncontinue\nset print max-depth 1\nprint *it\nset print max-depth\nset print max-depth unlimited\nset print max-depth\nset print elements 2\nprint it->box.tag\np/x it->box.tag\nset print elements x\nset print colours 3\ncontinue\n", "exec", prog)
	expectInOrder(t, out,
		`^\{id = -1, box = \{\.\.\.\}, deep = \{\.\.\.\}\}$`,
		`^print max-depth is 1$`,
		`^print max-depth is unlimited$`,
		`^"bo"\.\.\.$`,
		`^\{0x62, 0x6f, \.\.\.\+2 more\}$`,
		`^set: "x" is not a number or unlimited`,
		`^set: want set print elements\|max-depth`,
		`^Process \d+ exited with status 0`)
}

func countMatches(s, pattern string) int {
	return len(regexp.MustCompile(pattern).FindAllStringIndex(s, -1))
}

// TestGoReturnValuesScript: finish shows a Go function's results as
// Delve does, read as Go's register ABI returns them (a struct in two
// integer registers; an int and an error; a string and a float64 in
// integer and float registers; an array on the stack), with the values
// the program then prints, in every Go build the tests use.
func TestGoReturnValuesScript(t *testing.T) {
	for _, b := range testprog.GoBuilds {
		t.Run(b.Name, func(t *testing.T) {
			prog := testprog.BuildGoWith(t, b.Toolchain, b.Flags, filepath.Join("testdata", "goreturns"))
			cmds := "break main.pt\nbreak main.two\nbreak main.name\nbreak main.big\n" + strings.Repeat("continue\nfinish\n", 4) + "continue\n"
			out := script(t, nil, cmds, "exec", prog)
			expectInOrder(t, out,
				`^Value returned is \{X: 3, Y: 6\}$`,
				`^Values returned:\n\t~r0: 0\n\t~r1: error\(\*errors\.errorString\) \*\{s: "too big"\}$`,
				`^Values returned:\n\ts: "n5"\n\tf: 1\.25$`,
				`^Value returned is \[1, 1, 1\]$`,
				`^\{3 6\} 0 too big n5 1\.25 \[1 1 1\]$`,
				`^Process \d+ exited with status 0`)
		})
	}
}
