package symbols

import (
	"os/exec"
	"strconv"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestIndexLinesInBackground: the file index of every image of a real
// process (a C program waiting on its input: the program, libc, ld.so) is
// built without any lookup asking for it, and a FILE:LINE lookup then
// finds the program's line. The process is not traced.
func TestIndexLinesInBackground(t *testing.T) {
	needTools(t, "gcc")
	bin := buildC(t, t.TempDir(), "dlreopen", "-O0", abs(t, "testdata/dlreopen.c"))
	cmd := exec.Command(bin, "/nonexistent.so")
	in, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	var tab *Table
	testharness.Until(t, "the program's libc mapped", func() bool {
		var err error
		if tab != nil {
			tab.Close()
		}
		tab, err = LoadProcess(cmd.Process.Pid)
		return err == nil && len(tab.Images()) >= 3
	}, nil)
	defer tab.Close()
	tab.IndexLinesInBackground()
	testharness.Until(t, "every image's file index", func() bool {
		for _, im := range tab.Images() {
			if !im.linesIndexed() {
				return false
			}
		}
		return true
	}, nil)
	line := testharness.LineOf(t, "testdata/dlreopen.c", "h = dlopen(argv[1]")
	locs, err := tab.Resolve("dlreopen.c:" + strconv.Itoa(line))
	if err != nil || len(locs) != 1 {
		t.Fatalf("dlreopen.c:%d: %v %v", line, locs, err)
	}
}
