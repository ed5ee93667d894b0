package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/trace"
)

// Programs whose seccomp filter refuses executable mmap (testdata/seccomp.c)
// meet our XOL area mapping, an mmap we inject into them.

// TestSeccompKillEndsUs: a filter that kills the process for an executable
// mmap kills it during our injected call; ubpdbg must see its death and
// end with a message, never hang, whichever thread (the main one too) was
// injecting, launched or attached.
func TestSeccompKillEndsUs(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O1", "-pthread"}, "testdata/seccomp.c")
	runs := 3 * surviveRuns()
	for run := 0; run < runs; run++ {
		var cmd *exec.Cmd
		var v *victim
		if run%2 == 0 {
			cmd = exec.Command(bin, "trace", "hit", "--", prog, "kill", "2000", "200")
		} else {
			v = startVictim(t, prog, "kill", "20000", "200")
			cmd = exec.Command(bin, "trace", "-p", v.pid(), "hit")
		}
		out := &testprog.Output{}
		cmd.Stderr = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := waitEnd(cmd, 30*time.Second); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out.String())
		}
		if !strings.Contains(out.String(), "killed by SIGSYS") {
			t.Errorf("run %d: ubpdbg did not say how the program ended:\n%s", run, out.String())
		}
	}
}

// TestSeccompEPERMStepsInPlace: a filter that fails executable mmap with
// EPERM gets one clear message, and breakpoints work without XOL areas
// (stepped in place): every hit counted, the program's output native.
func TestSeccompEPERMStepsInPlace(t *testing.T) {
	bin := ubpdbgBin(t)
	prog := testprog.BuildC(t, []string{"-O1", "-pthread"}, "testdata/seccomp.c")
	args := []string{"eperm", "300", "100"}
	native, err := exec.Command(prog, args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"trace", "--json", "hit", "--", prog}, args...)...)
	stdout, stderr := &testprog.Output{}, &testprog.Output{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := waitEnd(cmd, 120*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if stdout.String() != string(native) {
		t.Errorf("program output %q, natively %q", stdout.String(), native)
	}
	msg, report, _ := strings.Cut(stderr.String(), "\n")
	if !strings.Contains(msg, "refuses executable memory") || !strings.Contains(msg, "stepping in place") {
		t.Errorf("no clear message first:\n%s", stderr.String())
	}
	if strings.Count(stderr.String(), "refuses executable memory") != 1 {
		t.Errorf("the message is not said once:\n%s", stderr.String())
	}
	var rep trace.Report
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	if len(rep.Locations) != 1 || rep.Locations[0].Hits != 9*300 {
		t.Errorf("report %+v, want 2700 hits of hit", rep)
	}
}
