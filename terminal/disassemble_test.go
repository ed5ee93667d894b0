package terminal

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestDisassembleScript: disassemble at a breakpoint shows the whole
// function with the source lines, the pc marked, and every instruction's
// bytes as objdump shows them in the file: our int3 at the breakpoint is
// hidden, and the length walk agrees.
func TestDisassembleScript(t *testing.T) {
	if _, err := exec.LookPath("objdump"); err != nil {
		t.Skip("no objdump")
	}
	prog := testprog.BuildC(t, []string{"-O0", "-g"}, filepath.Join("testdata", "print.c"))
	out := script(t, nil, "break consume\ncontinue\ndisassemble\ndisassemble *0x1\n", "exec", prog)
	expectInOrder(t, out,
		`^Thread \d+ stopped at breakpoint 1: consume\(\) print\.c:\d+$`,
		`^print\.c:29\t\{$`,
		`^   0x[0-9a-f]+ <consume\+0>:\t`,
		`^print\.c:30\tsink = it->id \+ who; // BP:consume$`,
		`^=> 0x[0-9a-f]+ <consume\+\d+>:\t`,
		`^disassemble: cannot read memory at 0x1$`,
	)
	row := regexp.MustCompile(`(?m)^(?:=>|  ) 0x[0-9a-f]+ <consume\+\d+>:\t((?:[0-9a-f]{2} ?)+?)\s{2,}`)
	var ours []string
	for _, m := range row.FindAllStringSubmatch(out, -1) {
		ours = append(ours, strings.TrimSpace(m[1]))
	}

	dump, err := exec.Command("objdump", "-d", "--no-show-raw-insn=false", "--disassemble=consume", "-w", prog).Output()
	if err != nil {
		dump, err = exec.Command("objdump", "-d", "--disassemble=consume", "-w", prog).Output()
	}
	if err != nil {
		t.Fatal(err)
	}
	objRow := regexp.MustCompile(`(?m)^\s+[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*\t`)
	var theirs []string
	for _, m := range objRow.FindAllStringSubmatch(string(dump), -1) {
		theirs = append(theirs, strings.TrimSpace(m[1]))
	}
	if len(theirs) == 0 || strings.Join(ours, "|") != strings.Join(theirs, "|") {
		t.Errorf("instruction bytes differ from objdump's:\nours   %q\nobjdump %q\noutput:\n%s", ours, theirs, out)
	}
	for _, b := range ours {
		if strings.HasPrefix(b, "cc") {
			t.Errorf("an int3 shows: %q", b)
		}
	}
}
