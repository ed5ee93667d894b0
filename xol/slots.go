package xol

import (
	"errors"
	"fmt"
	"sort"

	"github.com/ubpdbg/ubpdbg/internal/procmaps"
	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol/x86"
	"golang.org/x/sys/unix"
)

// The slot area: why one slot per thread per neighbourhood.
//
// The choices are a slot per breakpoint (memory grows with breakpoints: a
// million would need 32 MB in the target), a shared pool with stealing
// (locks, and a slot stolen from a thread still inside it), and a slot per
// thread. We take a slot per thread, per area: a thread only ever runs its
// own slot, and it is stopped whenever we write that slot, so a slot is
// never rewritten while anyone is inside it (which boosting requires), no
// thread ever waits for another's slot, and the memory grows with threads
// (32 bytes each), never with breakpoints. The cost of a slot per thread,
// a copy per hit, is avoided by remembering which instruction each slot
// holds: a thread that hits the same breakpoint again (the common case: a
// hot function) reuses its slot without a write.
//
// An area is one anonymous mapping of areaSize bytes, mapped read+execute
// by an mmap system call injected into a stopped thread and written only
// through /proc/PID/mem (never writable and executable at once). Areas are
// placed within +-2 GiB of the code they serve, so RIP-relative operands
// and the jmp back are plain rel32s; each neighbourhood (the executable,
// the libraries high in the address space) gets its own areas.

const (
	areaSize  = 64 << 10
	areaSlots = areaSize / x86.SlotSize
	// reach is how far an area may be from the code it serves, leaving room
	// for the area itself and a RIP-relative target a little further away.
	reach = 1<<31 - 4*areaSize - 1<<20
)

type area struct {
	base uint64
	free []int // released slot indices
	next int   // first never-used index
}

func (a *area) alloc() (int, bool) {
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		return i, true
	}
	if a.next < areaSlots {
		a.next++
		return a.next - 1, true
	}
	return 0, false
}

// slot is one thread's slot in one area.
type slot struct {
	area  *area
	index int
	addr  uint64
	holds *x86.Insn // the instruction the slot holds now (nil: empty)
}

func near(a, b uint64) bool {
	d := int64(a - b)
	return d > -reach && d < reach
}

// areaFor finds or maps an area that can serve in (its code, the jmp
// back, its RIP-relative target).
func (r *Runtime) areaFor(c *target.Ctl, tid int, in *x86.Insn, thr *xthread) (*area, *slot, error) {
	fits := func(a *area) bool {
		return near(a.base, in.Addr) && (in.RIPDispOff < 0 || near(a.base, in.RIPTarget))
	}
	for _, s := range thr.slots {
		if fits(s.area) {
			return s.area, s, nil
		}
	}
	for _, a := range r.areas {
		if fits(a) && (len(a.free) > 0 || a.next < areaSlots) {
			return a, nil, nil
		}
	}
	a, err := r.mapArea(c, tid, in)
	if err != nil {
		return nil, nil, err
	}
	return a, nil, nil
}

// mapArea maps a new area near in.Addr by injecting mmap into the stopped
// thread tid. It tries the free gaps of /proc/PID/maps closest to the code,
// with MAP_FIXED_NOREPLACE so that nothing of the program's is ever
// replaced.
func (r *Runtime) mapArea(c *target.Ctl, tid int, in *x86.Insn) (*area, error) {
	if r.noAreas != nil {
		return nil, r.noAreas
	}
	pid := c.Process().Pid()
	gaps, err := freeGaps(pid)
	if err != nil {
		return nil, err
	}
	target := in.Addr
	var cands []uint64
	for _, g := range gaps {
		if g.hi-g.lo < areaSize {
			continue
		}
		// The end of the gap closest to the code, page aligned.
		var at uint64
		if g.hi <= target {
			at = (g.hi - areaSize) &^ 0xfff
		} else if g.lo >= target {
			at = (g.lo + 0xfff) &^ 0xfff
		} else {
			at = (target &^ 0xfff)
			if at+areaSize > g.hi {
				at = (g.hi - areaSize) &^ 0xfff
			}
		}
		if at < g.lo || at+areaSize > g.hi || at < 1<<16 {
			continue
		}
		if near(at, in.Addr) && (in.RIPDispOff < 0 || near(at, in.RIPTarget)) {
			cands = append(cands, at)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return dist(cands[i], target) < dist(cands[j], target) })
	for i, at := range cands {
		if i >= 8 {
			break
		}
		ret, err := c.InjectSyscall(tid, unix.SYS_MMAP, at, areaSize, unix.PROT_READ|unix.PROT_EXEC,
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED_NOREPLACE, ^uint64(0), 0)
		if err != nil {
			return nil, fmt.Errorf("map XOL area: %w", err)
		}
		if errno := unix.Errno(-int64(ret)); int64(ret) < 0 && (errno == unix.EPERM || errno == unix.EACCES) {
			// Refused for any address (a seccomp filter, SELinux's
			// execmem, a W^X policy): the program gets no areas, and every
			// breakpoint is stepped in place with the others stopped.
			r.noAreas = &NoAreasError{Errno: errno}
			return nil, r.noAreas
		}
		if int64(ret) < 0 || ret != at {
			continue // taken meanwhile: try the next gap
		}
		a := &area{base: at}
		r.areas = append(r.areas, a)
		r.Stats.AreasMapped++
		return a, nil
	}
	return nil, fmt.Errorf("no free address within 2 GiB of %#x for an XOL area", in.Addr)
}

func dist(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

type gap struct{ lo, hi uint64 }

// freeGaps lists the unmapped ranges of a process's address space below the
// top of user space.
func freeGaps(pid int) ([]gap, error) {
	ms, err := procmaps.Read(pid)
	if err != nil {
		return nil, err
	}
	var gaps []gap
	prev := uint64(1 << 16) // mmap_min_addr
	for _, m := range ms {
		if m.Start > prev {
			gaps = append(gaps, gap{prev, m.Start})
		}
		if m.End > prev {
			prev = m.End
		}
	}
	const userTop = 1<<47 - 1<<12
	if prev < userTop {
		gaps = append(gaps, gap{prev, userTop})
	}
	return gaps, nil
}

// slotFor returns the thread's slot for in, allocating (and mapping an
// area) on first use in that neighbourhood.
func (r *Runtime) slotFor(c *target.Ctl, tid int, in *x86.Insn) (*slot, error) {
	thr := r.thread(tid)
	a, s, err := r.areaFor(c, tid, in, thr)
	if err != nil {
		return nil, err
	}
	if s != nil {
		return s, nil
	}
	i, ok := a.alloc()
	if !ok {
		return nil, errors.New("XOL area full") // areaFor only returns areas with room
	}
	s = &slot{area: a, index: i, addr: a.base + uint64(i)*x86.SlotSize}
	thr.slots = append(thr.slots, s)
	return s, nil
}

// NoAreasError says that the program refuses to map executable memory, so
// no instruction can run out of line in it. It is an ErrRefused: callers
// step in place instead.
type NoAreasError struct{ Errno unix.Errno }

func (e *NoAreasError) Error() string {
	return fmt.Sprintf("the program refuses executable memory (mmap with PROT_EXEC: %v; a seccomp filter or a security policy?): "+
		"breakpoints are passed by stepping in place with the other threads stopped, which is slower", e.Errno)
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *NoAreasError) Unwrap() error { return ErrRefused }
