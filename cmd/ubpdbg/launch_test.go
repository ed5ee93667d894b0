package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// Tests of how `ubpdbg exec` starts the program: it must get what it would
// get without the debugger (signal state, standard files), and keep
// working after a detach.

// runScript runs `ubpdbg exec ARGS...` with the commands on its standard
// input and returns what it printed (the terminal's and the program's
// output, which share our stdout when ubpdbg is not interactive).
func runScript(t *testing.T, wrapper []string, script string, args ...string) string {
	t.Helper()
	argv := append(append(append([]string{}, wrapper...), ubpdbgBin(t), "exec"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out.String())
	}
	return out.String()
}

// linesWith returns the lines of text that start with one of the prefixes.
func linesWith(text string, prefixes ...string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				b.WriteString(l + "\n")
			}
		}
	}
	return b.String()
}

// TestExecKeepsInheritedSignals: a program started under ubpdbg by a parent
// that ignores SIGHUP (nohup), SIGPIPE and SIGTRAP and blocks SIGUSR1 has
// the same ignored set and mask as when that parent starts it directly;
// and so does one started by a parent that changes nothing.
//
// The static program runs no int3 of ours before main. The dynamic one
// does (the dynamic linker's notification breakpoint), and the kernel
// resets an ignored or blocked SIGTRAP to its default when it delivers the
// trap of an int3, so its SIGTRAP bit is left out (docs/cli.md says so).
func TestExecKeepsInheritedSignals(t *testing.T) {
	withsigs := testprog.BuildC(t, nil, "testdata/withsigs.c")
	static := testprog.BuildC(t, []string{"-static"}, "testdata/sigstate.c")
	dynamic := testprog.BuildC(t, nil, "testdata/sigstate.c")
	for _, tc := range []struct {
		name    string
		prog    string
		wrapper []string
	}{
		{"static/plain", static, nil}, {"static/ignored+blocked", static, []string{withsigs}},
		{"dynamic/plain", dynamic, nil}, {"dynamic/ignored+blocked", dynamic, []string{withsigs}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog := tc.prog
			nativeArgv := append(append([]string{}, tc.wrapper...), prog)
			out, err := exec.Command(nativeArgv[0], nativeArgv[1:]...).Output()
			if err != nil {
				t.Fatal(err)
			}
			native := linesWith(string(out), "SigIgn:", "SigBlk:")
			if tc.prog == dynamic {
				native = strings.Replace(native, "SigIgn:\t0000000000001011", "SigIgn:\t0000000000001001", 1)
			}
			if strings.Count(native, "\n") != 2 {
				t.Fatalf("native output %q", out)
			}
			debugged := linesWith(runScript(t, tc.wrapper, "continue\n", prog), "SigIgn:", "SigBlk:")
			if debugged != native {
				t.Errorf("under ubpdbg:\n%swithout:\n%s", debugged, native)
			}
		})
	}
}
