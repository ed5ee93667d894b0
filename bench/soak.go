package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-dap"
)

// The soak runs the real `ubpdbg dap` for a long time on a program whose
// threads call eight functions all the time, changes its breakpoints
// every second, and samples ubpdbg's resident memory: whatever a session
// keeps per hit or per change of breakpoints shows as a rising curve.

// soakSample is one reading of ubpdbg's memory during the soak.
type soakSample struct {
	at       time.Duration
	rss      int64 // VmRSS of the ubpdbg process, bytes
	changes  int   // setBreakpoints requests answered so far
	logLines int64 // logpoint lines received so far
}

type soakResult struct {
	samples []soakSample
	calls   int64 // what the program says it made
	changes int
	err     error
}

// soakLines finds the lines of soak.c marked "soak:fN", in N's order.
func soakLines(src string) ([]int, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	var lines []int
	for i, l := range strings.Split(string(b), "\n") {
		if _, tag, ok := strings.Cut(l, "// soak:f"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(tag))
			if err != nil || n != len(lines) {
				return nil, fmt.Errorf("soak.c: marker %q out of order", tag)
			}
			lines = append(lines, i+1)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("soak.c has no soak:fN markers")
	}
	return lines, nil
}

// soakBreakpoints is the set of round r: four of the eight functions, a
// different four each round, as three kinds that never stop the program:
// a condition that is never true (evaluated at every hit), a logpoint
// that logs one hit in 5,000, and a hit count never reached.
func soakBreakpoints(lines []int, r int) []dap.SourceBreakpoint {
	var bps []dap.SourceBreakpoint
	for i := range 4 {
		k := (r + i*2 + i/2) % len(lines)
		bp := dap.SourceBreakpoint{Line: lines[k]}
		switch (r + i) % 3 {
		case 0:
			bp.Condition = "x < 0"
		case 1:
			bp.LogMessage = fmt.Sprintf("f%d {x}", k)
			bp.HitCondition = "% 5000"
		case 2:
			bp.HitCondition = ">= 1000000000000"
		}
		bps = append(bps, bp)
	}
	return bps
}

// vmRSS reads a process's resident set size.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// runSoak launches the soak program for d under `ubpdbg dap` (the binary
// at ubp) with threads threads that pause for pause after each round of
// eight calls, sampling every sampleEvery.
func runSoak(e *env, ubp string, threads int, d, pause, sampleEvery time.Duration) (res soakResult) {
	src := filepath.Join(e.dir, "soak.c")
	lines, err := soakLines(src)
	if err != nil {
		res.err = err
		return
	}
	cmd := exec.Command(ubp, "dap")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		res.err = err
		return
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		res.err = err
		return
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		res.err = err
		return
	}
	defer func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if res.err != nil && stderr.Len() > 0 {
			res.err = fmt.Errorf("%w (ubpdbg's stderr: %s)", res.err, strings.TrimSpace(stderr.String()))
		}
	}()

	// One goroutine reads everything: responses go to the request that
	// waits for them, output is counted, and the program's end is noted.
	c := &benchClient{w: stdin, r: bufio.NewReaderSize(stdout, 1<<20)}
	var (
		mu       sync.Mutex
		waiting  = map[int]chan dap.Message{}
		logLines int64
		stdoutOf strings.Builder
		exitCode = -1
	)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for {
			m, err := c.read()
			if err != nil {
				return
			}
			mu.Lock()
			switch m := m.(type) {
			case *dap.OutputEvent:
				if m.Body.Category == "stdout" {
					stdoutOf.WriteString(m.Body.Output)
				} else if strings.HasPrefix(m.Body.Output, "f") {
					logLines++
				}
			case *dap.ExitedEvent:
				exitCode = m.Body.ExitCode
			case *dap.TerminatedEvent:
				mu.Unlock()
				return
			case dap.ResponseMessage:
				if ch, ok := waiting[m.GetResponse().RequestSeq]; ok {
					ch <- m
					delete(waiting, m.GetResponse().RequestSeq)
				}
			}
			mu.Unlock()
		}
	}()
	var sendMu sync.Mutex
	call := func(command string, args any) (dap.Message, error) {
		ch := make(chan dap.Message, 1)
		sendMu.Lock()
		mu.Lock()
		waiting[c.seq+1] = ch
		mu.Unlock()
		c.send(command, args)
		sendMu.Unlock()
		select {
		case m := <-ch:
			if r := m.(dap.ResponseMessage).GetResponse(); !r.Success {
				return m, fmt.Errorf("%s: %s", command, r.Message)
			}
			return m, nil
		case <-ended:
			return nil, fmt.Errorf("%s: the session ended first", command)
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("%s: no response within 30 s", command)
		}
	}
	setBreakpoints := func(r int) error {
		want := soakBreakpoints(lines, r)
		m, err := call("setBreakpoints", dap.SetBreakpointsArguments{Source: dap.Source{Path: src}, Breakpoints: want})
		if err != nil {
			return err
		}
		for i, bp := range m.(*dap.SetBreakpointsResponse).Body.Breakpoints {
			if !bp.Verified {
				return fmt.Errorf("round %d: breakpoint %d (line %v) not verified: %s", r, i, want[i].Line, bp.Message)
			}
		}
		return nil
	}

	if _, res.err = call("initialize", dap.InitializeRequestArguments{AdapterID: "ubpdbg"}); res.err != nil {
		return
	}
	args := []string{strconv.Itoa(threads), strconv.Itoa(int((d + time.Second - 1) / time.Second)), strconv.Itoa(int(pause / time.Microsecond))}
	if _, res.err = call("launch", map[string]any{"program": e.soak, "args": args}); res.err != nil {
		return
	}
	if res.err = setBreakpoints(0); res.err != nil {
		return
	}
	if _, res.err = call("configurationDone", nil); res.err != nil {
		return
	}
	start := time.Now()
	change := time.NewTicker(time.Second)
	defer change.Stop()
	sample := time.NewTicker(sampleEvery)
	defer sample.Stop()
	res.changes = 1
	read := func() {
		rss, err := vmRSS(cmd.Process.Pid)
		if err != nil {
			return
		}
		mu.Lock()
		res.samples = append(res.samples, soakSample{at: time.Since(start), rss: rss, changes: res.changes, logLines: logLines})
		mu.Unlock()
	}
	read()
	for done := false; !done; {
		select {
		case <-change.C:
			if err := setBreakpoints(res.changes); err != nil {
				mu.Lock()
				over := exitCode >= 0
				mu.Unlock()
				if !over {
					res.err = err
					return
				}
				done = true // the program ended between two changes
				break
			}
			res.changes++
		case <-sample.C:
			read()
		case <-ended:
			done = true
		}
	}
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		res.err = fmt.Errorf("the program did not end within 30 s of its time")
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if exitCode != 0 {
		res.err = fmt.Errorf("the program exited with %d, output %q", exitCode, stdoutOf.String())
		return
	}
	if _, err := fmt.Sscanf(stdoutOf.String(), "calls %d", &res.calls); err != nil {
		res.err = fmt.Errorf("the program's output %q: %v", stdoutOf.String(), err)
	}
	return
}

// buildUbpdbg builds the real binary from this module into dir, once.
func buildUbpdbg(dir string) (string, error) {
	out := filepath.Join(dir, "ubpdbg")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/ubpdbg")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ubpdbg: %v: %s", err, b)
	}
	return out, nil
}

// soakFlat judges the curve: resident memory after the first tenth of
// the run (start-up, first breakpoints, slot areas) against the last
// tenth. Flat means the median of the last tenth is within 10% or 2 MiB
// of the median of the second tenth.
func soakFlat(s []soakSample) (early, late int64, flat bool) {
	if len(s) < 10 {
		return 0, 0, false
	}
	median := func(part []soakSample) int64 {
		v := make([]int64, len(part))
		for i, x := range part {
			v[i] = x.rss
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	n := len(s)
	early, late = median(s[n/10:n/5]), median(s[n-n/10:])
	grew := late - early
	return early, late, grew <= early/10 || grew <= 2<<20
}

func sectionSoak(o *options, e *env, sum *summary) error {
	section(o.out, fmt.Sprintf("soak: %s of hits from 16 threads (a pause of %s after 8 calls), breakpoints changed every second, ubpdbg's memory", o.soak, o.soakPause))
	ubp, err := buildUbpdbg(e.dir)
	if err != nil {
		return err
	}
	every := o.soak / 30
	res := runSoak(e, ubp, 16, o.soak, o.soakPause, every)
	if res.err != nil {
		fmt.Fprintf(o.out, "failed: %v\n", res.err)
		return nil
	}
	tw := newTable(o.out)
	fmt.Fprintln(tw, "time\tubpdbg RSS\tbreakpoint changes\tlogpoint lines\t")
	for _, s := range res.samples {
		fmt.Fprintf(tw, "%s\t%.1f MiB\t%d\t%d\t\n", s.at.Round(time.Second), float64(s.rss)/(1<<20), s.changes, s.logLines)
	}
	tw.Flush()
	early, late, flat := soakFlat(res.samples)
	fmt.Fprintf(o.out, "the program made %d calls (about %.0f a second, each on a breakpoint half the time) and exited 0; %d breakpoint changes\n",
		res.calls, float64(res.calls)/o.soak.Seconds(), res.changes)
	sum.soakDone, sum.soakEarly, sum.soakLate, sum.soakFlat = true, early, late, flat
	return nil
}
