package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// childMain is the benchmark's hidden mode for counting syscalls: it
// launches the hit program under a session, says "ready" and waits for a
// line on stdin (meanwhile strace attaches to this process), then runs it
// and prints "hits N".
//
//	bench -child KIND PROG THREADS CALLS
func childMain(args []string) int {
	if len(args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: bench -child trace|log|cond PROG THREADS CALLS")
		return 2
	}
	threads, _ := strconv.Atoi(args[2])
	n, _ := strconv.ParseInt(args[3], 10, 64)
	e := &env{hit: args[1]}
	in := bufio.NewReader(os.Stdin)
	r, err := runUbpdbg(e, kind(args[0]), threads, n, func(int) error {
		fmt.Println("ready")
		_, err := in.ReadString('\n')
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	fmt.Printf("hits %d\n", r.hits)
	return 0
}

// straceCounts parses the table of strace -c: calls per syscall.
func straceCounts(path string) (map[string]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 || strings.HasPrefix(l, "%") || strings.HasPrefix(l, "-") || f[len(f)-1] == "total" {
			continue
		}
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			continue
		}
		m[f[len(f)-1]] += n
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no syscall counts in %s", path)
	}
	return m, nil
}

// straceUbpdbg runs a child copy of the benchmark under strace -f -c,
// attached after the target is launched, and returns its syscall counts.
func straceUbpdbg(e *env, k kind, n int64, out string) (map[string]int64, int64, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	child := exec.Command(self, "-child", string(k), e.hit, "1", calls(n))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := child.Start(); err != nil {
		return nil, 0, err
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	lines := bufio.NewReader(stdout)
	if l, err := lines.ReadString('\n'); err != nil || l != "ready\n" {
		return nil, 0, fmt.Errorf("child said %q: %v", l, err)
	}
	st := exec.Command("strace", "-f", "-c", "-o", out, "-p", strconv.Itoa(child.Process.Pid))
	stderr, err := st.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := st.Start(); err != nil {
		return nil, 0, err
	}
	defer func() { st.Process.Kill(); st.Wait() }()
	attached := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if !sent && strings.Contains(sc.Text(), "attached") {
				attached <- nil
				sent = true
			}
		}
		if !sent {
			attached <- errors.New("strace did not attach")
		}
	}()
	select {
	case err := <-attached:
		if err != nil {
			return nil, 0, err
		}
	case <-time.After(20 * time.Second):
		return nil, 0, errors.New("strace did not attach in 20 s")
	}
	time.Sleep(200 * time.Millisecond) // every thread
	io.WriteString(stdin, "go\n")
	l, err := lines.ReadString('\n')
	if err != nil {
		return nil, 0, fmt.Errorf("child: %v", err)
	}
	var hits int64
	if _, err := fmt.Sscanf(l, "hits %d", &hits); err != nil {
		return nil, 0, fmt.Errorf("child said %q", l)
	}
	child.Wait()
	st.Wait()
	m, err := straceCounts(out)
	return m, hits, err
}

// sectionSyscalls: ubpdbg's own syscalls per hit.
func sectionSyscalls(o *options, e *env, sum *summary) error {
	section(o.out, "5. syscalls per hit in ubpdbg's own process (strace -f -c)")
	if _, err := exec.LookPath("strace"); err != nil {
		fmt.Fprintln(o.out, "n/a: strace not found")
		return nil
	}
	n := o.sysCalls
	fmt.Fprintf(o.out, "a child copy of the benchmark runs hit.c (1 thread) under a session; strace -f -c attaches to it once the\n")
	fmt.Fprintf(o.out, "target is launched; counts of a run with %d calls less those of a run with 0 calls, over the hits\n", n)
	type row struct {
		name string
		per  map[string]float64
		hits int64
		err  error
	}
	var rows []row
	for _, k := range []kind{kindTrace, kindLog} {
		dir := e.dir
		m0, _, err := straceUbpdbg(e, k, 0, filepath.Join(dir, "strace0.out"))
		if err != nil {
			rows = append(rows, row{name: string(k), err: err})
			continue
		}
		mn, hits, err := straceUbpdbg(e, k, n, filepath.Join(dir, "straceN.out"))
		if err != nil || hits == 0 {
			rows = append(rows, row{name: string(k), err: fmt.Errorf("%v (hits %d)", err, hits)})
			continue
		}
		per := map[string]float64{}
		for name, c := range mn {
			if d := float64(c-m0[name]) / float64(hits); d >= 0.005 {
				per[name] = d
			}
		}
		rows = append(rows, row{name: "ubpdbg " + string(k), per: per, hits: hits})
	}
	// The C floor, for reference: strace follows only the tracer.
	rawCounts := func(n int64) (map[string]int64, error) {
		out := filepath.Join(e.dir, "straceraw.out")
		if _, _, err := timeCmd("strace", "-c", "-o", out, e.rawptrace, fmt.Sprintf("%#x", e.fAddr), e.hit, "1", calls(n)); err != nil {
			return nil, err
		}
		return straceCounts(out)
	}
	raw := row{name: "raw ptrace (C)"}
	if m0, err := rawCounts(0); err != nil {
		raw.err = err
	} else if mn, err := rawCounts(n); err != nil {
		raw.err = err
	} else {
		raw.per, raw.hits = map[string]float64{}, n
		for name, c := range mn {
			if d := float64(c-m0[name]) / float64(n); d >= 0.005 {
				raw.per[name] = d
			}
		}
	}
	rows = append(rows, raw)
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(o.out, "%s: n/a: %s\n", r.name, oneLine(r.err.Error()))
			continue
		}
		names := make([]string, 0, len(r.per))
		total := 0.0
		for name, v := range r.per {
			names = append(names, name)
			total += v
		}
		sort.Slice(names, func(i, j int) bool { return r.per[names[i]] > r.per[names[j]] })
		var parts []string
		for _, name := range names {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, r.per[name]))
		}
		fmt.Fprintf(o.out, "%-16s %5.2f syscalls per hit (%d hits): %s\n", r.name, total, r.hits, strings.Join(parts, ", "))
		if r.name == "ubpdbg trace" {
			sum.syscalls = total
		}
		if r.name == "raw ptrace (C)" {
			sum.rawSyscalls = total
		}
	}
	fmt.Fprintln(o.out, "(ptrace requests are one syscall each; strace names them \"ptrace\")")
	return nil
}
