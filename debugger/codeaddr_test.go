package debugger

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestInstructionAddresses: *ADDR breakpoints inside an instruction (its
// REX prefix, its immediate) or on data are refused with the reason and
// leave the program's output as it is natively; one on the instruction
// after counts every call. Writing memory over an int3 is refused too.
func TestInstructionAddresses(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-no-pie"}, filepath.Join("testdata", "addrs.c"))
	want := testharness.NativeOK(t, prog)
	probe, calls := testharness.Symbol(t, prog, "probe"), testharness.Symbol(t, prog, "calls")
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	for _, c := range []struct {
		addr uint64
		why  string
	}{
		{probe + 1, "inside an instruction"},
		{probe + 2, "inside an instruction"},
		{probe + 9, "inside an instruction"},
		{calls, "is not code"},
		{0x10, "not mapped"},
	} {
		bp, err := s.SetBreakpoint(breakpoints.Spec{Location: fmt.Sprintf("*%#x", c.addr), Trace: true})
		if err != nil {
			t.Fatal(err)
		}
		if bp.Verified || !strings.Contains(bp.Message, c.why) {
			t.Errorf("*%#x: verified %v, message %q; want refused, %q", c.addr, bp.Verified, bp.Message, c.why)
		}
	}
	ret := mustBreak(t, s, breakpoints.Spec{Location: fmt.Sprintf("*%#x", probe+10), Trace: true})
	if err := s.WriteMemory(probe+8, []byte{0x90, 0x90, 0x90}); err == nil || !strings.Contains(err.Error(), "int3") {
		t.Errorf("writing over the int3 at %#x: %v, want refused", probe+10, err)
	}
	runCounting(t, s, &out, want, ret.ID, 1000)
}

// TestForcedAddress: in a stripped program no symbols say where
// instructions start, so *ADDR is refused with a hint, placed with
// Spec.Force (verified, with a warning in its message, every hit counted),
// and refused even then on data.
func TestForcedAddress(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-no-pie"}, filepath.Join("testdata", "addrs.c"))
	probe, calls := testharness.Symbol(t, prog, "probe"), testharness.Symbol(t, prog, "calls")
	stripped := filepath.Join(t.TempDir(), "addrs-stripped")
	if out, err := exec.Command("strip", "-s", "-o", stripped, prog).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v\n%s", err, out)
	}
	want := testharness.NativeOK(t, stripped)
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: stripped, Stdout: &out})
	ret := fmt.Sprintf("*%#x", probe+10)
	bp, err := s.SetBreakpoint(breakpoints.Spec{Location: ret, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if bp.Verified || !strings.Contains(bp.Message, "cannot be checked") || !strings.Contains(bp.Message, "break -f") {
		t.Errorf("unforced %s in a stripped program: %+v; want refused with a hint", ret, bp)
	}
	data, err := s.SetBreakpoint(breakpoints.Spec{Location: fmt.Sprintf("*%#x", calls), Trace: true, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if data.Verified || !strings.Contains(data.Message, "is not code") {
		t.Errorf("forced breakpoint on data: %+v; want refused", data)
	}
	forced, err := s.SetBreakpoint(breakpoints.Spec{Location: ret, Trace: true, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if !forced.Verified || !strings.Contains(forced.Message, "warning: placed without checking") {
		t.Fatalf("forced %s: %+v; want placed with a warning", ret, forced)
	}
	runCounting(t, s, &out, want, forced.ID, 1000)
}
