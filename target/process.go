package target

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/queue"
	"golang.org/x/sys/unix"
)

// Action is a Handler's answer to an event.
type Action int

const (
	// Resume lets the thread go on (with whatever registers and pending
	// signal the handler left it). For notifications it is the default.
	Resume Action = iota
	// Hold leaves the thread stopped until something resumes it.
	Hold
)

// Handler receives every event on the ptrace thread. It may use the Ctl to
// inspect and resume any thread, but must not block for long: while it runs,
// no other thread's stop is handled.
type Handler interface {
	HandleEvent(c *Ctl, ev Event) Action
}

type threadState int

const (
	tsNew       threadState = iota // announced by a clone event, first stop not yet seen
	tsRunning                      // resumed; a stop will be reported
	tsStopped                      // in a ptrace-stop we have not answered
	tsListening                    // in a group stop, resumed with PTRACE_LISTEN
	tsExiting                      // past PTRACE_EVENT_EXIT; only its death remains
)

// thread is the ptrace thread's record of one traced thread.
type thread struct {
	tid, pid int
	state    threadState
	stopKind EventKind // why it is stopped, when it is

	resumeSig     int       // signal to deliver on resume (0: none)
	resumeInfo    *SigInfo  // its siginfo, if it must be restored exactly
	heldSignals   []SigInfo // signals that arrived while we were using the thread
	stepping      bool      // a PTRACE_SINGLESTEP is outstanding
	interruptSent bool      // a PTRACE_INTERRUPT is outstanding in the kernel
	interruptWant bool      // somebody still wants it to stop

	regs      unix.PtraceRegs
	regsValid bool
	regsDirty bool
	parkedAt  uint64   // nonzero: the kernel has this pc's parking stub instead (park.go)
	parkStale bool     // our registers changed since it was parked
	trapMoved bool     // its SIGTRAP stop was made an interrupt stop (park.go)
	siginfo   *SigInfo // of the current stop, read on demand

	dregsStale bool // its debug registers differ from Process.watches (debugregs.go)
	dregsSet   bool // it has had watches loaded
}

// procState is the life of the whole process as seen by us.
type procState int

const (
	psAlive procState = iota
	psExited
	psDetached
)

type request struct {
	f    func(c *Ctl) error
	done chan error
}

// Process is a traced process. Its methods are safe for concurrent use.
type Process struct {
	pid      int
	launched bool

	handler Handler
	queue   *queue.Unbounded[Event] // events, when there is no handler

	reqs chan request
	bell *doorbell
	// listening is set while the loop polls, when it also looks at reqs
	// itself: a request sent then needs no doorbell (see Do).
	listenMu  sync.Mutex
	listening bool
	// backlog holds wait results reaped but not yet handled, oldest
	// first: see waitSpin.
	backlog  []waited
	loopDone chan struct{}
	exitedCh chan struct{}

	memMu sync.RWMutex
	mem   *os.File // /proc/PID/mem of the current image, for writes

	guard     *guardian // of an attached process once it has int3s; ptrace thread
	park      *parking  // the parking stubs for held threads (park.go); ptrace thread
	parkCheck bool      // a held thread may need parking before we wait

	stdioWG sync.WaitGroup // copiers of captured stdout/stderr
	relayMu sync.Mutex     // guards relays
	relays  []*relay       // those copiers (relay.go)
	closers []io.Closer

	// Owned by the ptrace thread.
	threads    map[int]*thread
	early      map[int]unix.WaitStatus // stops of threads/children not yet announced
	newParent  map[int]int             // announced but not yet stopped: new tid -> parent tid
	forks      map[int]forkInfo        // child pid -> fork event awaiting the child's first stop
	state      procState
	exitStatus ExitStatus
	syscallPC  uint64 // address of a `syscall` instruction, for injection; 0 if unknown
	stopAll    *[]Event
	watches    [NumWatchpoints]Watch // what every thread's debug registers hold (debugregs.go)
	sysTrace   bool                  // threads resume with PTRACE_SYSCALL (syscalls.go)
	quit       bool
	panicErr   error
}

type forkInfo struct {
	parentTid int
	vfork     bool
	haveChild bool
}

// Options configure a Process for Launch and Attach.
type Options struct {
	// Handler receives events on the ptrace thread. If nil, events go to
	// Process.Events and stop events hold their thread.
	Handler Handler
}

// Pid is the process ID (thread group ID).
func (p *Process) Pid() int { return p.pid }

// Launched reports whether we started the process (rather than attached).
func (p *Process) Launched() bool { return p.launched }

// Events returns the event channel; nil if the process has a Handler. It is
// closed after EventExit, or after a detach.
func (p *Process) Events() <-chan Event {
	if p.queue == nil {
		return nil
	}
	return p.queue.Out()
}

// Done is closed when our control of the process has ended: it exited, or
// it was detached.
func (p *Process) Done() <-chan struct{} { return p.loopDone }

// Exited is closed when the process has exited (not when it is detached).
func (p *Process) Exited() <-chan struct{} { return p.exitedCh }

// ExitStatus is valid once Exited is closed.
func (p *Process) ExitStatus() ExitStatus {
	<-p.exitedCh
	return p.exitStatus
}

// Wait waits until the process has exited and its captured output has been
// copied, and returns how it ended.
func (p *Process) Wait() ExitStatus {
	<-p.exitedCh
	p.stdioWG.Wait()
	return p.exitStatus
}

// newProcess starts the ptrace thread and runs setup on it. setup attaches
// or launches and fills p.pid; if it fails the thread ends.
func newProcess(opts Options, setup func(p *Process) error) (*Process, error) {
	p := &Process{
		handler:   opts.Handler,
		reqs:      make(chan request, 64),
		loopDone:  make(chan struct{}),
		exitedCh:  make(chan struct{}),
		threads:   map[int]*thread{},
		early:     map[int]unix.WaitStatus{},
		newParent: map[int]int{},
		forks:     map[int]forkInfo{},
	}
	if p.handler == nil {
		p.queue = queue.New[Event]()
	}
	started := make(chan error, 1)
	goOnChildlessThread(func() { p.run(setup, started) })
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// run is the ptrace thread, on an OS thread of its own that it never
// unlocks (goOnChildlessThread): when it returns, Go ends the OS thread, and
// the kernel detaches whatever is still traced (killing launched
// processes, which have EXITKILL).
func (p *Process) run(setup func(p *Process) error, started chan<- error) {
	defer close(p.loopDone)
	bell, err := startDoorbell()
	if err != nil {
		started <- fmt.Errorf("start ptrace doorbell: %w", err)
		return
	}
	p.bell = bell
	defer bell.stop()
	if err := setup(p); err != nil {
		if p.queue != nil {
			p.queue.Close()
		}
		started <- err
		return
	}
	started <- nil
	p.loop()
}

// loop waits for tracee events and requests. It always blocks in wait4: the
// doorbell helper is always there to be waited for, so a request wakes the
// loop whether or not any tracee thread runs, and a process killed by
// someone else while every thread is stopped is still noticed at once.
func (p *Process) loop() {
	for !p.quit {
		if p.parkCheck {
			p.parkHeld()
		}
		var ws unix.WaitStatus
		wpid, err, asked := p.waitOrRequest(&ws)
		if asked {
			p.drain()
			continue
		}
		if err != nil {
			// Only ECHILD is possible: even the doorbell is gone. Serve
			// requests until told to quit.
			p.processVanished()
			r := <-p.reqs
			p.serve(r)
			continue
		}
		if p.bellRang(wpid, ws) {
			p.drain()
			continue
		}
		p.safeHandleWait(wpid, ws)
		p.drain()
	}
}

// EmergencyHandler is implemented by handlers that must undo their changes
// to the process if the ptrace thread panics (a bug of ours): int3s out,
// pcs out of slots. Target then detaches (or kills what it launched)
// instead of leaving the process with our changes in it.
type EmergencyHandler interface {
	Emergency(c *Ctl, panicValue any, stack []byte)
}

// safeHandleWait handles one wait result; a panic in it (in the handler)
// ends our control of the process cleanly instead of crashing with the
// process still traced.
func (p *Process) safeHandleWait(wpid int, ws unix.WaitStatus) {
	defer func() {
		if v := recover(); v != nil {
			p.panicked(v, debug.Stack())
		}
	}()
	p.handleWait(wpid, ws)
}

func (p *Process) panicked(v any, stack []byte) {
	p.panicErr = fmt.Errorf("internal error on the ptrace thread: %v\n%s", v, stack)
	c := &Ctl{p: p}
	if eh, ok := p.handler.(EmergencyHandler); ok {
		func() {
			defer func() { recover() }()
			eh.Emergency(c, v, stack)
		}()
	}
	if p.state != psAlive {
		return
	}
	if p.launched {
		_ = c.Kill()
		return // the exit events follow; the loop ends with them
	}
	_ = c.Detach()
}

// Err returns the internal error that ended our control of the process, if
// any (a panic on the ptrace thread).
func (p *Process) Err() error {
	select {
	case <-p.loopDone:
		return p.panicErr
	default:
		return nil
	}
}

// spinFor is how long the ptrace thread polls for the next event before
// it blocks in wait4. On a virtual machine a blocked thread's CPU halts,
// and waking a halted virtual CPU for every stop costs far more than the
// ptrace calls themselves; a thread that resumed a tracee a moment ago
// usually hears from it again within microseconds (a hot breakpoint).
const spinFor = 50 * time.Microsecond

// waited is one wait4 result.
type waited struct {
	pid int
	ws  unix.WaitStatus
}

// waitSpin waits for the next event: polling for spinFor, then blocking.
//
// Events are served in rounds, for fairness: wait4(-1) always reports the
// tracee that was attached last among those stopped (the kernel keeps a
// tracer's tracees newest first), so with several threads hitting
// breakpoints all the time the oldest ones would wait while the newest
// were served over and over (a thread of eight ticked 34 times in 500 ms
// while the others ticked thousands). So when one event arrives, every
// other one already there is reaped with it into the backlog, and the
// backlog is served, oldest first, before wait4 is asked again. StopAll,
// the other wait for any tracee, waits here too; waits for one thread are
// only for threads already stopped and handled, which are never in the
// backlog.
func (p *Process) waitSpin(ws *unix.WaitStatus) (int, error) {
	wpid, err, _ := p.waitNext(ws, false)
	return wpid, err
}

// waitOrRequest is the loop's waitSpin: while it polls, it also looks for
// requests, and says when one came (asked) instead of waiting on. A
// request sent while it polls is not rung for (see Do), which saves the
// doorbell's round trip through the helper process: a front end that sets
// breakpoints one by one sends the next within microseconds of the answer
// to the last.
func (p *Process) waitOrRequest(ws *unix.WaitStatus) (wpid int, err error, asked bool) {
	return p.waitNext(ws, true)
}

// waitNext is waitSpin, and with listen waitOrRequest.
func (p *Process) waitNext(ws *unix.WaitStatus, listen bool) (wpid int, err error, asked bool) {
	if wpid, ok := p.fromBacklog(ws); ok {
		return wpid, nil, false
	}
	if wpid, err, asked = p.poll(ws, listen); asked {
		return 0, nil, true
	}
	if wpid == 0 && err == nil {
		wpid, err = wait4(-1, ws, unix.WUNTRACED)
	}
	if err == nil && wpid > 0 {
		p.reapMore()
	}
	return wpid, err, false
}

// poll asks for a wait result without blocking for spinFor, and with
// listen looks for requests too. It returns wpid 0 if nothing came.
func (p *Process) poll(ws *unix.WaitStatus, listen bool) (wpid int, err error, asked bool) {
	if listen {
		p.setListening(true)
		defer func() {
			// From here on Do rings. A request sent before that is in
			// reqs: the mutex orders its send before this last look.
			p.setListening(false)
			if wpid == 0 && err == nil && len(p.reqs) > 0 {
				asked = true
			}
		}()
	}
	for deadline := time.Now().Add(spinFor); time.Now().Before(deadline); {
		if listen && len(p.reqs) > 0 {
			return 0, nil, true
		}
		if wpid, err = wait4(-1, ws, unix.WUNTRACED|unix.WNOHANG); err != nil || wpid > 0 {
			return wpid, err, false
		}
	}
	return 0, nil, false
}

func (p *Process) setListening(on bool) {
	p.listenMu.Lock()
	p.listening = on
	p.listenMu.Unlock()
}

// reapMore moves every wait result that is already there into the
// backlog, without blocking.
func (p *Process) reapMore() {
	for {
		var ws unix.WaitStatus
		wpid, err := wait4(-1, &ws, unix.WUNTRACED|unix.WNOHANG)
		if err != nil || wpid <= 0 {
			return
		}
		p.backlog = append(p.backlog, waited{wpid, ws})
	}
}

// fromBacklog takes the oldest result of the backlog, if there is one.
func (p *Process) fromBacklog(ws *unix.WaitStatus) (int, bool) {
	if len(p.backlog) == 0 {
		return 0, false
	}
	w := p.backlog[0]
	p.backlog = p.backlog[1:]
	if len(p.backlog) == 0 {
		p.backlog = nil // let the array go
	}
	*ws = w.ws
	return w.pid, true
}

// bellRang reports whether a wait result is the doorbell's, and answers
// it (the requests it announced are served by the caller's loop).
func (p *Process) bellRang(wpid int, ws unix.WaitStatus) bool {
	if wpid != p.bell.pid {
		return false
	}
	if ws.Stopped() {
		p.bell.answered()
	}
	return true
}

// drain serves every queued request without blocking.
func (p *Process) drain() {
	for !p.quit {
		select {
		case r := <-p.reqs:
			p.serve(r)
		default:
			return
		}
	}
}

func (p *Process) serve(r request) {
	c := &Ctl{p: p}
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic on the ptrace thread: %v", v)
			}
		}()
		return r.f(c)
	}()
	r.done <- err
}

// Do runs f on the ptrace thread and returns its error. It must not be
// called from a Handler or from inside another Do (use the Ctl you have).
func (p *Process) Do(f func(c *Ctl) error) error {
	r := request{f: f, done: make(chan error, 1)}
	select {
	case <-p.loopDone:
		return p.goneErr()
	case p.reqs <- r:
	}
	// The loop, if it is polling, sees the request itself; otherwise (or
	// if it stops polling before it looks) the bell wakes it. The mutex
	// makes it one or the other: polling ends under it, and the loop looks
	// at reqs once more after that.
	p.listenMu.Lock()
	listening := p.listening
	p.listenMu.Unlock()
	if !listening {
		p.bell.ring()
	}
	// Most requests take microseconds. Waiting for the answer without
	// parking this goroutine for a moment keeps it on its CPU: a parked
	// goroutine readied by the ptrace thread waits in that thread's run
	// queue until it blocks (Go steals a running P's next goroutine only
	// after a delay), which made every round trip cost about 280 us.
	// Gosched lets the other goroutines run meanwhile: with the ptrace
	// thread polling too, two cores are busy, and a reader of the state
	// would otherwise wait for preemption.
	for deadline := time.Now().Add(spinFor); time.Now().Before(deadline); runtime.Gosched() {
		select {
		case err := <-r.done:
			return err
		default:
		}
	}
	select {
	case err := <-r.done:
		return err
	case <-p.loopDone:
		// The loop may have served it on its way out.
		select {
		case err := <-r.done:
			return err
		default:
			return p.goneErr()
		}
	}
}

// goneErr says why requests fail after the process is gone, from any
// goroutine (on the ptrace thread, goneErrOnLoop reads the state itself).
func (p *Process) goneErr() error {
	select {
	case <-p.exitedCh:
		return ErrExited
	default:
		return ErrDetached
	}
}

// dispatch hands an event to the handler (or the queue) and returns what
// should happen to the thread.
func (p *Process) dispatch(ev Event) Action {
	if p.stopAll != nil {
		// StopAll collects events for its caller instead.
		*p.stopAll = append(*p.stopAll, ev)
		return Hold
	}
	if p.handler != nil {
		return p.handler.HandleEvent(&Ctl{p: p}, ev)
	}
	p.queue.Push(ev)
	if ev.Kind.IsStop() {
		return Hold
	}
	return Resume
}

// processVanished marks the process gone when the kernel has nothing left to
// report (every tracee reaped without an exit status for the leader).
func (p *Process) processVanished() {
	if p.state == psAlive {
		p.finishExit(ExitStatus{Unknown: true})
	}
}

// finishExit records the process's end and tells everyone.
func (p *Process) finishExit(st ExitStatus) {
	if p.state != psAlive {
		return
	}
	p.state = psExited
	p.exitStatus = st
	p.endGuard()
	for tid, t := range p.threads {
		if t.pid == p.pid {
			delete(p.threads, tid)
		}
	}
	close(p.exitedCh)
	p.dispatch(Event{Kind: EventExit, Pid: p.pid, Tid: p.pid, Status: st})
	if p.queue != nil {
		p.queue.Close()
	}
	p.closeMem()
	p.quit = true
}

// Close ends our control of the process: a launched process is killed, an
// attached one detached. It waits for the ptrace thread to finish.
func (p *Process) Close() error {
	var err error
	select {
	case <-p.loopDone:
	default:
		if p.launched {
			err = p.Kill()
		} else {
			err = p.Detach()
		}
		if errors.Is(err, ErrExited) || errors.Is(err, ErrDetached) {
			err = nil
		}
	}
	<-p.loopDone
	for _, c := range p.closers {
		c.Close()
	}
	return err
}
