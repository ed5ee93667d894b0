package eval

import (
	"testing"
)

func TestCConditions(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			s := launch(t, buildC(t, opt), "x")
			for _, stop := range []string{"compute", "types", "assign", "cond"} {
				s.next(stop)
			}
			c := s.context("cond")
			for src, want := range map[string]bool{
				"x > 100":                              true,
				"x > 1000":                             false,
				"x == 202 && global_counter == 42":     true,
				"!(x < 0)":                             true,
				"x % 2 == 0 || x / 0":                  true, // short-circuit: 1/0 never evaluated
				"(unsigned char)x == 202":              true,
				"(x & 0xff) >> 1 == 101":               true,
				"global_arr[1] * x == 404":             true,
				"global_str[0] == 'h'":                 true,
				"x - 203":                              true, // non-zero
				"global_outer.next->a[2] == 30":        true,
				"&global_arr[2] - &global_arr[0] == 2": true,
				"RED == 0 && BLUE == 6":                true,
			} {
				got, err := c.Cond(src)
				if err != nil {
					t.Errorf("%s: %v", src, err)
				} else if got != want {
					t.Errorf("%s = %v, want %v", src, got, want)
				}
			}
			for _, bad := range []string{"x / 0", "nosuch > 1", "x.field", "*x", "x[1]", "global_str > 1.5 +", "$nosuch"} {
				if _, err := c.Cond(bad); err == nil {
					t.Errorf("%s: no error", bad)
				}
			}
		})
	}
}

func TestGoConditions(t *testing.T) {
	s := launch(t, buildGo(t, "-gcflags=all=-N -l"))
	s.next("values")
	c := s.context("main.values")
	for src, want := range map[string]bool{
		`label == "the label"`:                 true,
		`s != "hello, world"`:                  false,
		`s < "z"`:                              true,
		"len(sl) == 4 && sl[3] == n":           true,
		`m["two"] == 2`:                        true,
		"big[7] == \"v7\"":                     true,
		"ok":                                   true,
		"!ok || f > 4":                         true,
		"nested.Inner.P != nil":                true,
		"sh != nil && e != nil":                true,
		"nested.ID == 7 && nested.Arr[0] == 1": true,
		"main.GlobalCount > 40":                true,
		"uint8(n) == 3":                        true,
		"len(ch) == 2 && cap(ch) == 5":         true,
	} {
		got, err := c.Cond(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
		} else if got != want {
			t.Errorf("%s = %v, want %v", src, got, want)
		}
	}
	for _, bad := range []string{"n", "n + label", "n == int32(3)", "label + 1", `m[1] == 2`, "nested.Nope", "sl[10]"} {
		if _, err := c.Cond(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// BenchmarkCond measures one breakpoint-condition evaluation as the
// breakpoint layer does it on a hit: a fresh Context on the stopped
// frame, then the compiled "x > 100" (a local in memory at -O0, one
// process_vm_readv).
func BenchmarkCond(b *testing.B) {
	for _, opt := range []string{"-O0", "-O2"} {
		b.Run(opt, func(b *testing.B) {
			s := launch(b, buildC(b, opt), "x")
			for _, stop := range []string{"compute", "types", "assign", "cond"} {
				s.next(stop)
			}
			i := s.frame("cond")
			regs := s.regs
			cfg := Config{Table: s.tab, Frames: s.frames, Frame: i, Mem: s.p, ThreadRegs: &regs}
			c, _ := NewContext(cfg)
			p, err := c.Compile("x > 100")
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				c, err := NewContext(cfg)
				if err != nil {
					b.Fatal(err)
				}
				ok, err := c.CondCompiled(p)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
