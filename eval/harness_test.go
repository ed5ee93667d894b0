package eval

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
	"golang.org/x/sys/unix"
)

// A test session runs a program from testdata under target, lets it run
// to each of its own SIGTRAPs, and unwinds the trapped thread with
// symbols. The program prints NAME=VALUE lines before each stop; the
// tests evaluate NAME and compare.

func buildC(t testing.TB, opt string) string {
	return testprog.BuildC(t, []string{opt, "-pthread", "-no-pie"}, filepath.Join("testdata", "cvars", "cvars.c"))
}

func buildGo(t testing.TB, flags ...string) string {
	return testprog.BuildGo(t, flags, "./"+filepath.Join("testdata", "govars"))
}

type session struct {
	t      testing.TB
	p      *target.Process
	out    string // the program's stdout file
	seen   int    // bytes of stdout already consumed
	tid    int
	regs   unix.PtraceRegs
	tab    *symbols.Table
	frames []symbols.Frame
	vals   map[string]string // NAME=VALUE printed before the current stop
	order  []string
}

func launch(t testing.TB, path string, args ...string) *session {
	t.Helper()
	out := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := target.Launch(target.LaunchOptions{Path: path, Args: args, Stdout: f, Stderr: os.Stderr}, target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &session{t: t, p: p, out: out}
}

// next resumes the program until it traps after printing "@where".
func (s *session) next(where string) {
	t := s.t
	t.Helper()
	s.contAll()
	for {
		ev := testharness.Receive(t, s.p.Events(), "the stop at "+where, nil)
		switch {
		case ev.Kind == target.EventExit:
			t.Fatalf("program exited before %s: %v", where, ev)
		case ev.Kind == target.EventTrap:
			s.tid = ev.Tid
			if err := s.p.Do(func(c *target.Ctl) error {
				var err error
				s.regs, err = c.Regs(ev.Tid)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			s.readOutput(where)
			s.unwind()
			return
		case ev.Kind.IsStop():
			s.p.Do(func(c *target.Ctl) error { return c.Cont(ev.Tid) })
		}
	}
}

// readOutput collects the NAME=VALUE lines up to "@where".
func (s *session) readOutput(where string) {
	t := s.t
	b, err := os.ReadFile(s.out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b[s.seen:])
	end := strings.Index(text, "@"+where+"\n")
	if end < 0 {
		t.Fatalf("stopped, but the program has not printed @%s; output:\n%s", where, text)
	}
	s.seen += end + len(where) + 2
	s.vals, s.order = map[string]string{}, nil
	sc := bufio.NewScanner(strings.NewReader(text[:end]))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if _, dup := s.vals[k]; ok && !dup { // the first value printed counts
			s.vals[k] = v
			s.order = append(s.order, k)
		}
	}
}

func (s *session) unwind() {
	t := s.t
	if s.tab == nil {
		tab, err := symbols.LoadProcess(s.p.Pid())
		if err != nil {
			t.Fatal(err)
		}
		s.tab = tab
	} else if err := s.tab.Reload(); err != nil {
		t.Fatal(err)
	}
	frames, err := s.tab.Unwind(s.p, &s.regs, symbols.UnwindOptions{})
	if err != nil && len(frames) == 0 {
		t.Fatal(err)
	}
	s.frames = frames
}

// frame returns the index of the first frame running fn.
func (s *session) frame(fn string) int {
	for i, f := range s.frames {
		if f.Function == fn {
			return i
		}
	}
	var names []string
	for _, f := range s.frames {
		names = append(names, f.Function)
	}
	s.t.Fatalf("no frame of %s in %v", fn, names)
	return -1
}

// context makes an evaluation context for the first frame of fn.
func (s *session) context(fn string) *Context {
	s.t.Helper()
	return s.contextAt(s.frame(fn))
}

// contextAt makes a context for frame i.
func (s *session) contextAt(i int) *Context {
	s.t.Helper()
	regs := s.regs
	c, err := NewContext(Config{Table: s.tab, Frames: s.frames, Frame: i, Mem: s.p, ThreadRegs: &regs,
		SetRegs: func(r unix.PtraceRegs) error {
			return s.p.Do(func(c *target.Ctl) error { return c.SetRegs(s.tid, r) })
		}})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// runToExit resumes the program and every stop it reports (without a
// handler, target holds each stopped thread, such as one that got the Go
// runtime's preemption signal) until it exits.
func (s *session) runToExit() {
	s.t.Helper()
	s.contAll()
	for {
		ev := testharness.Receive(s.t, s.p.Events(), "the end of the program", nil)
		if ev.Kind == target.EventExit {
			s.p.Wait()
			return
		}
		if ev.Kind.IsStop() {
			s.p.Do(func(c *target.Ctl) error { return c.Cont(ev.Tid) })
		}
	}
}

// contAll resumes every thread.
func (s *session) contAll() {
	s.t.Helper()
	if err := s.p.Do(func(c *target.Ctl) error { return c.ContAll() }); err != nil {
		s.t.Fatal(err)
	}
}
