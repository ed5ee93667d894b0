package target

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// Hardware watchpoints: the four x86 debug address registers DR0-DR3,
// enabled by DR7 and reported by DR6. They are per thread, and the kernel
// neither copies them to a thread at clone nor clears them at detach, so
// the process keeps one desired set (Process.watches) and every thread is
// brought to it: a stopped thread at once, a running one by an interrupt
// that nobody else sees (its stop loads the registers and resumes it), a
// new thread at its first stop, before it runs a single instruction.

// NumWatchpoints is how many hardware watchpoints x86-64 has.
const NumWatchpoints = 4

// WatchKind is what access a hardware watchpoint traps on. x86 has no
// read-only watch: a read watch is a read/write one whose layer above
// reports only the accesses that did not change the value.
type WatchKind int

const (
	WatchWrite     WatchKind = 1 // DR7 R/W bits 01
	WatchReadWrite WatchKind = 3 // DR7 R/W bits 11
)

// Watch is one debug register's setting. Len is 1, 2, 4 or 8 and Addr
// must be aligned to it; a zero Len means the register is unused.
type Watch struct {
	Addr uint64
	Len  int
	Kind WatchKind
}

// debugRegOffset is offsetof(struct user, u_debugreg) on x86-64, from
// <sys/user.h>: regs (27*8), u_fpvalid and padding (8), i387 (512), three
// sizes (24), start_code and start_stack (16), signal (8), reserved and
// padding (8), u_ar0, u_fpstate, magic (24), u_comm[32]. The test
// TestDebugRegOffset checks it against the header with gcc.
const debugRegOffset = 848

func debugRegAddr(i int) uintptr { return uintptr(debugRegOffset + 8*i) }

// dr7 is the control register value that enables ws.
func dr7(ws [NumWatchpoints]Watch) uint64 {
	var v uint64
	for i, w := range ws {
		if w.Len == 0 {
			continue
		}
		lenBits := map[int]uint64{1: 0, 2: 1, 4: 3, 8: 2}[w.Len]
		v |= 1 << (2 * i) // local enable
		v |= (uint64(w.Kind)&3 | lenBits<<2) << (16 + 4*i)
	}
	return v
}

func pokeDebugReg(tid, i int, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	_, err := unix.PtracePokeUser(tid, debugRegAddr(i), b[:])
	return err
}

func peekDebugReg(tid, i int) (uint64, error) {
	var b [8]byte
	if _, err := unix.PtracePeekUser(tid, debugRegAddr(i), b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// loadDebugRegs writes ws into a stopped thread. DR7 is cleared first: the
// kernel checks every address it is given against the enabled lengths.
func loadDebugRegs(tid int, ws [NumWatchpoints]Watch) error {
	if err := pokeDebugReg(tid, 7, 0); err != nil {
		return err
	}
	for i, w := range ws {
		if w.Len != 0 {
			if err := pokeDebugReg(tid, i, w.Addr); err != nil {
				return err
			}
		}
	}
	if v := dr7(ws); v != 0 {
		return pokeDebugReg(tid, 7, v)
	}
	return nil
}

// SetWatch sets (or, with a zero Watch, clears) debug register slot on
// every thread. Stopped threads get it now; running threads are
// interrupted to load it and resumed, unseen by the Handler; SetWatch
// does not wait for them, so a write in the next microseconds may be
// missed by a thread that was running.
func (c *Ctl) SetWatch(slot int, w Watch) error {
	p := c.p
	if p.state != psAlive {
		return p.goneErrOnLoop()
	}
	if slot < 0 || slot >= NumWatchpoints {
		return fmt.Errorf("debug register %d: there are only %d", slot, NumWatchpoints)
	}
	switch w.Len {
	case 0:
		w = Watch{}
	case 1, 2, 4, 8:
		if w.Addr%uint64(w.Len) != 0 {
			return fmt.Errorf("watch %#x: not aligned to its length %d", w.Addr, w.Len)
		}
		if w.Kind != WatchWrite && w.Kind != WatchReadWrite {
			return fmt.Errorf("watch %#x: unknown kind %d", w.Addr, w.Kind)
		}
	default:
		return fmt.Errorf("watch %#x: length %d (x86 watches 1, 2, 4 or 8 bytes)", w.Addr, w.Len)
	}
	p.watches[slot] = w
	p.guardWatches()
	var first error
	for _, t := range p.threads {
		if t.pid != p.pid {
			continue // a vfork child: it shares our memory, not our registers
		}
		switch t.state {
		case tsStopped:
			if err := loadDebugRegs(t.tid, p.watches); err != nil && first == nil && err != unix.ESRCH {
				first = p.opErr(t, err)
			}
			t.dregsStale = false
			t.dregsSet = t.dregsSet || w.Len != 0
		case tsRunning, tsListening:
			t.dregsStale = true
			p.nudge(t)
		case tsNew:
			t.dregsStale = true // its first stop loads them
		}
	}
	return first
}

// Watches returns the debug register settings.
func (c *Ctl) Watches() [NumWatchpoints]Watch { return c.p.watches }

// WatchHit reports which debug register trapped at a stopped thread's
// current SIGTRAP (DR6 bits 0-3), and clears DR6 so that the next trap is
// not mistaken for this one. ok is false for any other trap. The trap
// comes after the access: pc is past the instruction.
func (c *Ctl) WatchHit(tid int) (slot int, ok bool, err error) {
	t, err := c.stopped(tid)
	if err != nil {
		return 0, false, err
	}
	if c.p.watches == ([NumWatchpoints]Watch{}) && !t.dregsSet {
		return 0, false, nil // never had any: the hot path of int3 hits
	}
	dr6, err := peekDebugReg(tid, 6)
	if err != nil {
		return 0, false, c.p.opErr(t, err)
	}
	if dr6&0xf == 0 {
		return 0, false, nil
	}
	if err := pokeDebugReg(tid, 6, 0); err != nil {
		return 0, false, c.p.opErr(t, err)
	}
	for i := 0; i < NumWatchpoints; i++ {
		if dr6&(1<<i) != 0 {
			return i, true, nil
		}
	}
	return 0, false, nil
}

// syncDebugRegs brings a thread that just stopped to the process's set.
func (p *Process) syncDebugRegs(t *thread) {
	if !t.dregsStale {
		return
	}
	t.dregsStale = false
	if loadDebugRegs(t.tid, p.watches) == nil {
		// Once set, always set: the stop that loads an emptied set may
		// be the trap of a watch cleared a moment ago, and WatchHit must
		// still read DR6 to tell it from the program's own SIGTRAP.
		t.dregsSet = t.dregsSet || p.watches != [NumWatchpoints]Watch{}
	}
}

// clearDebugRegs takes every watch out of a stopped thread before it is
// let go: the kernel would keep trapping it, and the SIGTRAP would kill
// a program without a debugger.
func (p *Process) clearDebugRegs(t *thread) {
	if p.watches == ([NumWatchpoints]Watch{}) && !t.dregsSet {
		return
	}
	_ = pokeDebugReg(t.tid, 7, 0)
	_ = pokeDebugReg(t.tid, 6, 0)
}
