package goruntime_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/goruntime"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

func needGo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

// TestGoroutines runs gorts to its trap and reads its goroutines: the 50
// channel waiters, the sleeper and the locker with their wait reasons and
// start functions, and main running on the thread that trapped.
func TestGoroutines(t *testing.T) {
	needGo(t)
	for _, b := range testprog.GoBuilds {
		t.Run(b.Name, func(t *testing.T) {
			bin := testprog.BuildGoWith(t, b.Toolchain, b.Flags, filepath.Join("testdata", "gorts"))
			p, tid := runToTrap(t, bin)
			im, err := symbols.OpenImage(bin, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			rt, err := goruntime.Load(im.DWARF(), 0)
			if err != nil {
				t.Fatal(err)
			}
			gs, err := rt.Goroutines(p)
			if err != nil {
				t.Fatal(err)
			}
			fn := func(pc uint64) string {
				if pi := im.LookupPC(pc); len(pi.Frames) > 0 {
					return pi.Frames[len(pi.Frames)-1].Function
				}
				return "?"
			}
			count := map[string]int{}
			ids := map[int64]bool{}
			var mainG *goruntime.Goroutine
			for i, g := range gs {
				if ids[g.ID] {
					t.Errorf("goroutine id %d twice", g.ID)
				}
				ids[g.ID] = true
				start := fn(g.StartPC)
				key := start + " " + g.Status.String() + " " + g.WaitReason
				count[key]++
				if g.ID == 1 {
					mainG = &gs[i]
				}
				if g.Status == goruntime.Waiting {
					// A parked goroutine's saved pc is in the runtime
					// (gopark's call of mcall), on its own stack.
					if f := fn(g.PC); !strings.HasPrefix(f, "runtime.") {
						t.Errorf("goroutine %d (%s): saved pc in %s", g.ID, start, f)
					}
					if g.SP == 0 || g.SP >= g.StackHi {
						t.Errorf("goroutine %d: saved sp %#x not below its stack top %#x", g.ID, g.SP, g.StackHi)
					}
				}
			}
			t.Logf("%d goroutines: %v", len(gs), count)
			for key, want := range map[string]int{
				// go waiter(i) starts a wrapper that the compiler names
				// after the function holding the go statement.
				"main.main.gowrap1 waiting chan receive": 50,
				"main.sleeper waiting sleep":             1,
				"main.locker waiting sync.Mutex.Lock":    1,
			} {
				if count[key] != want {
					t.Errorf("%d goroutines %q, want %d", count[key], key, want)
				}
			}
			if mainG == nil {
				t.Fatal("no goroutine 1")
			}
			if fn(mainG.StartPC) != "runtime.main" || mainG.Status != goruntime.Running || mainG.Tid != tid {
				t.Errorf("goroutine 1: started at %s, %s on thread %d; want runtime.main, running on %d (the trap's)", fn(mainG.StartPC), mainG.Status, mainG.Tid, tid)
			}
		})
	}
}

// TestNotGo: a C program has no runtime to read, and says so.
func TestNotGo(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	src := filepath.Join(t.TempDir(), "c.c")
	os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644)
	bin := testprog.BuildC(t, nil, src)
	im, err := symbols.OpenImage(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if _, err := goruntime.Load(im.DWARF(), 0); err != goruntime.ErrNoRuntime {
		t.Errorf("Load of a C program: %v, want ErrNoRuntime", err)
	}
}

// runToTrap launches bin and runs it until one of its threads traps
// (runtime.Breakpoint in main), which stays stopped; the other threads run.
func runToTrap(t *testing.T, bin string) (*target.Process, int) {
	t.Helper()
	p, err := target.Launch(target.LaunchOptions{Path: bin, Stdout: os.Stderr, Stderr: os.Stderr}, target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := p.Do(func(c *target.Ctl) error { return c.ContAll() }); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-p.Events():
			switch {
			case ev.Kind == target.EventExit:
				t.Fatalf("program exited before its trap: %v", ev)
			case ev.Kind == target.EventTrap:
				return p, ev.Tid
			case ev.Kind.IsStop():
				p.Do(func(c *target.Ctl) error { return c.Cont(ev.Tid) })
			}
		case <-timeout:
			t.Fatal("no trap in 60s")
		}
	}
}
