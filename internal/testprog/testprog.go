// Package testprog builds the C and Go programs that tests debug. Builds are
// cached by content, flags and toolchain under the system temp directory, so
// that the many tests that run the same program compile it once.
package testprog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var mu sync.Mutex

// BuildC compiles C (and assembly) sources with gcc and the given flags
// (for example "-O2", "-pthread", "-no-pie") and returns the executable's
// path. The test fails if gcc does.
func BuildC(t testing.TB, flags []string, srcs ...string) string {
	t.Helper()
	args := append([]string{"-g"}, flags...)
	return build(t, "gcc", args, srcs, func(out string) *exec.Cmd {
		return exec.Command("gcc", append(append(append([]string{}, args...), "-o", out), srcs...)...)
	})
}

// BuildCXX compiles C++ sources with g++, as BuildC does C.
func BuildCXX(t testing.TB, flags []string, srcs ...string) string {
	t.Helper()
	args := append([]string{"-g"}, flags...)
	return build(t, "g++", args, srcs, func(out string) *exec.Cmd {
		return exec.Command("g++", append(append(append([]string{}, args...), "-o", out), srcs...)...)
	})
}

// BuildGo builds a Go main package (a directory or file) with the given
// extra build flags (for example "-gcflags=all=-N -l").
func BuildGo(t testing.TB, flags []string, pkg string) string {
	t.Helper()
	// The sources of packages below pkg count too (a test program may
	// import its own subpackage): a change there must rebuild.
	var srcs []string
	filepath.WalkDir(pkg, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			srcs = append(srcs, p)
		}
		return nil
	})
	return build(t, "go", flags, srcs, func(out string) *exec.Cmd {
		args := append(append([]string{"build", "-o", out}, flags...), pkg)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		return cmd
	})
}

// GoOpt is one of the two ways Go programs are compiled for a debugger.
type GoOpt struct {
	Name  string
	Flags []string
}

// GoOpts are go build's default (optimised: variables in registers, some
// optimised out, functions inlined) and -N -l (Delve's default). The
// compiler places variables so differently that tests of Go values and
// frames run over both.
var GoOpts = []GoOpt{{"optimized", nil}, {"N-l", []string{"-gcflags=all=-N -l"}}}

// GoBuild is one way of building a Go test program for BuildGoWith.
type GoBuild struct {
	Name, Toolchain string
	Flags           []string
}

// GoBuilds are the builds that tests of what depends on the Go runtime
// check: its layout and wait reasons differ between Go versions and
// between optimised and unoptimised builds of one version.
var GoBuilds = []GoBuild{
	{"here-opt", "", nil},
	{"here-noopt", "", []string{"-gcflags=all=-N -l"}},
	{"go1.23-opt", "go1.23.12", nil},
	{"go1.23-noopt", "go1.23.12", []string{"-gcflags=all=-N -l"}},
}

// BuildGoWith builds the main package in dir, a module of its own (its
// go.mod says which language version it needs), with the Go toolchain
// named by toolchain ("go1.23.12": fetched by the go command through the
// module proxy, as GOTOOLCHAIN does; "" for the one on PATH). Tests use it
// to check what depends on the runtime against more than one Go version.
func BuildGoWith(t testing.TB, toolchain string, flags []string, dir string) string {
	t.Helper()
	srcs, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	srcs = append(srcs, filepath.Join(dir, "go.mod"))
	key := append([]string{"toolchain=" + toolchain}, flags...)
	return build(t, "go", key, srcs, func(out string) *exec.Cmd {
		abs, err := filepath.Abs(out)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", append(append([]string{"build", "-o", abs}, flags...), ".")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
		if toolchain != "" {
			cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+toolchain)
		}
		return cmd
	})
}

func build(t testing.TB, tool string, flags, srcs []string, cmd func(out string) *exec.Cmd) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintln(h, tool, runtime.Version(), strings.Join(flags, "\x00"))
	if v, err := exec.Command(tool, "--version").CombinedOutput(); err == nil {
		h.Write(v)
	} else if v, err := exec.Command(tool, "version").CombinedOutput(); err == nil {
		h.Write(v)
	}
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatalf("read test program source: %v", err)
		}
		abs, _ := filepath.Abs(s)
		fmt.Fprintln(h, abs)
		h.Write(b)
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	name := strings.TrimSuffix(filepath.Base(srcs[0]), filepath.Ext(srcs[0]))
	dir := filepath.Join(os.TempDir(), "ubpdbg-testprog")
	out := filepath.Join(dir, name+"-"+sum)

	mu.Lock()
	defer mu.Unlock()
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := out + ".tmp" + fmt.Sprint(os.Getpid())
	c := cmd(tmp)
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", strings.Join(c.Args, " "), err, b)
	}
	// Rename is atomic, so parallel test binaries never run a half-written
	// file.
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	return out
}
