package terminal

import (
	"path/filepath"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestWatchScript: watch, set at the program's entry, stops the writer
// after each change with gdb's old and new value lines, is listed with its
// hits and value, and goes with delete; rwatch shows the value read; what
// cannot be watched is an error that loses nothing; the program ends as
// natively.
func TestWatchScript(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "watched.c"))
	out := script(t, nil, "watch shared\ncontinue\ncontinue\nbreakpoints\ndelete\nrwatch config\ncontinue\n"+
		"delete\nwatch nothing_here\nwatch 1 + 2\nwatch\ncontinue\n", "exec", prog)
	expectInOrder(t, out,
		`^Hardware watchpoint 1: shared$`,
		`^Hardware watchpoint 1: shared$`,
		`^Old value = 0$`,
		`^New value = 1$`,
		`^Thread \d+ stopped \(watchpoint 1\): worker\(\) watched\.c:\d+$`,
		`^Old value = 1$`,
		`^New value = 2$`,
		`^1 +watch +y +2 +0x[0-9a-f]+ +shared \(8 bytes\) = 2$`,
		`^Deleted 1 breakpoint`,
		`^Hardware read watchpoint 2: config$`,
		`^Value = 7$`,
		`^Thread \d+ stopped \(watchpoint 2\): worker\(\) watched\.c:\d+$`,
		`nothing_here`,
		`1 \+ 2 is not in memory`,
		`missing expression to watch`,
		`^shared \d+ deep 15$`,
		`^Process \d+ exited with status 0`)
}
