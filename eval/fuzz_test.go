package eval

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ubpdbg/ubpdbg/expr"
)

// Malformed and ill-typed expressions against live stopped processes
// (a C program at -O0 in a frame full of struct, union, enum, bitfield,
// pointer and string variables, and a Go program with maps, slices,
// interfaces and channels): every one must give an error that points
// into the text, never a panic and never a value.

// badExprs are hand-picked: syntax errors, unknown names, and operations
// the operand types do not support, in C and in Go.
var badExprs = []string{
	"", " ", "(", ")", "x +", "+", "* *", "o.", "o->", "o..id", "o.id.", "[1]", "o[", "o[1",
	"1 +* 2", "((o)", "o))", "sizeof", "sizeof(", "(struct)", "(struct nosuch)o", "(struct nosuch *)0",
	"nosuch", "o.nosuch", "o->id", "o.in.a[3]", "o.in.a[-1]", "o.in.a[1.5]", "o.in.a[\"x\"]",
	"*o", "*o.id", "&1", "&(o.id + 1)", "&bf.lo", "o.id / 0", "o.id % 0", "o.id << -1",
	"o + o", "o * 2", "-o", "~o.ratio", "!o", "o == o", "o.name + o.name", "o.ratio % 2",
	"o.ratio << 1", "fn + fn", "fn * 2", "num + 1", "c.x", "bf[0]", "str->x",
	"(void)o.id + 1", "*(void *)ip", "((void *)ip)[0]", "len(o.id)", "cap(o)", "len()", "len(o, o)",
	"unsafe.Sizeof()", "$nosuch", "$", "$rax(", "o.in.a[1:2]", "'ab'", "\"unterminated",
	"0x", "1e", "08", "1..2", "o.in.tag->x", "ip.x", "ip[1][2]", "arr[1][1]",
	"global_inner.nosuch", "errno.x", "tls_counter[0]", "*tls_counter", "next.a.b",
	"(int)o", "(struct outer)o.id", "(double)o", "(char *)o.ratio", "o.id = 5", "x = ", "= 1",
	"o ? 1 : 2", "o,1", "1;2", "{1}", "o.in.a[999999999999]", "o.in.a[0x7fffffffffffffff]",
	"global_arr[5]", "global_arr[-1]", "global_outer.next->a[3]",
}

// badGoExprs are ill-typed in the Go frame.
var badGoExprs = []string{
	"n + label", "label * 2", "n == \"3\"", "label[100]", "label[-1]", "sl[4]", "sl[-1]",
	"m[1]", "m[\"nosuch\"]", "big[\"x\"]", "big[100]", "sh.Nope", "e.X", "*e", "*n",
	"ch[0]", "len(n)", "cap(m)", "nested.Tags[2]", "nested.Inner.Q", "nested.Arr[3]",
	"n && ok", "!n", "-label", "ok + 1", "f % 2", "f << 1", "n << -1", "n / 0",
	"int32(n) + n", "uint8(n) + 300", "nested == nested", "sl == sl", "m == m",
	"nosuch.X", "main.Nosuch", "\"some/pkg\".X", "n.X", "label.len", "nested.ID()",
	"(*main.Nope)(nil)", "main.Point(n)", "[]int(n)", "n = 1.5", "ok = 1",
}

var (
	fuzzOnce     sync.Once
	fuzzC, fuzzG *Context
)

// fuzzContexts launches the two programs once per test process (each fuzz
// worker launches its own).
func fuzzContexts(tb testing.TB) (*Context, *Context) {
	fuzzOnce.Do(func() {
		s := launch(tb, buildC(tb, "-O0"), "x")
		s.next("compute")
		s.next("types")
		fuzzC = s.context("types")
		g := launch(tb, buildGo(tb, "-gcflags=all=-N -l"))
		g.next("values")
		fuzzG = g.context("main.values")
	})
	if fuzzC == nil || fuzzG == nil {
		tb.Skip("test programs did not start")
	}
	return fuzzC, fuzzG
}

// checkEvalErr evaluates src and reports a panic, an internal error or an
// error position outside the text.
func checkEvalErr(t *testing.T, c *Context, src string) error {
	t.Helper()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%q: panic: %v", src, r)
			}
		}()
		_, err = c.Eval(src)
		if err == nil {
			_, err = c.Cond(src)
			if err != nil && strings.Contains(err.Error(), "condition") {
				err = nil // a value, just not a truth value
			}
		}
	}()
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "internal error") {
		t.Errorf("%q: %v", src, err)
	}
	var xe *expr.Error
	if errors.As(err, &xe) && (xe.Pos < 0 || xe.Pos > len(src)) {
		t.Errorf("%q: error position %d outside the text: %v", src, xe.Pos, err)
	}
	return err
}

// TestMalformed checks every hand-picked bad expression, plus generated
// ones, in both languages.
func TestMalformed(t *testing.T) {
	cc, gc := fuzzContexts(t)
	n := 0
	for _, src := range badExprs {
		if err := checkEvalErr(t, cc, src); err == nil {
			t.Errorf("C %q: no error", src)
		}
		n++
	}
	for _, src := range badGoExprs {
		if err := checkEvalErr(t, gc, src); err == nil {
			t.Errorf("Go %q: no error", src)
		}
		n++
	}
	// Every C variable of the frame under operations no C type allows.
	for _, v := range []string{"o", "next", "num", "c", "bf", "fn", "str", "arr", "ip", "sel"} {
		for _, f := range []string{"%s.zz", "%s(1)", "%s[\"k\"]", "%s + \"s\"", "(struct zz)%s", "%s[1:2]", "%s <<", "%s = = 1"} {
			src := fmt.Sprintf(f, v)
			if err := checkEvalErr(t, cc, src); err == nil {
				t.Errorf("C %q: no error", src)
			}
			n++
		}
	}
	t.Logf("%d malformed or ill-typed expressions, all errors", n)
	if n < 200 {
		t.Errorf("only %d cases", n)
	}
}

// FuzzEval: `go test -fuzz FuzzEval ./eval`. Any text, in both frames:
// no panic, no internal error, error positions inside the text.
func FuzzEval(f *testing.F) {
	for _, s := range badExprs {
		f.Add(s)
	}
	for _, s := range badGoExprs {
		f.Add(s)
	}
	for _, s := range []string{"o.in.a[2]", "*ip + o.id", "(struct inner *)o.next", "global_outer.next->tag", "m[\"two\"]", "sh.Max.X", "len(sl)"} {
		f.Add(s)
	}
	cc, gc := fuzzContexts(f)
	f.Fuzz(func(t *testing.T, src string) {
		checkEvalErr(t, cc, src)
		checkEvalErr(t, gc, src)
	})
}
