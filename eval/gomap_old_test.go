package eval

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// buildOldGo builds testdata/gooldmap with Go 1.23 (GOTOOLCHAIN, which
// fetches that toolchain through the module proxy once) in a module of
// its own that says go 1.23. Without the toolchain the test is skipped,
// saying why.
func buildOldGo(t *testing.T, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "gooldmap", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gooldmap\n\ngo 1.23\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOTOOLCHAIN=go1.23.12", "CGO_ENABLED=0", "GOFLAGS=")
	v := exec.Command("go", "version")
	v.Dir, v.Env = dir, env
	out, err := v.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "go1.23.12") {
		t.Skipf("Go 1.23.12 is not available (%v): %s", err, out)
	}
	bin := filepath.Join(dir, "gooldmap")
	b := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), ".")...)
	b.Dir, b.Env = dir, env
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("go1.23.12 build: %v\n%s", err, out)
	}
	return bin
}

// TestGoMaps reads maps of both layouts: Go 1.23's buckets (small, many
// buckets with overflow, keys and values stored through pointers, a map
// half grown, nil)
// and the current swiss tables, optimized and with -N -l, against the
// program's own output.
func TestGoMaps(t *testing.T) {
	for _, tc := range testprog.GoOpts {
		for _, old := range []bool{true, false} {
			name := tc.Name + "/current"
			if old {
				name = tc.Name + "/go1.23"
			}
			t.Run(name, func(t *testing.T) {
				var bin string
				if old {
					bin = buildOldGo(t, tc.Flags...)
				} else {
					bin = buildGoPkg(t, "gooldmap", tc.Flags...)
				}
				s := launch(t, bin)
				s.next("maps")
				c := s.context("main.maps")
				lost := checkPrinted(t, c, s, tc.Flags == nil)
				if tc.Flags != nil && len(lost) > 0 {
					t.Errorf("with -N -l nothing should be optimized out: %v", lost)
				}
				for _, m := range []string{"small", "many", "big", "bigKey", "growing"} {
					v, err := c.Eval(m)
					if err != nil {
						if tc.Flags == nil && IsOptimizedOutMsg(err) {
							continue
						}
						t.Errorf("%s: %v", m, err)
						continue
					}
					kids, err := v.Children(0, 0)
					if err != nil || len(kids) != v.NumChildren || len(kids) != atoi(s.vals["len("+m+")"]) {
						t.Errorf("%s: %d entries (NumChildren %d, %v), program says len %s", m, len(kids), v.NumChildren, err, s.vals["len("+m+")"])
					}
					seen := map[string]bool{}
					for _, k := range kids {
						// Big keys and values (stored through
						// pointers by Go 1.23) show as themselves.
						if m == "big" && k.Type != "main.Big" || m == "bigKey" && !strings.HasPrefix(k.Name, "{ID: ") {
							t.Errorf("%s: entry %s = %s (%s)", m, k.Name, k.Value, k.Type)
						}
						if seen[k.Name] {
							t.Errorf("%s: key %s seen twice", m, k.Name)
						}
						seen[k.Name] = true
					}
				}
				if old {
					// growing is half grown, so the walk of the old
					// buckets was exercised above.
					if g, err := c.lookupName("growing"); err == nil && g != nil && g.kind != lNone {
						h, err := c.mapHeader(g)
						if err != nil {
							t.Fatal(err)
						}
						if ob, err := c.uintField(h, "oldbuckets"); err != nil || ob == 0 {
							t.Errorf("growing is not half grown (oldbuckets %#x, %v): the test no longer covers growing maps", ob, err)
						}
					}
				}
				if v, err := c.Eval("small"); err == nil && !strings.Contains(v.Value, `"two": 2`) {
					t.Errorf("small = %s", v.Value)
				}
			})
		}
	}
}

func buildGoPkg(t testing.TB, pkg string, flags ...string) string {
	return testprog.BuildGo(t, flags, "./"+filepath.Join("testdata", pkg))
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
