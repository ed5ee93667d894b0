package symbols

import (
	"bufio"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// btFrame is one line of a backtrace: gdb's or ours.
type btFrame struct {
	fn   string
	file string
	line int
}

func (f btFrame) String() string {
	if f.file == "" {
		return f.fn
	}
	return f.fn + " at " + f.file + ":" + strconv.Itoa(f.line)
}

var reBT = regexp.MustCompile(`^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (\S+):(\d+)$`)

// gdbBacktrace runs bin under gdb to its SIGTRAP and returns "bt".
func gdbBacktrace(t *testing.T, bin string) []btFrame {
	t.Helper()
	needTools(t, "gdb")
	out, _ := exec.Command("gdb", "-batch", "-nx", "-iex", "set auto-load no",
		"-ex", "handle SIGUSR1 nostop noprint pass", "-ex", "run", "-ex", "bt", bin).CombinedOutput()
	var bt []btFrame
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		if strings.Contains(line, "<signal handler called>") {
			bt = append(bt, btFrame{fn: "<signal handler called>"})
			continue
		}
		m := reBT.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("cannot parse gdb frame %q; output:\n%s", line, out)
		}
		n, _ := strconv.Atoi(m[3])
		bt = append(bt, btFrame{m[1], m[2], n})
	}
	if len(bt) == 0 {
		t.Fatalf("gdb printed no backtrace:\n%s", out)
	}
	return bt
}

// sameFile compares a path as gdb prints it with ours. gdb prints a file
// as its line table's directory entry and name spell it: in DWARF 5,
// directory 0 is the compilation directory itself (./nptl/pthread_kill.c
// for DW_AT_comp_dir ./nptl) and the others are relative to it
// (../sysdeps/posix/raise.c). Ours is joined with the compilation
// directory once: nptl/pthread_kill.c, sysdeps/posix/raise.c, or an
// absolute path whose end is gdb's.
func sameFile(gdb, ours, compDir string) bool {
	g := path.Clean(gdb)
	if g == ours || strings.HasSuffix(ours, "/"+g) {
		return true
	}
	dir := path.Clean(compDir)
	return !path.IsAbs(g) && compDir != "" && !strings.HasPrefix(g, dir+"/") && path.Join(dir, g) == ours
}

// compDirOf returns the DW_AT_comp_dir of the unit of a frame's code.
func compDirOf(f Frame) string {
	if f.Image == nil {
		return ""
	}
	if u := f.Image.unitFor(f.PC - 1 - f.Image.Bias); u != nil {
		return u.compDir
	}
	return ""
}

// unwindStopped loads the symbols of a stopped process (closed when the
// test ends) and unwinds its thread from the registers it stopped with.
func unwindStopped(t *testing.T, s *stopped) (*Table, []Frame) {
	t.Helper()
	tab, err := LoadProcess(s.pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tab.Close() })
	frames, err := tab.Unwind(s, &s.regs, UnwindOptions{})
	if err != nil {
		t.Errorf("Unwind: %v", err)
	}
	return tab, frames
}

func ourFrames(frames []Frame) []btFrame {
	var bt []btFrame
	for _, f := range frames {
		bt = append(bt, btFrame{f.Function, f.File, f.Line})
	}
	return bt
}

func TestUnwindCThroughQsortAndSignal(t *testing.T) {
	needTools(t, "gcc", "gdb")
	t.Parallel()
	for _, opts := range [][]string{
		{"-O0"},
		{"-O2"},
		// No CFI for the program's own functions: frame pointers.
		{"-O0", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"},
	} {
		t.Run(strings.Join(opts, ""), func(t *testing.T) {
			bin := testprog.BuildC(t, opts, abs(t, "testdata/stack.c"))
			if len(opts) > 1 {
				// -g still emits .debug_frame: drop it too.
				needTools(t, "objcopy")
				// Into a copy: the built program is shared by the tests.
				stripped := filepath.Join(t.TempDir(), "stack")
				run(t, ".", "objcopy", "--remove-section=.debug_frame", bin, stripped)
				bin = stripped
			}
			want := gdbBacktrace(t, bin)

			s := runToTrap(t, bin)
			tab, frames := unwindStopped(t, s)
			got := ourFrames(frames)
			ok := len(got) == len(want)
			for i := 0; ok && i < len(got); i++ {
				ok = got[i].fn == want[i].fn && got[i].line == want[i].line && (want[i].file == "" || sameFile(want[i].file, got[i].file, compDirOf(frames[i])))
			}
			if !ok {
				t.Errorf("backtrace differs from gdb's\n ours: %s\n  gdb: %s", fmtBT(got), fmtBT(want))
			} else {
				t.Logf("%d frames as gdb:\n%s", len(got), fmtBT(got))
			}

			// The same stack seen from a pc inside an XOL slot: the
			// mapper turns it back into the original address.
			const slot = 0x7fff00001000
			regs := s.regs
			orig := regs.Rip
			regs.Rip = slot
			mapped, err := tab.Unwind(s, &regs, UnwindOptions{MapPC: func(pc uint64) uint64 {
				if pc == slot {
					return orig
				}
				return pc
			}})
			if err != nil || !equalBT(ourFrames(mapped), got) {
				t.Errorf("with MapPC: %v\n%s", err, fmtBT(ourFrames(mapped)))
			}

			// From the first instruction of leaf: the return address is
			// still on the stack at leaf's CFA-8, and the caller's
			// registers are those of frame 1.
			leaf, err := tab.ResolveLines("leaf")
			if err != nil {
				t.Fatal(err)
			}
			entry := frames[1].Regs
			entry.Set(16, leaf[0].PC)
			entry.Set(7, frames[0].CFA-8)
			fromEntry, err := tab.UnwindRegs(s, entry, UnwindOptions{})
			if err != nil || len(fromEntry) != len(frames) || fromEntry[0].Function != "leaf" ||
				!equalBT(ourFrames(fromEntry)[1:], got[1:]) {
				t.Errorf("from leaf's entry: %v\n%s", err, fmtBT(ourFrames(fromEntry)))
			}
		})
	}
}

func equalBT(a, b []btFrame) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fmtBT(bt []btFrame) string {
	var s []string
	for i, f := range bt {
		s = append(s, "#"+strconv.Itoa(i)+" "+f.String())
	}
	return strings.Join(s, "\n\t")
}

func TestReloadPicksUpLibraries(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	tab := stackAtExec(t)
	hasLibc := func() bool {
		for _, im := range tab.Images() {
			if strings.HasPrefix(path.Base(im.Path), "libc.so") {
				return true
			}
		}
		return false
	}
	if hasLibc() {
		t.Fatal("libc mapped at the exec stop?")
	}
	if err := tab.Reload(); err != nil {
		t.Fatal(err)
	}
	if !hasLibc() {
		t.Fatal("Reload did not find libc")
	}
	// libc's frames get files and lines from its separate debug file.
	info := tab.LookupPC(tab.mustResolve(t, "raise"))
	if len(info.Frames) == 0 || info.Image.DebugPath == info.Image.Path || !strings.HasSuffix(info.Frames[0].File, "raise.c") {
		t.Errorf("raise: %+v (debug file %q)", info.Frames, info.Image.DebugPath)
	}
}

func (t *Table) mustResolve(tt *testing.T, spec string) uint64 {
	locs, err := t.Resolve(spec)
	if err != nil {
		tt.Fatal(err)
	}
	return locs[0].PC
}

func TestUnwindGoGoroutine(t *testing.T) {
	needTools(t, "go")
	t.Parallel()
	for _, b := range testprog.GoOpts {
		t.Run(b.Name, func(t *testing.T) {
			bin := testprog.BuildGo(t, b.Flags, "./testdata/goprog")
			s := runToTrap(t, bin)
			want := readGoFrames(t, s.stdout)
			_, frames := unwindStopped(t, s)
			got := ourFrames(frames)
			// runtime.Callers(2) started at stopHere's caller; our
			// trace starts in the tgkill system call.
			i := 0
			for i < len(got) && got[i].fn != "main.stopHere" {
				i++
			}
			if i == len(got) {
				t.Fatalf("main.stopHere not in our trace:\n\t%s", fmtBT(got))
			}
			got = got[i+1:]
			ok := len(got) == len(want)
			for j := 0; ok && j < len(got); j++ {
				ok = got[j] == want[j]
			}
			if !ok {
				t.Errorf("trace differs from runtime.Callers\n ours: %s\n  Go's: %s", fmtBT(got), fmtBT(want))
			} else {
				t.Logf("%d frames as runtime.Callers:\n\t%s", len(got), fmtBT(got))
			}
		})
	}
}

func readGoFrames(t *testing.T, file string) []btFrame {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bt []btFrame
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && fs[0] == "FRAME" {
			n, _ := strconv.Atoi(fs[3])
			bt = append(bt, btFrame{fs[1], fs[2], n})
		}
	}
	if len(bt) == 0 {
		t.Fatal("the Go program printed no frames")
	}
	return bt
}
