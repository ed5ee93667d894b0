package terminal

import (
	"debug/elf"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestAddressBreakpoints: an *ADDR that cannot be checked (a stripped
// program) is an error with the hint, and no breakpoint is left behind;
// break -f places it with a warning and it counts; one on data is an
// error even with -f.
func TestAddressBreakpoints(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-no-pie"}, "../debugger/testdata/addrs.c")
	f, err := elf.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	f.Close()
	addr := map[string]uint64{}
	for _, s := range syms {
		addr[s.Name] = s.Value
	}
	stripped := filepath.Join(t.TempDir(), "addrs-stripped")
	if out, err := exec.Command("strip", "-s", "-o", stripped, prog).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v\n%s", err, out)
	}
	ret := fmt.Sprintf("*%#x", addr["probe"]+10)
	out := script(t, nil, fmt.Sprintf("break %s\nbreakpoints\nbreak -f *%#x\nbreak -f %s\ncontinue\ndelete\ncontinue\n", ret, addr["calls"], ret), "exec", stripped)
	expectInOrder(t, out,
		`^break: 0x[0-9a-f]+ is in no function known from symbols, so it cannot be checked to start an instruction \(force it, .*break -f`,
		`^No breakpoints$`,
		`^break: 0x[0-9a-f]+ is not code: it is in .*addrs-stripped, mapped rw`,
		`^Breakpoint \d+ at 0x[0-9a-f]+`,
		`^warning: placed without checking that it starts an instruction`,
		`stopped at breakpoint \d+`,
		`sum \d+ calls 1000`,
		`exited with status 0`,
	)
	// A logpoint takes -f as break does; without it the same refusal.
	out = script(t, nil, fmt.Sprintf("logpoint %s passed\nlogpoint -f %s passed\ncontinue\n", ret, ret), "exec", stripped)
	expectInOrder(t, out,
		`^logpoint: 0x[0-9a-f]+ is in no function known from symbols, so it cannot be checked to start an instruction \(force it, .*logpoint -f`,
		`^Logpoint \d+ at 0x[0-9a-f]+`,
		`^warning: placed without checking that it starts an instruction`,
		`^passed$`,
		`sum \d+ calls 1000`,
		`exited with status 0`,
	)
}

// TestThreadBreakpoint: "break LOC thread TID" stops only that thread, and
// a thread the program does not have, or no ID, is an error.
func TestThreadBreakpoint(t *testing.T) {
	l := startLive(t, "exec", cTarget(t))
	l.send("threads")
	tid := l.until(`^\* (\d+) `, 10*time.Second)[1]
	l.send("break square thread 1")
	l.until(`^break: no thread 1 \(threads lists them\)`, 10*time.Second)
	l.send("break square thread")
	l.until(`^break: missing thread ID after "thread"`, 10*time.Second)
	l.send("break square thread " + tid)
	l.until(`^Breakpoint 1 at 0x[0-9a-f]+: square\(\) threads.c:\d+ thread `+tid+`$`, 10*time.Second)
	l.send("continue")
	l.until(`^Thread `+tid+` stopped at breakpoint 1: square\(\)`, 10*time.Second)
	l.send("breakpoints")
	l.until(`thread `+tid+` only`, 10*time.Second)
	l.send("delete")
	l.send("continue")
	l.closeInput()
	out := l.wait(20 * time.Second)
	expectInOrder(t, out, `total 14`, `exited with status 0`)
}
