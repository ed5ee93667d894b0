package target

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"golang.org/x/sys/unix"
)

// optLevels are the builds every C test program is tried with.
var optLevels = []string{"-O0", "-O2"}

func buildC(t *testing.T, src, opt string, extra ...string) string {
	return testprog.BuildC(t, append([]string{opt, "-pthread", "-no-pie"}, extra...), filepath.Join("testdata", src))
}

type syncBuffer = testprog.Output

// nativeOutput runs the program without a debugger.
func nativeOutput(t *testing.T, path string, args ...string) (string, int) {
	t.Helper()
	r := testharness.Native(t, path, args...)
	return r.Stdout, r.Code
}

// startTraced launches a test program with its events on p.Events(),
// closed when the test ends.
func startTraced(t *testing.T, lo LaunchOptions) *Process {
	t.Helper()
	p, err := Launch(lo, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// nextEvent returns the next event; if none comes, the failure says what
// every thread was doing.
func nextEvent(t *testing.T, p *Process) Event {
	t.Helper()
	return testharness.Receive(t, p.Events(), "event", func() string { return testharness.Tasks(p.Pid()) })
}

// runToExit resumes every stop event (forwarding signals) and returns all
// events up to the exit.
func runToExit(t *testing.T, p *Process) []Event {
	t.Helper()
	var evs []Event
	if err := p.Do(func(c *Ctl) error { return c.ContAll() }); err != nil {
		t.Fatal(err)
	}
	for {
		ev := nextEvent(t, p)
		evs = append(evs, ev)
		if ev.Kind == EventExit {
			return evs
		}
		if ev.Kind.IsStop() {
			if err := p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) }); err != nil && !errors.Is(err, ErrNoThread) {
				t.Fatalf("resume after %v: %v", ev, err)
			}
		}
	}
}

func count(evs []Event, k EventKind) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

func TestLaunchEightThreads(t *testing.T) {
	for _, opt := range optLevels {
		t.Run(opt, func(t *testing.T) {
			prog := buildC(t, "threads8.c", opt)
			want, wantCode := nativeOutput(t, prog)
			var out syncBuffer
			p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
			evs := runToExit(t, p)
			if n := count(evs, EventThreadStart); n != 8 {
				t.Errorf("%d thread-start events, want 8: %v", n, evs)
			}
			if n := count(evs, EventThreadExit); n != 8 {
				t.Errorf("%d thread-exit events, want 8: %v", n, evs)
			}
			st := p.Wait()
			if st.Code != wantCode || st.Signal != 0 || wantCode != 3 {
				t.Errorf("exit %v, want exit status %d", st, wantCode)
			}
			if !testharness.SameLines(out.String(), want) {
				t.Errorf("stdout differs from the native run:\n%s\nwant (any order):\n%s", out.String(), want)
			}
		})
	}
}

func readU64s(t *testing.T, p *Process, addr uint64, n int) []uint64 {
	t.Helper()
	buf := make([]byte, 8*n)
	if _, err := p.ReadMemory(addr, buf); err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	return out
}

func TestAttachReadDetach(t *testing.T) {
	for _, opt := range optLevels {
		t.Run(opt, func(t *testing.T) {
			prog := buildC(t, "counters.c", opt)
			want, _ := nativeOutput(t, prog)
			run := testharness.Start(t, 200*time.Millisecond, prog)
			p, err := Attach(run.Pid(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			counters := testharness.Symbol(t, prog, "counters")
			var threads []ThreadState
			p.Do(func(c *Ctl) error { threads = c.Threads(); return nil })
			if len(threads) != 5 {
				t.Errorf("attached to %d threads, want 5 (main and 4 workers): %v", len(threads), threads)
			}
			a := readU64s(t, p, counters, 4)
			time.Sleep(100 * time.Millisecond)
			b := readU64s(t, p, counters, 4)
			if sum(b) <= sum(a) {
				t.Errorf("counters did not grow while attached: %v then %v", a, b)
			}
			if err := p.Detach(); err != nil {
				t.Fatal(err)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if tracerOf(run.Pid()) != 0 {
				t.Error("still traced after detach")
			}
			if err := run.Wait(t); err != nil {
				t.Fatalf("program after detach: %v", err)
			}
			if out := run.Out.String(); out != want {
				t.Errorf("output after detach %q, want %q", out, want)
			}
		})
	}
}

func sum(v []uint64) uint64 {
	var s uint64
	for _, x := range v {
		s += x
	}
	return s
}

func TestInterruptOneThread(t *testing.T) {
	prog := buildC(t, "counters.c", "-O2")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	if err := p.Do(func(c *Ctl) error { return c.ContAll() }); err != nil {
		t.Fatal(err)
	}
	// Resume everything that stops on its own (thread starts are resumed
	// by the queue handler; there are no other stops in this program).
	go func() {
		for ev := range p.Events() {
			if ev.Kind.IsStop() && ev.Kind != EventInterrupt {
				p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
			}
		}
	}()
	tidsAddr := testharness.Symbol(t, prog, "tids")
	counters := testharness.Symbol(t, prog, "counters")
	var victim int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 16)
		p.ReadMemory(tidsAddr, buf)
		if v := int(binary.LittleEndian.Uint32(buf)); v != 0 && binary.LittleEndian.Uint32(buf[12:]) != 0 {
			victim = v
			break
		}
	}
	if victim == 0 {
		t.Fatal("threads did not start")
	}
	if err := p.Do(func(c *Ctl) error { return c.Interrupt(victim) }); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, p, victim)
	a := readU64s(t, p, counters, 4)
	time.Sleep(500 * time.Millisecond)
	var stillStopped bool
	p.Do(func(c *Ctl) error { stillStopped = c.Stopped(victim); return nil })
	b := readU64s(t, p, counters, 4)
	if !stillStopped || a[0] != b[0] {
		t.Errorf("interrupted thread ran: counter %d -> %d (stopped=%v)", a[0], b[0], stillStopped)
	}
	for i := 1; i < 4; i++ {
		if b[i] <= a[i] {
			t.Errorf("thread %d did not advance while thread 0 was stopped: %d -> %d", i, a[i], b[i])
		}
	}
	// Registers of the stopped thread are readable while the others run.
	if err := p.Do(func(c *Ctl) error {
		r, err := c.Regs(victim)
		if err == nil && r.Rip == 0 {
			return errors.New("pc is 0")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := p.Do(func(c *Ctl) error { return c.Cont(victim) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	c := readU64s(t, p, counters, 4)
	if c[0] <= b[0] {
		t.Errorf("resumed thread did not advance: %d -> %d", b[0], c[0])
	}
	st := p.Wait()
	if st.Code != 0 || !strings.Contains(out.String(), "total 4000000") {
		t.Errorf("exit %v, output %q", st, out.String())
	}
}

func waitStopped(t *testing.T, p *Process, tid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var s bool
		p.Do(func(c *Ctl) error { s = c.Stopped(tid); return nil })
		if s {
			return
		}
	}
	t.Fatalf("thread %d did not stop", tid)
}

func TestSignalsPassThrough(t *testing.T) {
	for _, opt := range optLevels {
		t.Run(opt, func(t *testing.T) {
			prog := buildC(t, "signals.c", opt)
			want, _ := nativeOutput(t, prog)
			var out syncBuffer
			p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
			evs := runToExit(t, p)
			if st := p.Wait(); st.Code != 0 || st.Signal != 0 {
				t.Errorf("exit %v", st)
			}
			if out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
			var usr1, alrm int
			for _, ev := range evs {
				if ev.Kind == EventSignal && ev.Sig == int(unix.SIGUSR1) {
					usr1++
				}
				if ev.Kind == EventSignal && ev.Sig == int(unix.SIGALRM) {
					alrm++
				}
			}
			if usr1 != 10 || alrm < 40 {
				t.Errorf("saw %d SIGUSR1 and %d SIGALRM stops, want 10 and >= 40", usr1, alrm)
			}
		})
	}
}

func TestForkAndVfork(t *testing.T) {
	prog := buildC(t, "forkexec.c", "-O2")
	want, _ := nativeOutput(t, prog)
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	evs := runToExit(t, p)
	if count(evs, EventFork) != 1 || count(evs, EventVfork) != 1 || count(evs, EventVforkDone) != 1 {
		t.Errorf("want one fork, one vfork, one vfork-done event; got %v", evs)
	}
	for _, ev := range evs {
		if (ev.Kind == EventFork || ev.Kind == EventVfork) && (ev.ChildPid <= 0 || ev.ChildPid == p.Pid()) {
			t.Errorf("bad child pid in %v", ev)
		}
	}
	if st := p.Wait(); st.Code != 0 {
		t.Errorf("exit %v", st)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestExecFromThread(t *testing.T) {
	prog := buildC(t, "forkexec.c", "-O0")
	want, wantCode := nativeOutput(t, prog, "exec")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Args: []string{"exec"}, Stdout: &out})
	evs := runToExit(t, p)
	var exec *Event
	for i := range evs {
		if evs[i].Kind == EventExec {
			exec = &evs[i]
		}
	}
	if exec == nil || exec.Tid != p.Pid() {
		t.Fatalf("want an exec event on the leader's thread ID %d: %v", p.Pid(), evs)
	}
	if st := p.Wait(); st.Code != wantCode || wantCode != 5 {
		t.Errorf("exit %v, want %d", st, wantCode)
	}
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestRegistersAndText(t *testing.T) {
	prog := buildC(t, "fpregs.c", "-O0")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	// Write to read-only text at the entry point and read it back.
	err := p.Do(func(c *Ctl) error {
		r, err := c.Regs(p.Pid())
		if err != nil {
			return err
		}
		orig := make([]byte, 4)
		if _, err := p.ReadMemory(r.Rip, orig); err != nil {
			return err
		}
		if err := c.WriteMemory(r.Rip, []byte{0xcc, 0xcc, 0xcc, 0xcc}); err != nil {
			return err
		}
		got := make([]byte, 4)
		p.ReadMemory(r.Rip, got)
		if !bytes.Equal(got, []byte{0xcc, 0xcc, 0xcc, 0xcc}) {
			return errors.New("text write did not stick")
		}
		return c.WriteMemory(r.Rip, orig)
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Do(func(c *Ctl) error { return c.ContAll() })
	ev := nextEvent(t, p)
	if ev.Kind != EventTrap {
		t.Fatalf("want the program's int3, got %v (pid %d)", ev, p.Pid())
	}
	var fp *FPRegs
	if err := p.Do(func(c *Ctl) error {
		si, err := c.SigInfo(ev.Tid)
		if err != nil {
			return err
		}
		if !si.IsBreakpoint() {
			t.Errorf("siginfo code %#x, want an int3", si.Code())
		}
		fp, err = c.FPRegs(ev.Tid)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var pattern [32]byte
	for i := range pattern {
		pattern[i] = byte(i + 1)
	}
	if !bytes.Equal(fp.Xmm[7][:], pattern[:16]) {
		t.Errorf("xmm7 = %x, want %x", fp.Xmm[7], pattern[:16])
	}
	if got := binary.LittleEndian.Uint64(fp.Xmm[3][:]); got != 0x400a000000000000 { // 3.25
		t.Errorf("xmm3 low = %#x, want 3.25 (0x400a000000000000)", got)
	}
	if cpuHasAVX() && (!fp.HasAVX || !bytes.Equal(fp.Ymm[7][:], pattern[:])) {
		t.Errorf("ymm7 = %x (avx %v), want %x", fp.Ymm[7], fp.HasAVX, pattern)
	}
	if fp.Mxcsr == 0 {
		t.Error("mxcsr is 0")
	}
	p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
	if st := p.Wait(); st.Code != 0 || out.String() != "resumed\n" {
		t.Errorf("exit %v output %q", st, out.String())
	}
}

func cpuHasAVX() bool {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Contains(b, []byte(" avx "))
}

func TestSingleStepWhileOthersRun(t *testing.T) {
	prog := buildC(t, "counters.c", "-O0")
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &syncBuffer{}})
	tidsAddr := testharness.Symbol(t, prog, "tids")
	counters := testharness.Symbol(t, prog, "counters")
	p.Do(func(c *Ctl) error { return c.ContAll() })
	var victim int
	for deadline := time.Now().Add(10 * time.Second); victim == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		buf := make([]byte, 16)
		p.ReadMemory(tidsAddr, buf)
		if binary.LittleEndian.Uint32(buf[12:]) != 0 {
			victim = int(binary.LittleEndian.Uint32(buf))
		}
	}
	if err := p.Do(func(c *Ctl) error { return c.Interrupt(victim) }); err != nil {
		t.Fatal(err)
	}
	for ev := nextEvent(t, p); ev.Kind != EventInterrupt || ev.Tid != victim; ev = nextEvent(t, p) {
	}
	before := readU64s(t, p, counters, 4)
	prev, moved := uint64(0), 0
	for i := range 300 {
		if err := p.Do(func(c *Ctl) error { return c.Step(victim) }); err != nil {
			t.Fatal(err)
		}
		ev := nextEvent(t, p)
		for ev.Tid != victim {
			ev = nextEvent(t, p) // thread starts and exits of others
		}
		if ev.Kind != EventStep {
			t.Fatalf("step %d: got %v", i, ev)
		}
		var pc uint64
		p.Do(func(c *Ctl) error { r, err := c.Regs(victim); pc = r.Rip; return err })
		if pc != prev {
			moved++
		}
		prev = pc
	}
	after := readU64s(t, p, counters, 4)
	// A step that ends a system call the thread sat in does not move the
	// pc; every other one does.
	if moved < 290 {
		t.Errorf("only %d of 300 steps moved the pc", moved)
	}
	for i := 1; i < 4; i++ {
		if after[i] <= before[i] {
			t.Errorf("thread %d did not run while thread 0 was stepped: %d -> %d", i, before[i], after[i])
		}
	}
	if after[0] == before[0] || after[0]-before[0] > 300 {
		t.Errorf("stepped thread's counter went %d -> %d over 300 steps", before[0], after[0])
	}
	p.Kill()
}

func TestInjectSyscall(t *testing.T) {
	prog := buildC(t, "counters.c", "-O2")
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &syncBuffer{}})
	var ret uint64
	var before, after unix.PtraceRegs
	// At the exec stop the thread is still inside execve: the first
	// injection lets that call finish (its result lands in rax), so compare
	// registers around the second.
	err := p.Do(func(c *Ctl) error {
		if _, err := c.InjectSyscall(p.Pid(), unix.SYS_GETPID); err != nil {
			return err
		}
		before, _ = c.Regs(p.Pid())
		var err error
		ret, err = c.InjectSyscall(p.Pid(), unix.SYS_GETPID)
		after, _ = c.Regs(p.Pid())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if int(ret) != p.Pid() {
		t.Errorf("injected getpid returned %d, want %d", int64(ret), p.Pid())
	}
	if before != after {
		t.Errorf("registers changed by injection:\n%+v\n%+v", before, after)
	}
	// Map a page, as the XOL layer does, and check that it is there.
	err = p.Do(func(c *Ctl) error {
		ret, err = c.InjectSyscall(p.Pid(), unix.SYS_MMAP, 0, 4096, unix.PROT_READ|unix.PROT_EXEC, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uint64(0), 0)
		return err
	})
	if err != nil || int64(ret) < 0 {
		t.Fatalf("mmap: %d %v", int64(ret), err)
	}
	maps, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", p.Pid()))
	if !strings.Contains(string(maps), fmt.Sprintf("%x-", ret)) {
		t.Errorf("mapped page %#x not in maps:\n%s", ret, maps)
	}
	evs := runToExit(t, p)
	if p.Wait().Code != 0 {
		t.Errorf("program failed after injection: %v", evs)
	}
}

func TestErrors(t *testing.T) {
	t.Run("no such process", func(t *testing.T) {
		_, err := Attach(0x3ffffff0, Options{})
		if !errors.Is(err, ErrNoSuchProcess) {
			t.Errorf("got %v, want ErrNoSuchProcess", err)
		}
		if err != nil && !strings.Contains(err.Error(), "1073741808") {
			t.Errorf("error does not name the PID: %v", err)
		}
	})
	t.Run("already traced", func(t *testing.T) {
		prog := buildC(t, "counters.c", "-O2")
		p := startTraced(t, LaunchOptions{Path: prog, Stdout: &syncBuffer{}})
		_, err := Attach(p.Pid(), Options{})
		if !errors.Is(err, ErrAlreadyTraced) {
			t.Fatalf("got %v, want ErrAlreadyTraced", err)
		}
		var ae *AttachError
		if !errors.As(err, &ae) || ae.TracerPid != os.Getpid() {
			t.Errorf("want the tracer named as us (%d): %v", os.Getpid(), err)
		}
	})
	t.Run("self", func(t *testing.T) {
		if _, err := Attach(os.Getpid(), Options{}); err == nil {
			t.Error("attaching to ourselves succeeded")
		}
	})
	t.Run("not executable", func(t *testing.T) {
		dir := t.TempDir()
		noexec := filepath.Join(dir, "data.txt")
		os.WriteFile(noexec, []byte("hello"), 0o644)
		garbage := filepath.Join(dir, "garbage")
		os.WriteFile(garbage, []byte("\x7fELF but not really"), 0o755)
		for _, path := range []string{noexec, garbage, filepath.Join(dir, "missing"), dir, ""} {
			_, err := Launch(LaunchOptions{Path: path}, Options{})
			if !errors.Is(err, ErrNotExecutable) {
				t.Errorf("launch %q: got %v, want ErrNotExecutable", path, err)
			}
			var le *LaunchError
			if !errors.As(err, &le) {
				t.Errorf("launch %q: %T is not a *LaunchError", path, err)
			}
		}
	})
}
