package target

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The guardian keeps an attached program alive when ubpdbg dies a death it
// cannot catch (SIGKILL, the OOM killer). The kernel then detaches every
// thread, and a thread that runs into one of our int3s afterwards dies of
// SIGTRAP. The guardian is a helper process (this binary re-executed, like
// the doorbell) that learns every int3 as it is placed, with the byte it
// covers, through a pipe, holds the program's /proc/PID/mem open, and the
// moment the pipe reaches end of file without a clean goodbye (ubpdbg is
// gone) writes every original byte back and exits.
//
// It narrows the window, it cannot close it: between the kernel detaching
// the threads and the guardian's write, a running thread that reaches an
// int3 still dies. A thread we hold at that moment is resumed by the
// kernel at the pc in its copy of the registers, and if it was held in the
// signal stop of our own trap, with that SIGTRAP delivered: so held threads
// are parked (park.go), and wait for the guardian's flag before they go on.
// docs/cli.md has the figures measured.
//
// Launched programs need no guardian: they die with us (PTRACE_O_EXITKILL).

// Guardian records: one byte of operation, the original byte, six of
// padding, the address.
const (
	guardPlace  = 'P' // an int3 is at addr; orig is what it covers
	guardRemove = 'R' // the int3 at addr is gone
	guardExec   = 'X' // the program exec'd: forget everything, reopen memory
	guardFlag   = 'F' // addr is the parking flag: set it once every byte is back (park.go)
	guardWatch  = 'W' // addr != 0: debug registers are set in the threads (debugregs.go)
	guardBye    = 'B' // a clean end: restore nothing
	guardRecord = 16
)

type guardian struct {
	w     *os.File
	proc  *os.Process
	buf   []byte
	sites map[uint64]bool // what it guards, for parking held threads
}

// has reports whether an int3 the guardian knows is at addr.
func (g *guardian) has(addr uint64) bool { return g.sites[addr] }

// startGuardian starts the guardian of an attached process, handing it
// our descriptor of the process's memory (opened while we trace it, so no
// ptrace access check stands in its way).
func startGuardian(pid int, mem *os.File) (*guardian, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		w.Close()
		return nil, err
	}
	defer devnull.Close()
	exe, _ := os.Executable()
	proc, err := os.StartProcess("/proc/self/exe", []string{exe + " [ubpdbg guardian]", fmt.Sprint(pid)}, &os.ProcAttr{
		Env:   []string{helperEnv + "=" + helperGuardian},
		Files: []*os.File{r, devnull, os.Stderr, mem},
		// Its own process group: a terminal's Ctrl-C or hangup that ends
		// us must not end it first. SIGUSR1 when the thread that starts it
		// (the ptrace thread) dies: the kernel sends it right after it
		// detached the threads, long before our last thread is gone and
		// the pipe reaches end of file.
		Sys: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGUSR1},
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	// The guardian is not our business once started: nobody waits for it
	// (init adopts it when we exit), so let Go's runtime not hold it.
	_ = proc.Release()
	return &guardian{w: w, proc: proc, sites: map[uint64]bool{}}, nil
}

func (g *guardian) record(op byte, addr uint64, orig byte) {
	var r [guardRecord]byte
	r[0], r[1] = op, orig
	binary.LittleEndian.PutUint64(r[8:], addr)
	switch op {
	case guardPlace:
		g.sites[addr] = true
	case guardRemove:
		delete(g.sites, addr)
	case guardExec:
		clear(g.sites)
	}
	g.buf = append(g.buf, r[:]...)
}

// flush sends what was recorded. A failed write (the guardian died) loses
// only the guardian's protection, never the session.
func (g *guardian) flush() {
	if len(g.buf) > 0 {
		_, _ = g.w.Write(g.buf)
		g.buf = g.buf[:0]
	}
}

// bye ends the guardian without it touching the program: we let the
// program go cleanly ourselves.
func (g *guardian) bye() {
	g.record(guardBye, 0, 0)
	g.flush()
	g.w.Close()
}

// GuardSites tells the guardian of int3s just written (addrs[i] covers
// origs[i]), so that it can take them out if we die. Ptrace thread only.
func (c *Ctl) GuardSites(addrs []uint64, origs []byte) {
	p := c.p
	if len(addrs) == 0 || !p.ensureGuard() {
		return
	}
	for i, a := range addrs {
		p.guard.record(guardPlace, a, origs[i])
	}
	p.guard.flush()
	p.parkCheck = true // a held thread may sit where an int3 now is
}

// ensureGuard starts the guardian of an attached process if it has none
// yet, and reports whether there is one.
func (p *Process) ensureGuard() bool {
	if p.launched || p.state != psAlive {
		return false
	}
	if p.guard == nil {
		p.memMu.RLock()
		mem := p.mem
		p.memMu.RUnlock()
		if mem == nil {
			return false
		}
		g, err := startGuardian(p.pid, mem)
		if err != nil {
			return false // we run without the net; nothing else depends on it
		}
		p.guard = g
	}
	return true
}

// guardWatches tells the guardian whether debug registers are set: if we
// die, it clears them in every thread (a watch that traps a thread nobody
// traces kills the program with SIGTRAP).
func (p *Process) guardWatches() {
	on := p.watches != [NumWatchpoints]Watch{}
	if !on && p.guard == nil {
		return
	}
	if !p.ensureGuard() {
		return
	}
	var flag uint64
	if on {
		flag = 1
	}
	p.guard.record(guardWatch, flag, 0)
	p.guard.flush()
}

// UnguardSite tells the guardian that the int3 at addr is gone (its
// original byte is back in the program).
func (c *Ctl) UnguardSite(addr uint64) { c.UnguardSites([]uint64{addr}) }

// UnguardSites is UnguardSite for many sites, in one message.
func (c *Ctl) UnguardSites(addrs []uint64) {
	if g := c.p.guard; g != nil {
		for _, a := range addrs {
			g.record(guardRemove, a, 0)
		}
		g.flush()
	}
}

// guardExec tells the guardian that the program's memory is a new image.
func (p *Process) guardExec() {
	if p.guard != nil {
		p.guard.record(guardExec, 0, 0)
		p.guard.flush()
	}
}

// endGuard ends the guardian after a clean detach or the program's exit.
func (p *Process) endGuard() {
	if p.guard != nil {
		p.guard.bye()
		p.guard = nil
	}
}

// runGuardianHelper is the guardian process: fd 0 is the pipe, fd 3 the
// program's memory, argument 1 its pid. It restores the sites when the
// ptrace thread dies (SIGUSR1) or the pipe ends, unless a goodbye came.
func runGuardianHelper() {
	// Signals for ubpdbg's terminal or group are not ours.
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
	died := make(chan os.Signal, 1)
	signal.Notify(died, syscall.SIGUSR1)
	pid := ""
	if len(os.Args) > 1 {
		pid = os.Args[1]
	}
	g := &guardState{mem: os.NewFile(3, "mem"), pid: pid, sites: map[uint64]byte{}}
	ended := make(chan struct{})
	go g.read(os.NewFile(0, "guardian"), ended)
	select {
	case <-died:
		// A goodbye written just before a clean end may still be in the
		// pipe: let the reader take what is there first.
		g.drain(ended)
	case <-ended:
	}
	g.restore()
	os.Exit(0)
}

// guardState is what the guardian knows of the program.
type guardState struct {
	mu    sync.Mutex
	mem   *os.File
	pid   string
	sites map[uint64]byte
	flag  uint64 // the parking flag, if there is a parking page
	// watches: debug registers are set in the program's threads.
	watches bool
	bye     bool
}

// read applies records until end of file or a goodbye.
func (g *guardState) read(in *os.File, ended chan<- struct{}) {
	defer close(ended)
	var r [guardRecord]byte
	for {
		if _, err := io.ReadFull(in, r[:]); err != nil {
			return // ubpdbg is gone
		}
		addr := binary.LittleEndian.Uint64(r[8:])
		g.mu.Lock()
		switch r[0] {
		case guardPlace:
			g.sites[addr] = r[1]
		case guardRemove:
			delete(g.sites, addr)
		case guardFlag:
			g.flag = addr
		case guardWatch:
			g.watches = addr != 0
		case guardExec:
			clear(g.sites)
			g.flag = 0
			if f, err := os.OpenFile("/proc/"+g.pid+"/mem", os.O_RDWR, 0); err == nil {
				g.mem.Close()
				g.mem = f
			}
		case guardBye:
			g.bye = true
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
	}
}

// clearWatchesUntraced clears the debug registers of every thread of a
// process that nobody traces any more: each thread is seized, interrupted,
// cleared and let go, a signal it stopped with delivered. Only a tracer
// can write them, so this needs the right to trace the program (the
// guardian has it where ubpdbg had it as its parent's user, or as root;
// under Yama's ptrace_scope 1 it has not, and the watches stay).
func clearWatchesUntraced(pid string) {
	runtime.LockOSThread() // ptrace requests come from the tracing thread
	tasks, _ := os.ReadDir("/proc/" + pid + "/task")
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := seizeWhenFree(tid); err == unix.EPERM {
			return // not ours to trace (Yama): the others are not either
		} else if err != nil {
			continue // gone meanwhile
		}
		_ = ptraceInterrupt(tid)
		var ws unix.WaitStatus
		stopped := false
		for i := 0; i < 200 && !stopped; i++ {
			n, err := wait4(tid, &ws, unix.WNOHANG|unix.WALL)
			if err != nil {
				break
			}
			stopped = n == tid && ws.Stopped()
			if !stopped {
				time.Sleep(500 * time.Microsecond)
			}
		}
		if !stopped {
			_ = ptraceDetach(tid, 0)
			continue
		}
		_ = pokeDebugReg(tid, 7, 0)
		_ = pokeDebugReg(tid, 6, 0)
		// A signal it stopped with is delivered, but a SIGTRAP: that is a
		// watch's trap, taken before we cleared it, and would kill it.
		sig := 0
		if ws>>16 == 0 && ws.StopSignal() != unix.SIGTRAP {
			sig = int(ws.StopSignal())
		}
		_ = ptraceDetach(tid, sig)
	}
}

// seizeWhenFree seizes a thread, waiting up to 200 ms for the kernel to
// finish detaching it from the ubpdbg that died: until then it is still
// traced, and PTRACE_SEIZE fails with EPERM (seen in about one run in
// three).
func seizeWhenFree(tid int) error {
	var err error
	for i := 0; i < 200; i++ {
		if err = ptraceSeize(tid, 0); err != unix.EPERM {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return err
}

// drain waits while the pipe still holds records (a few milliseconds at
// most), or until the reader ended.
func (g *guardState) drain(ended <-chan struct{}) {
	for i := 0; i < 100; i++ {
		fds := []unix.PollFd{{Fd: 0, Events: unix.POLLIN}}
		if n, _ := unix.Poll(fds, 0); n == 0 || fds[0].Revents&unix.POLLIN == 0 {
			return
		}
		select {
		case <-ended:
			return
		case <-time.After(100 * time.Microsecond):
		}
	}
}

// restore writes every original byte back, unless we said goodbye.
func (g *guardState) restore() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.bye {
		return
	}
	for addr, orig := range g.sites {
		_, _ = pwrite(int(g.mem.Fd()), []byte{orig}, addr)
	}
	if g.watches {
		clearWatchesUntraced(g.pid)
	}
	// Last: the parked threads may go on now that their int3s are gone.
	if g.flag != 0 {
		_, _ = pwrite(int(g.mem.Fd()), []byte{1}, g.flag)
	}
}
