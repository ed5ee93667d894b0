package eval

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestCxxReferences: C++ references (const, non-const, rvalue, through a
// typedef, as a local and as members) are the objects they refer to:
// their values, their members and arithmetic on them are what the program
// printed; the argument list shows them, and their type reads "T &".
func TestCxxReferences(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		t.Run(opt, func(t *testing.T) {
			prog := testprog.BuildCXX(t, []string{opt}, filepath.Join("testdata", "cxxrefs", "cxxrefs.cpp"))
			s := launch(t, prog)
			s.next("use")
			c := s.context("use")
			for _, name := range s.order {
				v, err := c.Eval(name)
				if err != nil {
					if opt == "-O2" && strings.Contains(err.Error(), "optimized out") {
						continue
					}
					t.Errorf("%s: %v", name, err)
					continue
				}
				if v.Value != s.vals[name] && !(opt == "-O2" && v.Value == optimizedOut) {
					t.Errorf("%s = %s (type %s), want %s", name, v.Value, v.Type, s.vals[name])
				}
			}
			args, err := c.Args()
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range args {
				if strings.Contains(a.Value, "cannot show") {
					t.Errorf("argument %s = %s (type %s)", a.Name, a.Value, a.Type)
				}
			}
			if opt == "-O0" {
				v, err := c.Eval("holder")
				if err != nil || !strings.Contains(v.Value, "h = @0x") || !strings.Contains(v.Value, "count = @0x") || !strings.HasSuffix(v.Value, ": 7}") {
					t.Errorf("holder = %+v, %v; want its reference members as @ADDR: VALUE", v, err)
				}
				v, err = c.Eval("&holder.h")
				if err != nil || !strings.Contains(v.Type, "Handle") {
					t.Errorf("&holder.h: %+v, %v", v, err)
				}
			}
		})
	}
}
