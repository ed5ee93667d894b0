package terminal

import (
	"debug/elf"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

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
}
