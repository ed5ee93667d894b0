package eval

import (
	"strings"
	"testing"
)

// childMap pages through all of v's children two at a time (to exercise
// paging) and returns them by name.
func childMap(t *testing.T, v *Variable) map[string]*Variable {
	t.Helper()
	out := map[string]*Variable{}
	for off := 0; ; off += 2 {
		cs, err := v.Children(off, 2)
		if err != nil {
			t.Fatalf("%s children at %d: %v", v.Name, off, err)
		}
		for _, c := range cs {
			out[c.Name] = c
		}
		if len(cs) < 2 {
			break
		}
	}
	if v.NumChildren >= 0 && len(out) != v.NumChildren {
		t.Errorf("%s: %d children, NumChildren says %d", v.Name, len(out), v.NumChildren)
	}
	return out
}

func mustEval(t *testing.T, c *Context, src string) *Variable {
	t.Helper()
	v, err := c.Eval(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func wantValue(t *testing.T, v *Variable, want string) {
	t.Helper()
	if v == nil {
		t.Errorf("missing variable, want %s", want)
		return
	}
	if v.Value != want {
		t.Errorf("%s = %s, want %s", v.Name, v.Value, want)
	}
}

// TestCChildren walks a struct with nested arrays and pointers, a union,
// an enum, a bitfield, a function pointer, C strings and thread-locals,
// at -O0 where every value is in memory.
func TestCChildren(t *testing.T) {
	s := launch(t, buildC(t, "-O0"), "x")
	s.next("compute")
	s.next("types")
	c := s.context("types")

	o := mustEval(t, c, "o")
	if o.Kind != KindStruct || o.Type != "struct outer" {
		t.Errorf("o: kind %v type %q", o.Kind, o.Type)
	}
	kids := childMap(t, o)
	wantValue(t, kids["id"], "3")
	in := childMap(t, kids["in"])
	a := childMap(t, in["a"])
	wantValue(t, a["[2]"], "3")
	if a["[2]"].Expr != "o.in.a[2]" {
		t.Errorf("evaluateName of o.in.a[2] is %q", a["[2]"].Expr)
	}
	wantValue(t, in["tag"], "120 'x'")
	next := childMap(t, kids["next"])
	if len(next) != 1 {
		t.Fatalf("pointer o.next has %d children, want its target", len(next))
	}
	for _, target := range next {
		tk := childMap(t, target)
		wantValue(t, childMap(t, tk["a"])["[0]"], "7")
	}
	if !strings.HasSuffix(kids["name"].Value, `"outer name"`) {
		t.Errorf("o.name = %s, want the C string", kids["name"].Value)
	}
	wantValue(t, kids["buf"], `"buf\000\000\000\000"`) // char[8]: gdb's way, every byte but the final NUL

	wantValue(t, mustEval(t, c, "num.f"), "1.5")
	wantValue(t, mustEval(t, c, "num.i"), "1069547520")
	wantValue(t, mustEval(t, c, "(enum color)6"), "BLUE")
	wantValue(t, mustEval(t, c, "bf.mid"), "-3")
	wantValue(t, mustEval(t, c, "bf.hi"), "1000")
	if v := mustEval(t, c, "fn"); !strings.HasSuffix(v.Value, "<add>") {
		t.Errorf("fn = %s, want the function name", v.Value)
	}
	if v := mustEval(t, c, "str"); !strings.HasSuffix(v.Value, `"a C string"`) {
		t.Errorf("str = %s", v.Value)
	}
	wantValue(t, mustEval(t, c, "arr"), `"chars"`)
	wantValue(t, mustEval(t, c, "tls_counter"), "9")
	wantValue(t, mustEval(t, c, "global_inner.a[1]"), "20")
	wantValue(t, mustEval(t, c, "global_outer.next->tag"), "103 'g'")
	wantValue(t, mustEval(t, c, "*ip"), "2")
	wantValue(t, mustEval(t, c, "ip[1]"), "3")
	wantValue(t, mustEval(t, c, "*(ip - 1)"), "1")
	wantValue(t, mustEval(t, c, "&o.in.a[1] == ip"), "1")
	wantValue(t, mustEval(t, c, "(long)o.ratio * 4"), "8")
	wantValue(t, mustEval(t, c, "o.ratio * 4"), "10")
	wantValue(t, mustEval(t, c, "sizeof(struct outer)"), "56")
	wantValue(t, mustEval(t, c, "((struct inner *)o.next)->a[2]"), "9")
	wantValue(t, mustEval(t, c, "-1 < 0u"), "0") // usual arithmetic conversions
	wantValue(t, mustEval(t, c, "(unsigned char)300"), "44 ','")
	wantValue(t, mustEval(t, c, "global_arr[4] + global_arr[0] * 10"), "15")

	globals, err := c.Globals("")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, g := range globals {
		names[g.Name] = g.Value
	}
	if names["global_counter"] != "42" || !strings.Contains(names["global_str"], `"hello global"`) {
		t.Errorf("globals: %v", names)
	}
	regs := c.Registers()
	if len(regs) < 2 {
		t.Errorf("registers of an outer frame: %v", regs)
	}
	if _, err := c.Eval("$rsp"); err != nil {
		t.Errorf("$rsp in an outer frame: %v", err)
	}
	if _, err := c.Eval("$rax"); err == nil || !strings.Contains(err.Error(), "not saved") {
		t.Errorf("$rax in an outer frame is not recoverable; got %v", err)
	}
	c0 := s.contextAt(0)
	if v := mustEval(t, c0, "$rip"); v.Value == "0" {
		t.Errorf("$rip in frame 0 = %s", v.Value)
	}
	if v := mustEval(t, c0, "$eflags"); v.Value == "" {
		t.Errorf("$eflags = %q", v.Value)
	}
}

// TestGoChildren pages through Go maps, slices, interfaces and nested
// structs.
func TestGoChildren(t *testing.T) {
	s := launch(t, buildGo(t, "-gcflags=all=-N -l"))
	s.next("values")
	c := s.context("main.values")

	m := mustEval(t, c, "m")
	if m.Kind != KindMap || m.NumChildren != 3 {
		t.Fatalf("m: kind %v, %d children", m.Kind, m.NumChildren)
	}
	mk := childMap(t, m)
	wantValue(t, mk[`"two"`], "2")
	if mk[`"two"`] != nil && mk[`"two"`].Expr != `m["two"]` {
		t.Errorf("map entry evaluateName = %q", mk[`"two"`].Expr)
	}
	big := mustEval(t, c, "big")
	bk := childMap(t, big)
	if len(bk) != 20 {
		t.Errorf("big has %d entries", len(bk))
	}
	wantValue(t, bk["13"], `"v13"`)
	wantValue(t, mustEval(t, c, "big[13]"), `"v13"`)
	wantValue(t, mustEval(t, c, `m["three"] + 1`), "4")

	sl := childMap(t, mustEval(t, c, "sl"))
	wantValue(t, sl["[1]"], "20")

	sh := mustEval(t, c, "sh")
	if sh.Kind != KindInterface || !strings.HasPrefix(sh.Value, "main.Shape(main.Rect) {") {
		t.Errorf("sh = %s (%v)", sh.Value, sh.Kind)
	}
	// An interface's children are its dynamic value's.
	f := childMap(t, sh)
	wantValue(t, f["Name"], `"r"`)
	wantValue(t, childMap(t, f["Max"])["Y"], "6")
	wantValue(t, mustEval(t, c, "sh.Max.X"), "4")
	wantValue(t, mustEval(t, c, "e"), "interface {}(int) 17")
	wantValue(t, mustEval(t, c, "ch"), "len: 2, cap: 5")
	wantValue(t, mustEval(t, c, "cap(ch)"), "5")

	n := childMap(t, mustEval(t, c, "nested"))
	tags := childMap(t, n["Tags"])
	wantValue(t, tags["[1]"], `"bc"`)
	inner := childMap(t, n["Inner"])
	for _, p := range childMap(t, inner["P"]) {
		wantValue(t, childMap(t, p)["X"], "3")
	}
	wantValue(t, mustEval(t, c, "nested.Inner.P.Y"), "4")
	wantValue(t, mustEval(t, c, "*nested.Inner.P"), "{X: 3, Y: 4}")
	wantValue(t, mustEval(t, c, "main.GlobalName"), `"global name"`)
	wantValue(t, mustEval(t, c, "GlobalName[0]"), "103")
	wantValue(t, mustEval(t, c, "len(GlobalName)"), "11")
	wantValue(t, mustEval(t, c, "uint8(n) + 254"), "1") // Go typing: wraps in uint8
	wantValue(t, mustEval(t, c, "float64(n) / 2"), "1.5")
	wantValue(t, mustEval(t, c, "nested.Arr[1] << 3"), "16")
}
