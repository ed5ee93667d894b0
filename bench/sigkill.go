package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// The sigkill section counts how often an attached program survives
// SIGKILL of ubpdbg (which no handler can catch: only the guardian and
// parking in target stand between the program and the int3s left in it).
// The victim is cmd/ubpdbg's busy.c: eight threads calling hit(), and a
// sum at the end that only an exact run prints.

// killCase is one way of being killed.
type killCase struct {
	name    string
	attach  bool   // `ubpdbg attach` (else `ubpdbg trace -p PID hit`)
	script  string // for attach
	held    bool   // wait for every thread to be held at the breakpoint
	pauseUS int    // busy's pause after each call, in each thread
	calls   int    // busy's calls per thread
}

var killCases = []killCase{
	{name: "trace -p, a hit every 12 us (each thread every 100 us)", pauseUS: 100, calls: 15000},
	{name: "attach, a condition never true, a hit every 12 us", attach: true, script: "break hit if t < 0\n", pauseUS: 100, calls: 15000},
	{name: "trace -p, a hit every 1.25 ms (each thread every 10 ms)", pauseUS: 10000, calls: 200},
	{name: "attach, a condition never true, a hit every 1.25 ms", attach: true, script: "break hit if t < 0\n", pauseUS: 10000, calls: 200},
	{name: "attach, the eight threads held at the breakpoint", attach: true, script: "break hit\n", held: true, pauseUS: 100, calls: 15000},
}

// killRun is one run of a case: it reports whether the program finished
// with its native output, and why not.
func killRun(ubp, busy string, hit uint64, native string, k killCase, run int) (bool, string) {
	victim := exec.Command(busy, strconv.Itoa(k.calls), strconv.Itoa(k.pauseUS))
	var vout bytes.Buffer
	victim.Stdout = &vout
	if err := victim.Start(); err != nil {
		return false, err.Error()
	}
	defer victim.Process.Kill()
	time.Sleep(50 * time.Millisecond)
	pid := strconv.Itoa(victim.Process.Pid)
	var cmd *exec.Cmd
	if k.attach {
		cmd = exec.Command(ubp, "attach", pid)
	} else {
		cmd = exec.Command(ubp, "trace", "-p", pid, "hit")
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return false, err.Error()
	}
	out := &testprog.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return false, err.Error()
	}
	// 0.2 to 0.3 s after the breakpoint is in (trace: after the start).
	pause := time.Duration(200+run*37%100) * time.Millisecond
	if k.attach {
		io.WriteString(in, k.script)
		if !out.WaitFor("Breakpoint 1 at", 20*time.Second) {
			cmd.Process.Kill()
			cmd.Wait()
			return false, "no breakpoint"
		}
		// Asked until all eight are held: one listing may come first.
		for end := time.Now().Add(20 * time.Second); k.held && !strings.Contains(out.String(), "8 stopped"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				cmd.Process.Kill()
				cmd.Wait()
				return false, "the threads were not all held"
			}
			io.WriteString(in, "threads\n")
		}
	} else if !int3At(victim.Process.Pid, hit, 20*time.Second) {
		// trace says nothing until it ends: the int3 in memory tells.
		cmd.Process.Kill()
		cmd.Wait()
		return false, "no int3 on hit()"
	}
	time.Sleep(pause)
	cmd.Process.Kill()
	cmd.Wait()
	in.Close()
	done := make(chan error, 1)
	go func() { done <- victim.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return false, err.Error()
		}
	case <-time.After(60 * time.Second):
		return false, "the program did not finish"
	}
	if vout.String() != native {
		return false, fmt.Sprintf("printed %q, natively %q", vout.String(), native)
	}
	return true, ""
}

// int3At waits until the byte at addr in the process is an int3.
func int3At(pid int, addr uint64, d time.Duration) bool {
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return false
	}
	defer mem.Close()
	b := make([]byte, 1)
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if _, err := mem.ReadAt(b, int64(addr)); err == nil && b[0] == 0xcc {
			return true
		}
	}
	return false
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot() (string, error) {
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(mod)) == "" || strings.TrimSpace(string(mod)) == os.DevNull {
		return "", fmt.Errorf("not run inside the ubpdbg module")
	}
	return filepath.Dir(strings.TrimSpace(string(mod))), nil
}

// killResult is one case's count.
type killResult struct {
	name     string
	ok, runs int
}

func sectionSigkill(o *options, e *env, sum *summary) error {
	section(o.out, fmt.Sprintf("sigkill: an attached program, SIGKILL of ubpdbg 0.2-0.3 s after its breakpoint, %d runs a case", o.killRuns))
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ubp, err := buildUbpdbg(e.dir)
	if err != nil {
		return err
	}
	// busy.c is the survival tests' program: copied into the build
	// directory, where buildC takes it.
	src, err := os.ReadFile(filepath.Join(root, "cmd/ubpdbg/testdata/busy.c"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(e.dir, "busy.c"), src, 0o644); err != nil {
		return err
	}
	// Not PIE, so that hit's address in the process is its symbol's.
	busy, err := buildC(e.dir, "busy.c", []string{"-O1", "-pthread", "-no-pie"})
	if err != nil {
		return err
	}
	hit, _, err := symbol(busy, "hit")
	if err != nil {
		return err
	}
	tw := newTable(o.out)
	fmt.Fprintln(tw, "breakpoint on hit(), 8 threads\tfinished as natively\tfirst failure\t")
	for _, k := range killCases {
		native, err := exec.Command(busy, strconv.Itoa(k.calls), strconv.Itoa(k.pauseUS)).Output()
		if err != nil {
			return fmt.Errorf("busy natively: %w", err)
		}
		ok, first := 0, ""
		for run := 0; run < o.killRuns; run++ {
			if good, why := killRun(ubp, busy, hit, string(native), k, run); good {
				ok++
			} else if first == "" {
				first = why
			}
		}
		fmt.Fprintf(tw, "%s\t%d of %d\t%s\t\n", k.name, ok, o.killRuns, first)
		sum.kills = append(sum.kills, killResult{k.name, ok, o.killRuns})
	}
	return tw.Flush()
}
