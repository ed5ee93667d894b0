package symbols

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

// run runs a command and fails the test with its output if it fails.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// buildC compiles testdata sources with gcc -g into dir/out.
func buildC(t *testing.T, dir, out string, args ...string) string {
	t.Helper()
	needTools(t, "gcc")
	p := filepath.Join(dir, out)
	run(t, ".", "gcc", append([]string{"-g", "-o", p}, args...)...)
	return p
}

func abs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// gdbAnswers is what gdb says about each spec, without running the
// program: the addresses "info line" reports and those "break" sets.
type gdbAnswers struct {
	info map[string][]uint64
	brk  map[string][]uint64
	out  string
}

var (
	reMarker  = regexp.MustCompile(`^@@SPEC (.*)$`)
	reInfo    = regexp.MustCompile(`(?:starts at|is at) address (0x[0-9a-f]+)`)
	reBrkSet  = regexp.MustCompile(`^Breakpoint (\d+) at `)
	reBrkLine = regexp.MustCompile(`^(\d+)(?:\.\d+)?\s.*\s(0x[0-9a-f]+)\s+in\s`)
)

func askGDB(t *testing.T, bin string, specs []string) gdbAnswers {
	t.Helper()
	needTools(t, "gdb")
	args := []string{"-batch", "-nx", "-iex", "set auto-load no"}
	for _, s := range specs {
		args = append(args, "-ex", "echo @@SPEC "+s+"\\n", "-ex", "info line "+s, "-ex", "break "+s)
	}
	args = append(args, "-ex", "echo @@SPEC \\n", "-ex", "info breakpoints", bin)
	out, _ := exec.Command("gdb", args...).CombinedOutput()
	a := gdbAnswers{info: map[string][]uint64{}, brk: map[string][]uint64{}, out: string(out)}
	bpSpec := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := reMarker.FindStringSubmatch(line); m != nil {
			cur = m[1]
			continue
		}
		if cur != "" {
			if m := reInfo.FindStringSubmatch(line); m != nil {
				a.info[cur] = append(a.info[cur], hexU(m[1]))
			}
			if m := reBrkSet.FindStringSubmatch(line); m != nil {
				bpSpec[m[1]] = cur
			}
			continue
		}
		if m := reBrkLine.FindStringSubmatch(line); m != nil {
			if s, ok := bpSpec[m[1]]; ok {
				a.brk[s] = append(a.brk[s], hexU(m[2]))
			}
		}
	}
	return a
}

func hexU(s string) uint64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	return v
}

func pcsOf(locs []Location) []uint64 {
	var out []uint64
	for _, l := range locs {
		out = append(out, l.PC)
	}
	return out
}

func sameSet(a, b []uint64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func hexList(v []uint64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%#x", x))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// specCase is a spec to compare; info is false for a line without code,
// for which "info line" only says where the next line is.
type specCase struct {
	spec string
	info bool
}

// compareWithGDB resolves every spec in the binary (at bias 0, the
// addresses gdb uses before the program runs) and compares with gdb.
func compareWithGDB(t *testing.T, bin string, cases []specCase) {
	t.Helper()
	im, err := OpenImage(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	var specs []string
	for _, c := range cases {
		specs = append(specs, c.spec)
	}
	g := askGDB(t, bin, specs)
	for _, c := range cases {
		want := g.brk[c.spec]
		if len(want) == 0 {
			t.Fatalf("%s: gdb set no breakpoint on %q; its output:\n%s", filepath.Base(bin), c.spec, g.out)
		}
		got, err := im.Resolve(c.spec)
		if err != nil {
			t.Errorf("%s: Resolve(%q): %v", filepath.Base(bin), c.spec, err)
			continue
		}
		if !sameSet(pcsOf(got), want) {
			t.Errorf("%s: break %s: got %s, gdb %s", filepath.Base(bin), c.spec, hexList(pcsOf(got)), hexList(want))
		} else {
			t.Logf("%s: break %s: %s as gdb", filepath.Base(bin), c.spec, hexList(want))
		}
		if !c.info {
			continue
		}
		lines, err := im.ResolveLines(c.spec)
		if err != nil {
			t.Errorf("%s: ResolveLines(%q): %v", filepath.Base(bin), c.spec, err)
			continue
		}
		// For FILE:LINE, gdb's "info line" works in list mode and shows
		// only the first address of the line in the file; for a
		// function it shows every copy.
		first := pcsOf(lines)
		if strings.Contains(c.spec, ":") {
			first = []uint64{slices.Min(first)}
		}
		if !sameSet(first, g.info[c.spec]) {
			t.Errorf("%s: info line %s: got %s, gdb %s", filepath.Base(bin), c.spec, hexList(first), hexList(g.info[c.spec]))
		}
	}
}

var cSpecs = []specCase{
	{"main", true},
	{"sum_squares", true},
	{"square", true}, // static inline: every inlined copy at -O2
	{"twice", true},
	{"lines.c:8", false}, // no code at -O2: moves to line 9
	{"lines.c:9", true},  // inside the inlined function: every copy
	{"lines.c:14", false},
	{"lines.c:19", true},
	{"lines.c:20", true},
	{"lines.c:24", true},
	{"testdata/lines.c:36", true},
}

func TestSpecsC(t *testing.T) {
	needTools(t, "gcc", "gdb")
	t.Parallel()
	src := abs(t, "testdata/lines.c")
	for _, b := range []struct {
		name  string
		flags []string
	}{
		{"O0-pie", []string{"-O0", "-fpie", "-pie"}},
		{"O2-pie", []string{"-O2", "-fpie", "-pie"}},
		{"O0-nopie", []string{"-O0", "-fno-pie", "-no-pie"}},
		{"O2-nopie", []string{"-O2", "-fno-pie", "-no-pie"}},
	} {
		bin := testprog.BuildC(t, b.flags, src)
		compareWithGDB(t, bin, cSpecs)
	}
}

// TestSpecsCxx: C++ functions by their qualified names, tails of them
// and names without template arguments resolve where gdb's break puts
// them (every overload, every instantiation), and frames name them as
// gdb does, demangled without parameters.
func TestSpecsCxx(t *testing.T) {
	needTools(t, "g++", "gdb")
	t.Parallel()
	bin := testprog.BuildCXX(t, []string{"-O0"}, abs(t, "testdata/cxxnames.cpp"))
	compareWithGDB(t, bin, []specCase{
		{"geo::Shape::area", true},
		{"Shape::area", false},
		{"area", false},
		{"geo::Shape::scale", false}, // both overloads
		{"scale", false},
		{"geo::twice", false}, // both instantiations
		{"twice", false},
		{"geo::twice<int>", false},
		{"geo::Box<long>::get", false},
		{"Box::get", false},
	})
	im, err := OpenImage(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for spec, want := range map[string]string{"area": "geo::Shape::area", "twice<double>": "geo::twice<double>", "Box<long>::get": "geo::Box<long>::get"} {
		locs, err := im.Resolve(spec)
		if err != nil || len(locs) != 1 || locs[0].Function != want {
			t.Errorf("Resolve(%q) = %+v, %v; want one location in %s", spec, locs, err, want)
		}
	}
	names := im.FunctionNames()
	for _, n := range []string{"geo::Shape::area", "Shape::area", "geo::twice<int>", "twice"} {
		if !slices.Contains(names, n) {
			t.Errorf("FunctionNames lacks %q", n)
		}
	}
}

func TestSpecsSharedLibrary(t *testing.T) {
	needTools(t, "gcc", "gdb")
	t.Parallel()
	dir := t.TempDir()
	lib := buildC(t, dir, "libshared.so", "-O2", "-fPIC", "-shared", abs(t, "testdata/libshared.c"))
	compareWithGDB(t, lib, []specCase{
		{"lib_entry", true},
		{"lib_helper", true},
		{"libshared.c:9", true},
		{"libshared.c:16", true},
		{"libshared.c:11", false},
	})

	// The same library in a process: the table finds it in the maps and
	// adds its load bias.
	exe := buildC(t, dir, "usesshared", "-O0", abs(t, "testdata/usesshared.c"), "-L"+dir, "-lshared", "-Wl,-rpath,"+dir)
	s := runToTrap(t, exe)
	tab, err := LoadProcess(s.pid)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	var libIm *Image
	for _, im := range tab.Images() {
		if filepath.Base(im.Path) == "libshared.so" {
			libIm = im
		}
	}
	if libIm == nil || libIm.Bias == 0 {
		t.Fatalf("libshared.so not found in the process's maps (or bias 0): %v", libIm)
	}
	file, err := OpenImage(lib, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, spec := range []string{"lib_entry", "libshared.c:16"} {
		inFile, err1 := file.Resolve(spec)
		inProc, err2 := tab.Resolve(spec)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", spec, err1, err2)
		}
		var want []uint64
		for _, pc := range pcsOf(inFile) {
			want = append(want, pc+libIm.Bias)
		}
		if !sameSet(pcsOf(inProc), want) {
			t.Errorf("%s in the process: got %s, want file addresses + bias %#x = %s", spec, hexList(pcsOf(inProc)), libIm.Bias, hexList(want))
		}
	}
}

var goSpecs = []specCase{
	{"main.middle", true},
	{"main.outer", true},
	{"main.inlined", true},
	{"main.stopHere", true},
	{"main.main", true},
	{"main.go:32", true}, // inside main.inlined, inlined into main.middle
	{"main.go:39", true},
	{"main.go:30", false},
	{"goprog/main.go:45", true},
}

func TestSpecsGo(t *testing.T) {
	needTools(t, "go", "gdb")
	t.Parallel()
	for _, b := range testprog.GoOpts {
		bin := testprog.BuildGo(t, b.Flags, "./testdata/goprog")
		compareWithGDB(t, bin, goSpecs)
	}
}

func TestSpecErrors(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	bin := testprog.BuildC(t, []string{"-O0"}, abs(t, "testdata/lines.c"))
	im, err := OpenImage(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for spec, want := range map[string]string{
		"no_such_function": `no function "no_such_function"`,
		"nosuchfile.c:3":   "no source file named nosuchfile.c",
		"lines.c:500":      "no code at or after line 500 in lines.c (the last line with code is 39)",
		"*0xzz":            "bad address",
		"lines.c:0":        "bad line number",
	} {
		_, err := im.Resolve(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q) = %v, want an error containing %q", spec, err, want)
		}
	}
	// *ADDR is exactly that address, described.
	main, _ := im.Resolve("main")
	locs, err := im.Resolve(fmt.Sprintf("*%#x", main[0].PC))
	if err != nil || len(locs) != 1 || locs[0].PC != main[0].PC || locs[0].Function != "main" || path.Base(locs[0].File) != "lines.c" {
		t.Errorf("*ADDR: %+v, %v", locs, err)
	}
	locs, err = im.Resolve(strconv.FormatUint(main[0].PC, 10))
	if err == nil {
		t.Errorf("a bare number is not a function: %+v", locs)
	}
	locs, err = im.Resolve("*" + strconv.FormatUint(main[0].PC, 10))
	if err != nil || locs[0].PC != main[0].PC {
		t.Errorf("*DECIMAL: %+v, %v", locs, err)
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
