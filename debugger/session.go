// Package debugger is one debugging session over one process, shared by
// every front end (DAP, terminal, trace): the target, its breakpoints, the
// stop mode and one ordered stream of events.
//
// The session handles every stop on the ptrace thread itself (it is the
// target's Handler): a breakpoint whose condition is false, whose hit count
// is not reached, or that is a logpoint, sends the thread on through XOL at
// once, without stopping any other thread or waking any other goroutine.
// Only what a front end must see becomes an Event.
package debugger

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/goruntime"
	"github.com/ubpdbg/ubpdbg/internal/queue"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol"
	"golang.org/x/sys/unix"
)

// StopMode says which threads stop when one stops.
type StopMode string

const (
	// StopThread (non-stop): only the thread that hit the breakpoint stops.
	StopThread StopMode = "thread"
	// StopAll (all-stop): every thread stops, as in classic debuggers.
	StopAll StopMode = "all"
)

// ParseStopMode checks a stop mode name ("" means thread).
func ParseStopMode(s string) (StopMode, error) {
	switch s {
	case "", "thread":
		return StopThread, nil
	case "all":
		return StopAll, nil
	}
	return "", fmt.Errorf("unknown stop mode %q: want \"thread\" or \"all\"", s)
}

// Config is what every session needs.
type Config struct {
	StopMode StopMode
	// Log, if set, receives one line per engine decision (--log-output).
	Log io.Writer
}

// LaunchConfig describes a program to start.
type LaunchConfig struct {
	Config
	Program     string
	Args        []string
	Env         []string
	Dir         string
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
	StopOnEntry bool
	// Setpgid puts the program in a process group of its own, so that a
	// terminal's Ctrl-C reaches the debugger and not the program.
	Setpgid bool
}

// Session is one debugged process. Its methods are safe for concurrent use.
type Session struct {
	cfg    Config
	proc   *target.Process
	events *queue.Unbounded[Event]

	// Owned by the ptrace thread.
	syms    *symbols.Table
	sites   *breakpoints.Sites
	xol     *xol.Runtime
	threads map[int]*thread
	bpMu    sync.Mutex // guards bps for readers off the ptrace thread
	bps     bpTable
	nextBP  int
	allHeld bool // all-stop: every thread is held by a stop
	// pending are stops that other threads made while a stop of every
	// thread was under way (all-stop), reported one by one at the next
	// continues before anything runs (fairness: see stopOthers).
	pending []Event
	// codeCheck remembers the mappings and the instruction starts of
	// functions for the checks of instruction addresses; dropped when
	// libraries change or the program execs (see codeaddr.go).
	codeCheck *codeChecker
	ldNotify  uint64
	exited    bool

	launch *LaunchConfig // how the program was started (nil: attached)
	// gort is where the Go runtime keeps goroutines, read from the DWARF
	// of gortImage at the first goroutine request (see goroutines.go).
	gort      *goruntime.Runtime
	gortImage *symbols.Image
	// toldNoAreas: the user heard that the program refuses XOL areas.
	toldNoAreas bool

	// watches are the watchpoints (watch.go), numbered with bps; readers
	// off the ptrace thread hold bpMu.
	watches map[int]*watchpoint
	// catches are the event catchpoints (catchevents.go), numbered with
	// bps, under bpMu.
	catches map[int]*CatchInfo

	// goFailOff: the Go failures (GoPanic, GoFatal) that do not stop.
	goFailOff map[string]bool

	sigMu   sync.Mutex                     // guards signals (set by front ends, read on the ptrace thread)
	signals map[unix.Signal]SignalHandling // changed from the defaults (signals.go)
}

// thread is the session's view of one thread.
type thread struct {
	tid       int
	held      bool   // stopped, and the stop was reported
	reason    string // of the current stop
	pauseWant bool
	rehitAt   uint64 // the int3 whose hit was undone (not counted), until it traps again
	pending   bool   // its stop is in Session.pending, not yet reported
	step      *stepState
	exception *Exception // what it is held on, with reason exception
	returned  uint64     // held after a step out: a pc of the function it left
}

// Launch starts a program and returns with it stopped at its first
// instruction; call Run (or Continue) after setting breakpoints.
func Launch(lc LaunchConfig) (*Session, error) {
	s := newSession(lc.Config)
	p, err := target.Launch(target.LaunchOptions{Path: lc.Program, Args: lc.Args, Env: lc.Env, Dir: lc.Dir,
		Stdin: lc.Stdin, Stdout: lc.Stdout, Stderr: lc.Stderr, Setpgid: lc.Setpgid}, target.Options{Handler: s})
	if err != nil {
		return nil, err
	}
	s.proc = p
	s.launch = &lc
	if err := s.start(); err != nil {
		p.Close()
		return nil, err
	}
	s.register()
	return s, nil
}

// Attach attaches to a running process; it keeps running.
func Attach(pid int, cfg Config) (*Session, error) {
	s := newSession(cfg)
	p, err := target.Attach(pid, target.Options{Handler: s})
	if err != nil {
		return nil, err
	}
	s.proc = p
	if err := s.start(); err != nil {
		p.Detach()
		p.Close()
		return nil, err
	}
	s.register()
	return s, nil
}

// live is every session whose process we still control, so that the end
// of ubpdbg itself (a signal, a panic) can let every program go first.
var live = struct {
	sync.Mutex
	m map[*Session]struct{}
}{m: map[*Session]struct{}{}}

// register adds s to live until its process is detached or exits.
func (s *Session) register() {
	live.Lock()
	live.m[s] = struct{}{}
	live.Unlock()
	go func() {
		<-s.proc.Done()
		live.Lock()
		delete(live.m, s)
		live.Unlock()
	}()
}

// CloseAll ends every live session as Close does (attached processes are
// detached and run on, launched ones are killed) and returns when all are
// done. ubpdbg calls it when it is told to end (SIGTERM, SIGHUP, a panic).
func CloseAll() {
	live.Lock()
	all := make([]*Session, 0, len(live.m))
	for s := range live.m {
		all = append(all, s)
	}
	live.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Close()
		}()
	}
	wg.Wait()
}

func newSession(cfg Config) *Session {
	if cfg.StopMode == "" {
		cfg.StopMode = StopThread
	}
	events := queue.New[Event]()
	events.Limit(queue.Limits[Event]{Count: MaxQueuedEvents, Bytes: MaxQueuedLogBytes,
		Droppable: func(ev Event) (int, bool) { return len(ev.Text) + eventSize, ev.LogMessage },
		Note: func(n int) Event {
			return Event{Kind: Output, Category: "important",
				Text: fmt.Sprintf("ubpdbg: %d log messages dropped: the front end did not read them fast enough\n", n)}
		}})
	return &Session{cfg: cfg, events: events, sites: breakpoints.NewSites(),
		xol: xol.NewRuntime(), threads: map[int]*thread{}, nextBP: 1}
}

// MaxQueuedEvents and MaxQueuedLogBytes bound the events that wait for a
// front end that does not read them: past either, log messages are dropped
// (and counted, and the count reported in an Output event in their place);
// the program never waits for a front end, and our memory stays bounded.
// 65,536 events are two seconds of a logpoint hit in a tight loop: a front
// end that is only slow for a moment (a loaded machine) loses nothing.
const (
	MaxQueuedEvents   = 65536
	MaxQueuedLogBytes = 16 << 20
	eventSize         = int(unsafe.Sizeof(Event{}))
)

// DroppedLogMessages says how many log messages were dropped because the
// front end did not keep up.
func (s *Session) DroppedLogMessages() int { return s.events.Dropped() }

// start loads symbols and arranges to hear of libraries loaded later.
func (s *Session) start() error {
	return s.proc.Do(func(c *target.Ctl) error {
		for _, t := range c.Threads() {
			th := s.thread(t.Tid)
			th.held = t.Stopped
			if t.Stopped {
				th.reason = ReasonEntry
			}
		}
		tab, err := symbols.LoadProcess(s.proc.Pid())
		if err != nil {
			return fmt.Errorf("load symbols: %w", err)
		}
		s.syms = tab
		s.watchLibraries(c)
		s.watchGoFailures(c)
		return nil
	})
}

// watchLibraries puts an internal breakpoint on the dynamic linker's
// notification function, which it calls whenever the set of loaded
// libraries changes (at startup too): there the session reloads symbols
// and places pending breakpoints. Programs without a dynamic linker (static,
// most Go programs) load no libraries later.
func (s *Session) watchLibraries(c *target.Ctl) {
	for _, im := range s.syms.Images() {
		if !strings.Contains(im.Path, "/ld-linux") && !strings.Contains(im.Path, "/ld64") {
			continue
		}
		locs, err := im.ResolveLines("_dl_debug_state")
		if err != nil || len(locs) == 0 {
			continue
		}
		addr := locs[0].PC
		if err := s.sites.AddInternal(c, addr, &breakpoints.Internal{Kind: breakpoints.Libraries}); err == nil {
			s.ldNotify = addr
		}
		return
	}
}

// Pid is the process ID.
func (s *Session) Pid() int { return s.proc.Pid() }

// Process returns the underlying target process.
func (s *Session) Process() *target.Process { return s.proc }

// Events is the session's one ordered stream of events. It is closed after
// Exited or Detached.
func (s *Session) Events() <-chan Event { return s.events.Out() }

// Symbols returns the symbol table (safe for concurrent use).
func (s *Session) Symbols() *symbols.Table { return s.syms }

// Mode returns the stop mode.
func (s *Session) Mode() StopMode { return s.cfg.StopMode }

func (s *Session) emit(e Event) { s.events.Push(e) }

func (s *Session) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		fmt.Fprintf(s.cfg.Log, format+"\n", args...)
	}
}

func (s *Session) thread(tid int) *thread {
	th := s.threads[tid]
	if th == nil {
		th = &thread{tid: tid}
		s.threads[tid] = th
	}
	return th
}

// Wait waits for the process to exit and its output to be copied.
func (s *Session) Wait() target.ExitStatus { return s.proc.Wait() }

// Detach takes every breakpoint out, moves every thread out of the XOL
// slots, unmaps them, and lets the process go on as it was.
func (s *Session) Detach() error {
	err := s.proc.Do(func(c *target.Ctl) error {
		return s.detach(c)
	})
	if errors.Is(err, target.ErrExited) || errors.Is(err, target.ErrDetached) {
		return nil
	}
	return err
}

// detach runs on the ptrace thread (also from the panic and signal paths).
func (s *Session) detach(c *target.Ctl) error {
	errs := s.restore(c, func(f func()) { f() })
	if err := c.Detach(); err != nil {
		errs = append(errs, err)
	}
	s.emit(Event{Kind: Detached})
	s.events.Close()
	return errors.Join(errs...)
}

// restore takes our changes out of the process before it is let go: every
// thread stopped (what happened meanwhile settled), every int3 out, every
// pc out of the XOL slots, the slot areas unmapped. guard runs the steps
// that concern one event or one thread: the emergency path passes one that
// recovers, so that a second bug does not end the cleanup. If the threads
// cannot be stopped (the process is gone), memory is not touched.
func (s *Session) restore(c *target.Ctl, guard func(func())) []error {
	evs, err := c.StopAll()
	for _, ev := range evs {
		guard(func() { s.settle(c, ev) })
	}
	if err != nil {
		return []error{err}
	}
	var errs []error
	if err := s.sites.RemoveAll(c); err != nil {
		errs = append(errs, err)
	}
	for _, t := range c.Threads() {
		if t.Stopped {
			guard(func() { s.takePendingTrap(c, t.Tid) })
		}
	}
	var any int
	for _, t := range c.Threads() {
		if !t.Stopped || t.Pid != s.proc.Pid() {
			continue
		}
		guard(func() {
			if err := s.xol.Fix(c, t.Tid); err != nil {
				errs = append(errs, err)
			}
		})
		any = t.Tid
	}
	if any != 0 {
		if err := s.xol.Unmap(c, any); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// takePendingTrap rewinds a trap that a thread took just before the int3
// was removed but had not reported yet (target.Ctl.TakePendingTrap): it
// runs the instruction when it goes on, and no SIGTRAP is left behind.
func (s *Session) takePendingTrap(c *target.Ctl, tid int) {
	took, err := c.TakePendingTrap(tid)
	if err != nil || !took {
		return
	}
	regs, err := c.Regs(tid)
	if err != nil {
		return
	}
	if a := regs.Rip - 1; s.sites.WasRemoved(a) {
		regs.Rip = a
		c.SetRegs(tid, regs)
	} else {
		// Not ours after all: the program's own int3 gets its signal.
		c.SetSignal(tid, int(unix.SIGTRAP))
	}
	s.logf("thread %d: took a pending trap at %#x before the detach", tid, regs.Rip)
}

// tellNoAreas says once why every breakpoint of this program is slow: it
// refuses executable memory, so hits are stepped in place.
func (s *Session) tellNoAreas(err error) {
	var na *xol.NoAreasError
	if s.toldNoAreas || !errors.As(err, &na) {
		return
	}
	s.toldNoAreas = true
	s.emit(Event{Kind: Output, Category: "important", Text: "ubpdbg: " + err.Error() + "\n"})
}

// Kill kills the process.
func (s *Session) Kill() error { return s.proc.Kill() }

// Close detaches from an attached process or kills a launched one.
func (s *Session) Close() error {
	if s.proc.Launched() {
		return s.Kill()
	}
	return s.Detach()
}

// ReadMemory reads the process's memory as the program sees it: our int3s
// show the bytes they replaced.
func (s *Session) ReadMemory(addr uint64, buf []byte) (int, error) {
	n, err := s.proc.ReadMemory(addr, buf)
	if n > 0 {
		s.proc.Do(func(c *target.Ctl) error {
			s.sites.Original(addr, buf[:n])
			return nil
		})
	}
	return n, err
}

// ReadSome reads as much of buf as can be read from its start: a read
// that crosses into an unmapped page is retried up to the end of the page
// addr is in.
func (s *Session) ReadSome(addr uint64, buf []byte) (int, error) {
	n, err := s.ReadMemory(addr, buf)
	if n > 0 || len(buf) == 0 {
		return n, err
	}
	if pageEnd := (addr | 0xfff) + 1; pageEnd-addr < uint64(len(buf)) {
		return s.ReadMemory(addr, buf[:pageEnd-addr])
	}
	return n, err
}

// WriteMemory writes the process's memory. Bytes under our int3s are
// refused: the write would lose the breakpoint or, written over, the
// program's own byte that the int3 stands for.
func (s *Session) WriteMemory(addr uint64, data []byte) error {
	err := s.proc.Do(func(c *target.Ctl) error {
		for i := range data {
			if st := s.sites.At(addr + uint64(i)); st != nil {
				return fmt.Errorf("%#x holds a breakpoint's int3: delete the breakpoints there before writing over it", addr+uint64(i))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.proc.WriteMemory(addr, data)
}

func threadName(pid, tid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/comm", pid, tid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
