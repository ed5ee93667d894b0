// Package e2e is the end-to-end proof of the XOL engine: real programs run
// under a debugger.Session with auto-continuing breakpoints, and must
// behave exactly as they do natively, with every hit counted once.
package e2e

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/internal/sessiontest"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// build compiles test programs from testdata; headers named in hdrs are
// part of the cache key (BuildC hashes only the sources it compiles).
func build(t *testing.T, flags []string, hdrs []string, srcs ...string) string {
	t.Helper()
	h := sha256.New()
	for _, f := range hdrs {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	flags = append(append([]string{}, flags...), "-Itestdata", "-DHDRS_SUM="+hex.EncodeToString(h.Sum(nil))[:12])
	var paths []string
	for _, s := range srcs {
		paths = append(paths, filepath.Join("testdata", s))
	}
	return testprog.BuildC(t, flags, paths...)
}

type syncBuffer = testprog.Output

// run is one program under the debugger.
type run struct {
	t              *testing.T
	s              *debugger.Session
	prog           string
	stdout, stderr syncBuffer
	stops          []debugger.Event
	mu             sync.Mutex
	done           chan struct{}
	outputs        []string
}

func launch(t *testing.T, prog string, args ...string) *run {
	t.Helper()
	r := &run{t: t, prog: prog, done: make(chan struct{})}
	r.s = sessiontest.Launch(t, debugger.LaunchConfig{Program: prog, Args: args, Stdout: &r.stdout, Stderr: &r.stderr})
	return r
}

// start resumes the program and watches its events: any stop is a failure
// (every breakpoint of these tests is a Trace one), and the program is
// killed so that the test does not hang.
func (r *run) start() {
	r.t.Helper()
	go func() {
		defer close(r.done)
		for ev := range r.s.Events() {
			switch ev.Kind {
			case debugger.Stopped:
				r.mu.Lock()
				r.stops = append(r.stops, ev)
				r.mu.Unlock()
				r.s.Kill()
			case debugger.Output:
				r.mu.Lock()
				r.outputs = append(r.outputs, ev.Text)
				r.mu.Unlock()
			}
		}
	}()
	if err := r.s.ContinueAll(); err != nil {
		r.t.Fatal(err)
	}
}

// wait waits for the exit and checks that nothing stopped the program and
// that it exited with status 0.
func (r *run) wait(timeout time.Duration) {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		r.s.Kill()
		r.t.Fatalf("%s did not finish in %v", filepath.Base(r.prog), timeout)
	}
	st := r.s.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.stops {
		r.t.Errorf("program stopped: %s %q (signal %d) thread %d", ev.Reason, ev.Description, ev.Signal, ev.Tid)
	}
	for _, o := range r.outputs {
		r.t.Errorf("debugger output: %s", strings.TrimSpace(o))
	}
	if st.Signal != 0 || st.Code != 0 {
		r.t.Errorf("%s: %v\nstderr: %s", filepath.Base(r.prog), st, r.stderr.String())
	}
}

// bias is the load bias of the executable in the session.
func bias(t *testing.T, s *debugger.Session, prog string) uint64 {
	t.Helper()
	want, err := os.Stat(prog)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range s.Symbols().Images() {
		if st, err := os.Stat(im.Path); err == nil && os.SameFile(st, want) {
			return im.Bias
		}
	}
	t.Fatalf("%s is not among the session's images", prog)
	return 0
}

// fn is a function of the test program with its instructions (link-time
// addresses).
type fn struct {
	name  string
	addr  uint64
	size  uint64
	insns []*x86.Insn
}

// functions reads the named functions (all function symbols for which
// keep returns true) from the ELF file and walks each with x86.Analyze.
func functions(t *testing.T, prog string, keep func(string) bool) []*fn {
	t.Helper()
	f, syms := testharness.ELFSymbols(t, prog)
	var out []*fn
	for _, sym := range syms {
		if elf.ST_TYPE(sym.Info) != elf.STT_FUNC || sym.Size == 0 || !keep(sym.Name) {
			continue
		}
		sec := f.Sections[sym.Section]
		data, err := sec.Data()
		if err != nil {
			t.Fatal(err)
		}
		code := data[sym.Value-sec.Addr : sym.Value-sec.Addr+sym.Size]
		fun := &fn{name: sym.Name, addr: sym.Value, size: sym.Size}
		for off := 0; off < len(code); {
			in, err := x86.Analyze(code[off:min(off+15, len(code))], sym.Value+uint64(off))
			if err != nil {
				t.Fatalf("%s+%#x: %v", sym.Name, off, err)
			}
			fun.insns = append(fun.insns, in)
			off += in.Len
		}
		out = append(out, fun)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// trace sets a Trace breakpoint at a run-time address.
func trace(t *testing.T, s *debugger.Session, addr uint64) int {
	t.Helper()
	bp, err := s.SetBreakpoint(breakpoints.Spec{Location: fmt.Sprintf("*%#x", addr), Trace: true})
	if err != nil || !bp.Verified {
		t.Fatalf("breakpoint at %#x: %v %s", addr, err, bp.Message)
	}
	return bp.ID
}

func hits(t *testing.T, s *debugger.Session, id int) uint64 {
	t.Helper()
	info, ok := s.Breakpoint(id)
	if !ok {
		t.Fatalf("no breakpoint %d", id)
	}
	return info.Hits
}

// counts parses "KEY NAME N" lines.
func counts(text, key string) map[string]uint64 {
	m := map[string]uint64{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == key {
			n, err := strconv.ParseUint(f[2], 10, 64)
			if err == nil {
				m[f[1]] = n
			}
		}
	}
	return m
}

func hasAVX512F() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "flags") {
			for _, f := range strings.Fields(line) {
				if f == "avx512f" {
					return true
				}
			}
			return false
		}
	}
	return false
}
