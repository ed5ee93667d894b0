package debugger

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/eval"
	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// Watchpoints: hardware data breakpoints on the x86 debug registers
// (target/debugregs.go has the registers themselves). A watchpoint covers
// the bytes of an lvalue with up to four aligned registers; it traps the
// thread that touched them, after the access, and only that thread stops
// (in thread stop mode). Like gdb's:
//   - watch stops when a write changes the value (a write of the same value
//     goes on unseen), and shows the old and the new value;
//   - rwatch stops at reads: x86 has no read-only watch, so the registers
//     trap reads and writes, and an access that changed the value is taken
//     for a write and goes on (gdb's rule on x86 too);
//   - awatch stops at every access;
//   - one whose bytes are in a stack frame (a local) ends when that frame
//     returns: an internal breakpoint at the return address (WatchScope)
//     deletes it and stops the thread there.
//
// They share their numbers with breakpoints (gdb's numbering), and delete,
// enable and disable take either.

// WatchKind is what access a watchpoint stops at.
type WatchKind int

const (
	WatchWrite  WatchKind = iota + 1 // watch: a write that changes the value
	WatchRead                        // rwatch: a read
	WatchAccess                      // awatch: any access
)

// String is the terminal command that sets the kind.
func (k WatchKind) String() string {
	switch k {
	case WatchWrite:
		return "watch"
	case WatchRead:
		return "rwatch"
	case WatchAccess:
		return "awatch"
	}
	return fmt.Sprintf("WatchKind(%d)", int(k))
}

// Title is how gdb names a watchpoint of the kind in its messages.
func (k WatchKind) Title() string {
	switch k {
	case WatchRead:
		return "Hardware read watchpoint"
	case WatchAccess:
		return "Hardware access (read/write) watchpoint"
	}
	return "Hardware watchpoint"
}

// ReasonDataBreakpoint is the reason of a watchpoint's stop, as DAP names it.
const ReasonDataBreakpoint = "data breakpoint"

// WatchSpec is a watchpoint as a front end asks for it.
type WatchSpec struct {
	Expr string
	Kind WatchKind
	Cond string // stop only when true, evaluated in the thread that trapped
	// HitCond is DAP's hit condition (N, >= N, % N, ...) over the hits
	// that passed Cond.
	HitCond string
	// Tid and Frame are where Expr is evaluated: a held thread's frame.
	// Tid 0 evaluates it without a frame (globals only).
	Tid, Frame int
	// Log: report every stop the watchpoint would make as an Output event,
	// and let the thread go on (ubpdbg trace --watch).
	Log bool
	// Addr, if not 0, is where Expr must be found (a DAP data ID names
	// an address: set again later, it must still mean the same bytes).
	Addr uint64
}

// WatchInfo is a watchpoint's state.
type WatchInfo struct {
	ID       int
	Spec     WatchSpec
	Addr     uint64
	Size     int
	Type     string
	Value    string // as last seen
	Hits     int
	Disabled bool
	// Scope is the function whose frame holds the bytes (a local), ""
	// for a watchpoint that does not end by itself; ScopeTid its thread.
	Scope    string
	ScopeTid int
}

type watchpoint struct {
	info    WatchInfo // guarded by Session.bpMu for readers off the ptrace thread
	ranges  []target.Watch
	slots   []int          // the debug registers it holds while enabled
	v       *eval.Variable // the value, for its type and printing
	old     []byte
	scope   *breakpoints.Internal // the WatchScope breakpoint of a local's frame
	hitCond *expr.HitCondition
}

// Watch sets a watchpoint. It may be called while every thread runs: each
// running thread is interrupted for a moment to load the registers.
func (s *Session) Watch(spec WatchSpec) (WatchInfo, error) {
	return s.addWatch(spec, 0)
}

// addWatch sets a watchpoint numbered id (0: the next number).
func (s *Session) addWatch(spec WatchSpec, id int) (WatchInfo, error) {
	var info WatchInfo
	if strings.TrimSpace(spec.Expr) == "" {
		return info, errors.New("nothing to watch: give an expression")
	}
	if spec.Kind < WatchWrite || spec.Kind > WatchAccess {
		return info, fmt.Errorf("unknown watch kind %d", int(spec.Kind))
	}
	err := s.proc.Do(func(c *target.Ctl) error {
		w, err := s.newWatch(c, spec)
		if err != nil {
			return err
		}
		if err := s.loadWatch(c, w); err != nil {
			if w.scope != nil {
				s.dropScope(c, w)
			}
			return err
		}
		s.bpMu.Lock()
		w.info.ID = id
		if id == 0 {
			w.info.ID = s.nextBP
			s.nextBP++
		}
		if s.watches == nil {
			s.watches = map[int]*watchpoint{}
		}
		s.watches[w.info.ID] = w
		info = w.info
		s.bpMu.Unlock()
		return nil
	})
	return info, err
}

// newWatch evaluates spec.Expr and works out the registers it needs and,
// for a local, the end of its frame.
func (s *Session) newWatch(c *target.Ctl, spec WatchSpec) (*watchpoint, error) {
	var ctx *eval.Context
	var frames []symbols.Frame
	var regs regsT
	if spec.Tid != 0 {
		th := s.threads[spec.Tid]
		if th == nil || !th.held {
			return nil, fmt.Errorf("thread %d: %w", spec.Tid, ErrNotStopped)
		}
		var err error
		if regs, err = c.Regs(spec.Tid); err != nil {
			return nil, err
		}
		if frames, err = s.unwindRegs(c, regs, 0); len(frames) == 0 {
			return nil, fmt.Errorf("thread %d: no stack to evaluate %s in: %v", spec.Tid, spec.Expr, err)
		}
		if ctx, err = s.contextFor(c, spec.Tid, &regs, frames, spec.Frame); err != nil {
			return nil, err
		}
	} else {
		var err error
		if ctx, err = s.globalContext(); err != nil {
			return nil, err
		}
	}
	v, err := ctx.Eval(spec.Expr)
	if err != nil {
		return nil, err
	}
	size := v.Size()
	switch {
	case v.Addr == 0:
		return nil, fmt.Errorf("%s is not in memory (a register or a computed value): only memory can be watched", spec.Expr)
	case size <= 0:
		return nil, fmt.Errorf("%s has no size in memory (a bitfield?): watch the whole field's word instead", spec.Expr)
	case spec.Addr != 0 && spec.Addr != v.Addr:
		return nil, fmt.Errorf("%s is now at %#x, not at %#x as when it was asked for", spec.Expr, v.Addr, spec.Addr)
	}
	ranges := watchRanges(v.Addr, uint64(size), spec.Kind)
	if len(ranges) > target.NumWatchpoints {
		return nil, fmt.Errorf("%s is %d bytes: it needs %d debug registers, and x86 has %d (a watch covers up to 8 aligned bytes per register)",
			spec.Expr, size, len(ranges), target.NumWatchpoints)
	}
	w := &watchpoint{ranges: ranges, v: v, info: WatchInfo{Spec: spec, Addr: v.Addr, Size: int(size), Type: v.Type}}
	if spec.HitCond != "" {
		hc, err := expr.ParseHitCondition(spec.HitCond)
		if err != nil {
			return nil, fmt.Errorf("hit condition %q: %w", spec.HitCond, err)
		}
		w.hitCond = &hc
	}
	w.old = make([]byte, size)
	if _, err := s.proc.ReadMemory(v.Addr, w.old); err != nil {
		return nil, fmt.Errorf("read %s at %#x: %w", spec.Expr, v.Addr, err)
	}
	w.info.Value = v.WithBytes(w.old).Printed()
	if spec.Tid != 0 {
		if err := s.scopeWatch(c, w, spec, regs, frames); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// scopeWatch ties a watchpoint whose bytes are in one of the thread's
// stack frames to that frame: it ends when the frame returns. The frame is
// the one whose stack range holds the address (a pointer into a caller's
// frame ends with the caller), whatever frame the expression was
// evaluated in.
func (s *Session) scopeWatch(c *target.Ctl, w *watchpoint, spec WatchSpec, regs regsT, frames []symbols.Frame) error {
	addr := w.info.Addr
	const redZone = 128 // below rsp, a leaf function's own
	if addr+uint64(w.info.Size) <= regs.Rsp-redZone || addr >= frames[len(frames)-1].CFA {
		return nil // not on this thread's stack as far as we walked it
	}
	for i, f := range frames {
		if addr >= f.CFA {
			continue
		}
		if s.goroutineOf(regs) != 0 {
			return fmt.Errorf("%s is on a goroutine's stack, which the Go runtime moves when it grows: watch a variable that escaped to the heap, or a global", spec.Expr)
		}
		if i+1 >= len(frames) {
			return nil // the outermost frame: it never returns
		}
		ib := &breakpoints.Internal{Tid: spec.Tid, Kind: breakpoints.WatchScope, MinSP: f.CFA}
		if err := s.sites.AddInternal(c, frames[i+1].PC, ib); err != nil {
			return fmt.Errorf("watch %s: the end of its frame (%#x): %w", spec.Expr, frames[i+1].PC, err)
		}
		w.scope = ib
		w.info.Scope, w.info.ScopeTid = f.Function, spec.Tid
		return nil
	}
	return nil
}

// watchRanges covers [addr, addr+size) with the aligned 1, 2, 4 and 8 byte
// ranges that debug registers take.
func watchRanges(addr, size uint64, kind WatchKind) []target.Watch {
	k := target.WatchWrite
	if kind != WatchWrite {
		k = target.WatchReadWrite
	}
	var out []target.Watch
	for end := addr + size; addr < end; {
		n := uint64(8)
		for n > 1 && (addr%n != 0 || addr+n > end) {
			n /= 2
		}
		out = append(out, target.Watch{Addr: addr, Len: int(n), Kind: k})
		addr += n
	}
	return out
}

// loadWatch puts an enabled watchpoint into free debug registers.
func (s *Session) loadWatch(c *target.Ctl, w *watchpoint) error {
	regs := c.Watches()
	var free []int
	for i, r := range regs {
		if r.Len == 0 {
			free = append(free, i)
		}
	}
	if len(free) < len(w.ranges) {
		var users []string
		for _, id := range s.watchIDs() {
			if o := s.watches[id]; len(o.slots) > 0 {
				users = append(users, fmt.Sprintf("%d (%s)", id, o.info.Spec.Expr))
			}
		}
		return fmt.Errorf("%s needs %d debug register(s) and %d of x86's %d are free: delete or disable a watchpoint first (in use by %s)",
			w.info.Spec.Expr, len(w.ranges), len(free), target.NumWatchpoints, strings.Join(users, ", "))
	}
	w.slots = free[:len(w.ranges)]
	for i, slot := range w.slots {
		if err := c.SetWatch(slot, w.ranges[i]); err != nil {
			for _, done := range w.slots[:i+1] {
				c.SetWatch(done, target.Watch{})
			}
			w.slots = nil
			return err
		}
	}
	return nil
}

// unloadWatch frees a watchpoint's debug registers.
func (s *Session) unloadWatch(c *target.Ctl, w *watchpoint) {
	for _, slot := range w.slots {
		if err := c.SetWatch(slot, target.Watch{}); err != nil {
			s.logf("watchpoint %d: clear debug register %d: %v", w.info.ID, slot, err)
		}
	}
	w.slots = nil
}

func (s *Session) dropScope(c *target.Ctl, w *watchpoint) {
	ib := w.scope
	w.scope = nil
	s.sites.RemoveInternal(c, func(x *breakpoints.Internal) bool { return x == ib })
}

// removeWatch deletes a watchpoint, on the ptrace thread.
func (s *Session) removeWatch(c *target.Ctl, w *watchpoint) {
	s.unloadWatch(c, w)
	if w.scope != nil {
		s.dropScope(c, w)
	}
	s.bpMu.Lock()
	delete(s.watches, w.info.ID)
	s.bpMu.Unlock()
}

// watchIDs are the watchpoints' numbers in order.
func (s *Session) watchIDs() []int { return sortedKeys(s.watches) }

// Watchpoints lists the watchpoints.
func (s *Session) Watchpoints() []WatchInfo {
	s.bpMu.Lock()
	defer s.bpMu.Unlock()
	var out []WatchInfo
	for _, id := range s.watchIDs() {
		out = append(out, s.watches[id].info)
	}
	return out
}

// deleteWatch deletes watchpoint id, if there is one; on the ptrace thread.
func (s *Session) deleteWatch(c *target.Ctl, id int) bool {
	w := s.watches[id]
	if w == nil {
		return false
	}
	s.removeWatch(c, w)
	return true
}

// enableWatch enables or disables watchpoint id; a disabled one holds no
// debug register. It reports whether id is a watchpoint.
func (s *Session) enableWatch(c *target.Ctl, id int, on bool) (bool, error) {
	w := s.watches[id]
	if w == nil {
		return false, nil
	}
	if on == !w.info.Disabled {
		return true, nil
	}
	if !on {
		s.unloadWatch(c, w)
	} else {
		if err := s.loadWatch(c, w); err != nil {
			return true, err
		}
		// What it held may have changed meanwhile, unwatched.
		if _, err := s.proc.ReadMemory(w.info.Addr, w.old); err != nil {
			s.logf("watchpoint %d: read %#x: %v", id, w.info.Addr, err)
		}
	}
	s.bpMu.Lock()
	w.info.Disabled = !on
	w.info.Value = w.v.WithBytes(w.old).Printed()
	s.bpMu.Unlock()
	return true, nil
}

// watchTrap decides a SIGTRAP that may be a watchpoint's: it reports
// whether it was, and then what to do with the thread. The thread's pc is
// past the instruction that made the access; if that instruction ran in an
// XOL slot, the pc is moved back to the original code first.
func (s *Session) watchTrap(c *target.Ctl, tid int) (bool, target.Action) {
	isWatch, stop := s.watchHit(c, tid)
	if stop == nil {
		return isWatch, target.Resume
	}
	if th := s.threads[tid]; th != nil && th.step != nil {
		s.endStep(c, tid) // a watchpoint ends a step, as a breakpoint does
	}
	return true, s.userStopText(c, tid, stop.Reason, stop.Description, stop.Text, stop.BreakpointIDs, 0)
}

// watchHit reads whether thread tid's SIGTRAP is a watchpoint's and
// decides it: the stop it makes, if any (a Stopped event not sent yet).
// The pc leaves an XOL slot first.
func (s *Session) watchHit(c *target.Ctl, tid int) (isWatch bool, stop *Event) {
	// WatchHit answers at once for a process that never had a watch; a
	// trap of a watchpoint deleted a moment ago must still be told from
	// the program's own SIGTRAP.
	slot, ok, err := c.WatchHit(tid)
	if err != nil || !ok {
		return false, nil
	}
	s.fix(c, tid)
	w := s.watchInSlot(slot)
	if w == nil {
		return true, nil // a watchpoint deleted a moment ago
	}
	text, stops := s.decideWatch(c, tid, w)
	if !stops {
		return true, nil
	}
	return true, &Event{Kind: Stopped, Tid: tid, Reason: ReasonDataBreakpoint,
		Description: fmt.Sprintf("watchpoint %d", w.info.ID), Text: text, BreakpointIDs: []int{w.info.ID}}
}

func (s *Session) watchInSlot(slot int) *watchpoint {
	for _, w := range s.watches {
		for _, sl := range w.slots {
			if sl == slot {
				return w
			}
		}
	}
	return nil
}

// decideWatch decides a trap of w in thread tid: what the stop says
// (gdb's lines: the watchpoint, the old and the new value), and whether
// it stops. A logging watchpoint says it in an Output event and never
// stops.
func (s *Session) decideWatch(c *target.Ctl, tid int, w *watchpoint) (text string, stops bool) {
	now := make([]byte, len(w.old))
	if _, err := s.proc.ReadMemory(w.info.Addr, now); err != nil {
		s.logf("watchpoint %d: read %#x: %v", w.info.ID, w.info.Addr, err)
		return "", false
	}
	changed := !bytes.Equal(now, w.old)
	kind := w.info.Spec.Kind
	if (kind == WatchWrite && !changed) || (kind == WatchRead && changed) {
		copy(w.old, now)
		return "", false
	}
	var condNote string
	if cond := w.info.Spec.Cond; cond != "" {
		ok, err := s.watchCond(c, tid, cond)
		if err == nil && !ok {
			copy(w.old, now)
			return "", false
		}
		if err != nil {
			condNote = fmt.Sprintf("\n(condition %s not evaluated: %v)", cond, err)
		}
	}
	oldText := w.v.WithBytes(w.old).Printed()
	newText := w.v.WithBytes(now).Printed()
	copy(w.old, now)
	s.bpMu.Lock()
	w.info.Hits++
	w.info.Value = newText
	hits := w.info.Hits
	s.bpMu.Unlock()
	if w.hitCond != nil && !w.hitCond.Match(uint64(hits)) {
		return "", false
	}
	if w.info.Spec.Log {
		s.emit(Event{Kind: Output, Tid: tid, Category: "console", LogMessage: true,
			Text: s.watchLogLine(c, tid, w, changed, oldText, newText)})
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d: %s\n\n", kind.Title(), w.info.ID, w.info.Spec.Expr)
	if changed {
		fmt.Fprintf(&b, "Old value = %s\nNew value = %s", oldText, newText)
	} else {
		fmt.Fprintf(&b, "Value = %s", newText)
	}
	b.WriteString(condNote)
	return b.String(), true
}

// watchLogLine is one line of ubpdbg trace --watch.
func (s *Session) watchLogLine(c *target.Ctl, tid int, w *watchpoint, changed bool, oldText, newText string) string {
	where := ""
	if regs, err := c.Regs(tid); err == nil {
		if f, err := s.syms.TopFrame(memReader{s}, &regs); err == nil || f.PC != 0 {
			where = " in " + f.Function
			if f.File != "" {
				where += fmt.Sprintf(" at %s:%d", filepath.Base(f.File), f.Line)
			}
		}
	}
	if changed {
		return fmt.Sprintf("%s: %s -> %s (thread %d%s)\n", w.info.Spec.Expr, oldText, newText, tid, where)
	}
	return fmt.Sprintf("%s: read %s (thread %d%s)\n", w.info.Spec.Expr, newText, tid, where)
}

// watchCond evaluates a watchpoint's condition in frame 0 of the thread
// that trapped.
func (s *Session) watchCond(c *target.Ctl, tid int, cond string) (bool, error) {
	ctx, err := s.frameContext(c, tid, 0, 1)
	if err != nil {
		return false, err
	}
	return ctx.Cond(cond)
}

// watchScopeHit decides a trap at a WatchScope breakpoint: if thread tid
// has returned from the watched local's frame, the watchpoints of that
// frame are deleted, and the thread stops there. It reports the stop.
func (s *Session) watchScopeHit(c *target.Ctl, tid int, ib *breakpoints.Internal, regs regsT) (bool, string) {
	if ib.Tid != tid || regs.Rsp < ib.MinSP {
		return false, "" // another thread, or a deeper recursive call returning
	}
	var ended []string
	for _, id := range s.watchIDs() {
		if w := s.watches[id]; w.scope == ib {
			s.removeWatch(c, w)
			ended = append(ended, fmt.Sprint(id))
			s.emit(Event{Kind: Output, Tid: tid, Category: "console", Text: fmt.Sprintf(
				"\nWatchpoint %d deleted because the program has left the block in\nwhich its expression is valid.\n", id)})
		}
	}
	if len(ended) == 0 {
		return false, ""
	}
	return true, "watchpoint " + strings.Join(ended, ", ") + " out of scope"
}

// watchesThreadGone deletes the watchpoints on the stack of a thread that
// exited (their frames went with it).
func (s *Session) watchesThreadGone(c *target.Ctl, tid int) {
	for _, id := range s.watchIDs() {
		if w := s.watches[id]; w.scope != nil && w.info.ScopeTid == tid {
			s.removeWatch(c, w)
			s.emit(Event{Kind: Output, Category: "console", Text: fmt.Sprintf(
				"Watchpoint %d deleted: thread %d, whose stack held it, exited.\n", id, tid)})
		}
	}
}

// adoptWatches sets again, with their numbers, the watchpoints of an
// earlier run that do not belong to a frame (gdb keeps those over a
// restart; a local's frame is gone). One that cannot be set is said.
func (s *Session) adoptWatches(ws []WatchInfo) {
	for _, w := range ws {
		if w.Scope != "" {
			continue
		}
		spec := w.Spec
		spec.Tid, spec.Frame, spec.Addr = 0, 0, 0
		if _, err := s.addWatch(spec, w.ID); err != nil {
			s.emit(Event{Kind: Output, Category: "important", Text: fmt.Sprintf("watchpoint %d (%s) not set again: %v\n", w.ID, w.Spec.Expr, err)})
			continue
		}
		if w.Disabled {
			s.EnableBreakpoint(w.ID, false)
		}
	}
}

// watchesExec deletes every watchpoint at an exec: the addresses they
// watched belong to the old program.
func (s *Session) watchesExec(c *target.Ctl) {
	for _, id := range s.watchIDs() {
		w := s.watches[id]
		s.removeWatch(c, w)
		s.emit(Event{Kind: Output, Category: "console", Text: fmt.Sprintf(
			"Watchpoint %d (%s) deleted: the program exec'd, and what it watched is gone.\n", id, w.info.Spec.Expr)})
	}
}

// globalContext evaluates without a frame, in the scope of the program's
// main function: globals, types and constants, no locals.
func (s *Session) globalContext() (*eval.Context, error) {
	// main is looked for in the executable first: a lookup over every image
	// would read each library's DWARF (libc's takes over 100 ms) to find a
	// name that is not there.
	var resolvers []func(string) ([]symbols.Location, error)
	if ims := s.syms.Images(); len(ims) > 0 {
		resolvers = append(resolvers, ims[0].Resolve)
	}
	resolvers = append(resolvers, s.syms.Resolve)
	for _, resolve := range resolvers {
		for _, main := range []string{"main.main", "main"} {
			if locs, err := resolve(main); err == nil && len(locs) > 0 {
				frame := symbols.Frame{PC: locs[0].PC, Image: locs[0].Image, Function: locs[0].Function}
				return eval.NewContext(eval.Config{Table: s.syms, Frames: []symbols.Frame{frame}, Mem: readOnlyMem{s}})
			}
		}
	}
	return nil, errors.New("evaluation without a frame needs the program's main function; select a stopped thread's frame")
}

// GlobalContext is an evaluation context without a frame (globals only),
// for a front end that has no stopped thread to evaluate in. Its
// evaluations read memory while the program runs; they never write.
func (s *Session) GlobalContext() (*eval.Context, error) {
	var ctx *eval.Context
	err := s.proc.Do(func(c *target.Ctl) (err error) {
		ctx, err = s.globalContext()
		return err
	})
	return ctx, err
}

// readOnlyMem is the program's memory for evaluations that must not write:
// without a stopped thread an assignment would race the program.
type readOnlyMem struct{ s *Session }

func (m readOnlyMem) ReadMemory(addr uint64, buf []byte) (int, error) {
	return m.s.proc.ReadMemory(addr, buf)
}

func (m readOnlyMem) WriteMemory(uint64, []byte) error {
	return errors.New("no assignments without a frame: select a stopped thread's frame")
}

// keepWatchHit decides, in all-stop mode, a watchpoint trap that another
// thread took while every thread was being stopped, as keepHit does for
// breakpoints: a stop it makes is kept in s.pending. It reports whether ev
// was a watchpoint's.
func (s *Session) keepWatchHit(c *target.Ctl, ev target.Event) bool {
	if (ev.Kind != target.EventTrap && ev.Kind != target.EventStep) || ev.Pid != s.proc.Pid() {
		return false
	}
	if ev.Kind == target.EventTrap {
		if regs, err := c.Regs(ev.Tid); err != nil || s.sites.At(regs.Rip-1) != nil || s.sites.WasRemoved(regs.Rip-1) {
			return false // a breakpoint's
		}
	}
	isWatch, stop := s.watchHit(c, ev.Tid)
	if stop != nil {
		th := s.thread(ev.Tid)
		th.held, th.reason, th.pending = true, stop.Reason, true
		stop.AllStopped = true
		s.pending = append(s.pending, *stop)
	}
	return isWatch
}
