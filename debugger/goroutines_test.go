package debugger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoroutines: with one goroutine held at a breakpoint in gomany, the
// session lists the 50 goroutines blocked on a channel with their user
// frame and wait reason, unwinds a blocked one from its saved context
// down to main.blocked, reports the held one as stopped on the thread
// that stopped, and the workers keep making progress meanwhile (measured
// in the same run).
func TestGoroutines(t *testing.T) {
	for _, b := range goBuilds() {
		t.Run(b.Name, func(t *testing.T) {
			prog := testprog.BuildGoWith(t, b.Toolchain, b.Flags, filepath.Join("testdata", "gomany"))
			s := launch(t, LaunchConfig{Program: prog})
			mustBreak(t, s, breakpoints.Spec{Location: "main.hold"})
			s.ContinueAll()
			ev := waitStop(t, s, nil)
			id := s.GoroutineOfThread(ev.Tid)
			if id == 0 {
				t.Fatalf("no goroutine on the stopped thread %d", ev.Tid)
			}
			before := readProgress(t, s, prog)
			time.Sleep(300 * time.Millisecond)
			gs, err := s.Goroutines()
			if err != nil {
				t.Fatal(err)
			}
			after := readProgress(t, s, prog)
			t.Logf("%d goroutines; workers added %d in 300ms while goroutine %d was held", len(gs), after-before, id)
			if after <= before {
				t.Errorf("the workers made no progress while goroutine %d was held (%d, %d)", id, before, after)
			}
			nblocked, system := 0, 0
			var blockedID int64
			for _, g := range gs {
				if g.System {
					system++
				}
				switch {
				case g.ID == id:
					if !g.Stopped || g.Tid != ev.Tid || g.UserFrame.Function != "main.hold" {
						t.Errorf("held goroutine %+v: want stopped on thread %d in main.hold", g, ev.Tid)
					}
					if n := g.Name(); n != fmt.Sprintf("[Go %d] main.hold", id) {
						t.Errorf("held goroutine named %q", n)
					}
				case g.UserFrame.Function == "main.blocked":
					nblocked++
					blockedID = g.ID
					if g.Status != "waiting" || g.WaitReason != "chan receive" || g.Stopped || g.Tid != 0 {
						t.Errorf("blocked goroutine %+v: want waiting on a chan receive, no thread", g)
					}
				}
			}
			if nblocked != 50 {
				t.Errorf("%d goroutines blocked in main.blocked, want 50", nblocked)
			}
			if system == 0 {
				t.Errorf("no system goroutines (the GC's, the finalizer's) among %d", len(gs))
			}
			frames, err := s.GoroutineStack(blockedID, 0)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			found := false
			for _, f := range frames {
				names = append(names, f.Function)
				found = found || f.Function == "main.blocked"
			}
			if !found || frames[0].Function == "main.blocked" {
				t.Errorf("stack of blocked goroutine %d: %v; want the runtime's park, then main.blocked", blockedID, names)
			}
			if _, err := s.GoroutineStack(1<<40, 0); !errors.Is(err, ErrNoGoroutine) {
				t.Errorf("stack of a goroutine that does not exist: %v", err)
			}
		})
	}
}

// TestGoroutinesNotGo: a C program has threads, not goroutines, and a
// goroutine request says so.
func TestGoroutinesNotGo(t *testing.T) {
	prog := buildC(t, "count.c", "-O0")
	s := launch(t, LaunchConfig{Program: prog, StopOnEntry: true})
	if _, err := s.Goroutines(); !errors.Is(err, ErrNotGo) {
		t.Errorf("Goroutines of a C program: %v, want ErrNotGo", err)
	}
}

func readProgress(t *testing.T, s *Session, prog string) int64 {
	t.Helper()
	return readInt64(t, s, prog, "main.progress")
}

// readInt64 reads a Go program's int64 variable (or atomic.Int64, which
// is its value alone) by its symbol.
func readInt64(t *testing.T, s *Session, prog, sym string) int64 {
	t.Helper()
	var b [8]byte
	if _, err := s.ReadMemory(testharness.Symbol(t, prog, sym), b[:]); err != nil {
		t.Fatal(err)
	}
	return int64(binary.LittleEndian.Uint64(b[:]))
}
