package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A measurer runs a target with n calls of f and returns the wall time of
// the run and the hits the tool saw (-1: it does not say).
type measurer func(n int64) (time.Duration, int64, error)

// result is one row of a per-hit table.
type result struct {
	name  string
	how   string
	calls int64
	hits  int64 // -1: not reported by the tool
	t0    time.Duration
	tn    time.Duration
	per   float64 // ns per hit, the tool's own cost (native call time taken off)
	err   error   // errNA: not measured, with the reason
}

func (r result) ok() bool { return r.err == nil && r.per > 0 }

// A tool is one row of a per-hit table: how to run it and what came out.
type tool struct {
	name, how string
	n0        int64 // calls to start calibrating with
	m         measurer
	res       result
}

func newTool(name, how string, n0 int64, m measurer) *tool {
	return &tool{name: name, how: how, n0: n0, m: m, res: result{name: name, how: how, hits: -1}}
}

// calibrate finds the number of calls that makes a run take about
// o.target more than a run with 0 calls (start-up and teardown): it grows
// the calls until they cost a fifth of the target at least, so that the
// estimate stands out of the noise of the fixed costs.
func (t *tool) calibrate(o *options) {
	if t.res.err != nil {
		return
	}
	t0, _, err := t.m(0)
	if err != nil {
		t.res.err = err
		return
	}
	if t0b, _, err := t.m(0); err == nil && t0b < t0 {
		t0 = t0b
	}
	n := t.n0
	for {
		t1, _, err := t.m(n)
		if err != nil {
			t.res.err = err
			return
		}
		if t1-t0 >= o.target/5 || n >= o.maxCalls {
			n = int64(float64(n) * float64(o.target) / float64(max(t1-t0, 1)))
			break
		}
		n *= 4
	}
	t.res.calls = min(max(n, t.n0), o.maxCalls)
}

// sameCalls gives every tool in the group the largest of their calibrated
// calls, so that they are compared over the same work.
func sameCalls(tools ...*tool) {
	var n int64
	for _, t := range tools {
		if t.res.err == nil {
			n = max(n, t.res.calls)
		}
	}
	for _, t := range tools {
		t.res.calls = n
	}
}

// measure runs every tool with 0 calls and with its calibrated calls,
// round after round (so that a burst of load elsewhere on the machine hits
// them all alike), and keeps the fastest of each: the cost per hit is the
// difference over the hits, less the native cost of a call. Fixed costs
// (starting GDB, loading symbols, the dynamic loader under ptrace) cancel.
func measure(o *options, tools []*tool, rounds int, nativePerCall float64, same ...*tool) {
	for _, t := range tools {
		t.calibrate(o)
	}
	sameCalls(same...)
	for i := 0; i < rounds; i++ {
		for _, t := range tools {
			r := &t.res
			if r.err != nil {
				continue
			}
			t0, _, err := t.m(0)
			if err != nil {
				r.err = err
				continue
			}
			tn, hits, err := t.m(r.calls)
			if err != nil {
				r.err = err
				continue
			}
			if i == 0 || t0 < r.t0 {
				r.t0 = t0
			}
			if i == 0 || tn < r.tn {
				r.tn = tn
			}
			r.hits = hits
		}
	}
	for _, t := range tools {
		r := &t.res
		if r.err != nil {
			continue
		}
		div := float64(r.calls)
		if r.hits > 0 {
			div = float64(r.hits)
		}
		r.per = float64(r.tn-r.t0)/div - nativePerCall
		if r.per <= 0 {
			r.err = fmt.Errorf("too noisy to tell: %d calls took %v, 0 calls %v", r.calls, r.tn, r.t0)
		}
		if r.hits >= 0 && r.hits != r.calls {
			r.err = fmt.Errorf("saw %d hits of %d calls", r.hits, r.calls)
		}
	}
}

// nativePerCall measures the program's own cost of a call of f.
func nativePerCall(e *env) (float64, error) {
	t0, _, err := timeCmd(e.hit, "1", "0")
	if err != nil {
		return 0, err
	}
	const n = 20_000_000
	tn, _, err := timeCmd(e.hit, "1", strconv.Itoa(n))
	if err != nil {
		return 0, err
	}
	return float64(tn-t0) / n, nil
}

func calls(n int64) string { return strconv.FormatInt(n, 10) }

func rawMeasurer(e *env, threads int) measurer {
	return func(n int64) (time.Duration, int64, error) {
		d, out, err := timeCmd(e.rawptrace, fmt.Sprintf("%#x", e.fAddr), e.hit, strconv.Itoa(threads), calls(n))
		if err != nil {
			return d, 0, err
		}
		hits, err := strconv.ParseInt(strings.TrimSpace(lastLines(out, 1)), 10, 64)
		if err != nil {
			return d, 0, fmt.Errorf("rawptrace said %q", out)
		}
		return d, hits, nil
	}
}

func ubpMeasurer(e *env, k kind, threads int) measurer {
	return func(n int64) (time.Duration, int64, error) {
		r, err := runUbpdbg(e, k, threads, n/int64(threads), nil)
		return r.elapsed, int64(r.hits), err
	}
}

var gdbHits = regexp.MustCompile(`already hit (\d+) time`)

func gdbMeasurer(e *env) (measurer, error) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		return nil, fmt.Errorf("%w: gdb not found", errNA)
	}
	return func(n int64) (time.Duration, int64, error) {
		d, out, err := timeCmd(gdb, "-batch", "-nx", "-ex", "break f if x < 0", "-ex", "run",
			"-ex", "info breakpoints", "--args", e.hit, "1", calls(n))
		if err != nil {
			return d, 0, err
		}
		if !strings.Contains(out, "exited normally") {
			return d, 0, fmt.Errorf("gdb: the program did not run to its end:\n%s", lastLines(out, 5))
		}
		// GDB counts only the hits that stop (condition true).
		if m := gdbHits.FindStringSubmatch(out); m != nil {
			return d, 0, fmt.Errorf("gdb stopped at f: %s", m[0])
		}
		return d, -1, nil
	}, nil
}

// findDlv looks for dlv and installs it with go install once if it is
// nowhere (the module proxy serves it).
func findDlv(o *options) (string, error) {
	if o.dlvPath != "" {
		return o.dlvPath, nil
	}
	if p, err := exec.LookPath("dlv"); err == nil {
		return p, nil
	}
	gobin := func() string {
		if b, err := exec.Command("go", "env", "GOBIN").Output(); err == nil && strings.TrimSpace(string(b)) != "" {
			return strings.TrimSpace(string(b))
		}
		b, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			return ""
		}
		return filepath.Join(strings.Split(strings.TrimSpace(string(b)), ":")[0], "bin")
	}()
	p := filepath.Join(gobin, "dlv")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	fmt.Fprintln(o.out, "  (installing dlv: go install github.com/go-delve/delve/cmd/dlv@v1.27.2)")
	cmd := exec.Command("go", "install", "github.com/go-delve/delve/cmd/dlv@v1.27.2")
	cmd.Dir = os.TempDir() // outside our module
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: dlv is not installed and go install failed: %v: %s", errNA, err, lastLines(string(out), 2))
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: go install put no dlv in %s", errNA, gobin)
	}
	return p, nil
}

func dlvMeasurer(o *options, e *env) (measurer, error) {
	dlv, err := findDlv(o)
	if err != nil {
		return nil, err
	}
	script := filepath.Join(e.dir, "dlv.init")
	if err := os.WriteFile(script, []byte("break f\ncondition 1 x < 0\ncontinue\nexit\n"), 0o644); err != nil {
		return nil, err
	}
	return func(n int64) (time.Duration, int64, error) {
		d, out, err := timeCmd(dlv, "exec", e.hit, "--init", script, "--allow-non-terminal-interactive=true",
			"--", "1", calls(n))
		if err != nil {
			return d, 0, err
		}
		if !strings.Contains(out, "has exited with status 0") {
			return d, 0, fmt.Errorf("dlv: the program did not run to its end:\n%s", lastLines(out, 5))
		}
		return d, -1, nil // Delve counts only the hits that stop (condition true)
	}, nil
}

var ltraceCalls = regexp.MustCompile(`(?m)^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+f$`)

func ltraceMeasurer(e *env) (measurer, error) {
	lt, err := exec.LookPath("ltrace")
	if err != nil {
		return nil, fmt.Errorf("%w: ltrace not found (apt-get install ltrace)", errNA)
	}
	outFile := filepath.Join(e.dir, "ltrace.out")
	return func(n int64) (time.Duration, int64, error) {
		d, _, err := timeCmd(lt, "-c", "-x", "f", "-o", outFile, e.hit, "1", calls(n))
		if err != nil {
			return d, 0, err
		}
		b, err := os.ReadFile(outFile)
		if err != nil {
			return d, 0, err
		}
		hits := int64(0)
		if m := ltraceCalls.FindSubmatch(b); m != nil {
			hits, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
		return d, hits, nil
	}, nil
}

// tracefs finds the kernel's tracing directory, mounting tracefs on a
// temporary directory if it is nowhere; the returned function undoes that.
func tracefs() (string, func(), error) {
	for _, d := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "uprobe_events")); err == nil {
			return d, func() {}, nil
		}
	}
	if os.Geteuid() != 0 {
		return "", nil, fmt.Errorf("%w: tracefs is not mounted and we are not root", errNA)
	}
	d, err := os.MkdirTemp("", "ubpdbg-bench-tracefs-")
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Mount("nodev", d, "tracefs", 0, ""); err != nil {
		os.Remove(d)
		return "", nil, fmt.Errorf("%w: mount tracefs: %v", errNA, err)
	}
	if _, err := os.Stat(filepath.Join(d, "uprobe_events")); err != nil {
		syscall.Unmount(d, 0)
		os.Remove(d)
		return "", nil, fmt.Errorf("%w: no uprobe_events in tracefs (kernel without CONFIG_UPROBE_EVENTS?)", errNA)
	}
	return d, func() { syscall.Unmount(d, 0); os.Remove(d) }, nil
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// uprobe measures a kernel uprobe event at off in the hit program: the
// program runs natively with the event enabled; the hits come from
// uprobe_profile. The returned function removes the probe.
func uprobeMeasurer(e *env, off uint64) (measurer, func(), error) {
	dir, unmount, err := tracefs()
	if err != nil {
		return nil, nil, err
	}
	const group, event = "ubpdbgbench", "f"
	events := filepath.Join(dir, "uprobe_events")
	appendFile(events, fmt.Sprintf("-:%s/%s\n", group, event)) // a leftover of an earlier run
	if err := appendFile(events, fmt.Sprintf("p:%s/%s %s:%#x\n", group, event, e.hit, off)); err != nil {
		unmount()
		return nil, nil, fmt.Errorf("%w: define uprobe: %v", errNA, err)
	}
	enable := filepath.Join(dir, "events", group, event, "enable")
	cleanup := func() {
		os.WriteFile(enable, []byte("0"), 0)
		appendFile(events, fmt.Sprintf("-:%s/%s\n", group, event))
		os.WriteFile(filepath.Join(dir, "trace"), nil, 0) // drop the recorded events
		unmount()
	}
	profile := filepath.Join(dir, "uprobe_profile")
	count := func() int64 {
		b, _ := os.ReadFile(profile)
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 3 && f[0] == e.hit && (f[1] == event || f[1] == group+"/"+event) {
				n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
				return n
			}
		}
		return -1
	}
	return func(n int64) (time.Duration, int64, error) {
		// Enabled only for its own runs: while enabled, the probe's int3
		// is in the page cache for every process that maps the program.
		if err := os.WriteFile(enable, []byte("1"), 0); err != nil {
			return 0, 0, fmt.Errorf("%w: enable uprobe: %v", errNA, err)
		}
		before := count()
		d, _, err := timeCmd(e.hit, "1", calls(n))
		after := count()
		if err2 := os.WriteFile(enable, []byte("0"), 0); err == nil && err2 != nil {
			err = fmt.Errorf("disable uprobe: %v", err2)
		}
		if err != nil {
			return d, 0, err
		}
		if before < 0 || after < 0 {
			return d, -1, nil
		}
		return d, after - before, nil
	}, cleanup, nil
}
