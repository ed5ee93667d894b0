// Package breakpoints keeps user breakpoints, the debugger's internal
// breakpoints and the int3 sites they resolve to. It evaluates nothing in
// the program: on a hit the session evaluates a breakpoint's condition and
// Breakpoint.Hit records the hit and says what it comes to.
package breakpoints

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/ubpdbg/ubpdbg/target"
	"github.com/ubpdbg/ubpdbg/xol/x86"
)

const int3 = 0xcc

// Site is one int3 in the code. Sites are shared: every breakpoint (user or
// internal) at an address uses the one site there.
type Site struct {
	Addr     uint64
	orig     byte          // the byte the int3 replaced
	insn     *analysis     // the displaced instruction, analysed at the first hit
	users    []*Breakpoint // user breakpoints at this address
	internal *[]*Internal  // stepping breakpoints (thread-specific); few sites have any
}

// analysis is what Sites.Insn found of a site's instruction.
type analysis struct {
	insn *x86.Insn
	bad  error // why it cannot be analysed
}

// Sites is the table of int3s in one process. It is used on the ptrace
// thread only.
type Sites struct {
	sites        map[uint64]*Site
	removed      addrSet          // addresses whose int3 was taken out
	batch        *pageBatch       // pages read ahead for many insertions
	withInternal map[uint64]*Site // the sites that have internal breakpoints
}

// NewSites returns an empty table.
func NewSites() *Sites {
	return &Sites{sites: map[uint64]*Site{}, withInternal: map[uint64]*Site{}}
}

// At returns the site at addr, or nil.
func (s *Sites) At(addr uint64) *Site { return s.sites[addr] }

// Len is the number of sites.
func (s *Sites) Len() int { return len(s.sites) }

// All returns the sites sorted by address.
func (s *Sites) All() []*Site {
	out := make([]*Site, 0, len(s.sites))
	for _, st := range s.sites {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// WasRemoved reports whether addr held an int3 of ours that was taken out:
// a thread may still report its trap (it hit the int3 just before), and
// must then be rewound to addr and resumed as if nothing happened.
func (s *Sites) WasRemoved(addr uint64) bool {
	return s.removed.has(addr)
}

// ErrNotCode is returned for an address whose byte is already an int3 (the
// program's own) or that cannot be read or written.
var ErrNotCode = errors.New("cannot place a breakpoint there")

// get returns the site at addr, inserting its int3 if it is new.
func (s *Sites) get(c *target.Ctl, addr uint64) (*Site, error) {
	if st := s.sites[addr]; st != nil {
		return st, nil
	}
	var b [1]byte
	page := s.batch.page(addr)
	batched := page != nil
	if batched {
		b[0] = page.buf[addr&pageMask]
	} else if _, err := c.Process().ReadMemory(addr, b[:]); err != nil {
		return nil, fmt.Errorf("%#x: %w: %v", addr, ErrNotCode, err)
	}
	if b[0] == int3 {
		return nil, fmt.Errorf("%#x: %w: the program has an int3 of its own there", addr, ErrNotCode)
	}
	if batched {
		page.buf[addr&pageMask] = int3
		page.dirty = true
		s.batch.placed = append(s.batch.placed, addr)
	} else if err := c.WriteMemory(addr, []byte{int3}); err != nil {
		return nil, fmt.Errorf("%#x: %w: %v", addr, ErrNotCode, err)
	} else {
		c.GuardSites([]uint64{addr}, b[:])
	}
	st := &Site{Addr: addr, orig: b[0]}
	s.sites[addr] = st
	s.removed.del(addr)
	return st, nil
}

// release takes the int3 out if nothing uses the site any more.
func (s *Sites) release(c *target.Ctl, st *Site) error {
	if len(st.users) > 0 || len(st.Internals()) > 0 {
		return nil
	}
	delete(s.sites, st.Addr)
	s.removed.add(st.Addr)
	if err := c.WriteMemory(st.Addr, []byte{st.orig}); err != nil {
		return err
	}
	c.UnguardSite(st.Addr)
	return nil
}

// Insn returns the instruction under the site's int3, analysed once: the
// bytes are read from memory with every int3 of ours replaced by the byte
// it covers (a neighbouring site may lie inside the instruction).
func (s *Sites) Insn(c *target.Ctl, st *Site) (*x86.Insn, error) {
	if st.insn != nil {
		return st.insn.insn, st.insn.bad
	}
	buf := make([]byte, 16)
	n, _ := c.Process().ReadMemory(st.Addr, buf)
	buf = buf[:n]
	for i := range buf {
		if o := s.sites[st.Addr+uint64(i)]; o != nil {
			buf[i] = o.orig
		}
	}
	in, err := x86.Analyze(buf, st.Addr)
	if err != nil {
		st.insn = &analysis{bad: fmt.Errorf("breakpoint at %#x: %w", st.Addr, err)}
		return nil, st.insn.bad
	}
	st.insn = &analysis{insn: in}
	return in, nil
}

// Original returns the program's own bytes at [addr, addr+len(buf)),
// with our int3s replaced by what they cover.
func (s *Sites) Original(addr uint64, buf []byte) {
	for i := range buf {
		if o := s.sites[addr+uint64(i)]; o != nil {
			buf[i] = o.orig
		}
	}
}

// RemoveAll takes every int3 out (before a detach).
func (s *Sites) RemoveAll(c *target.Ctl) error {
	var first error
	for addr, st := range s.sites {
		if err := c.WriteMemory(addr, []byte{st.orig}); err != nil && first == nil {
			first = err
		}
		s.removed.add(addr)
	}
	s.sites = map[uint64]*Site{}
	s.withInternal = map[uint64]*Site{}
	return first
}

// CleanChild writes the original bytes into a fork child's copy of the
// text, so that the child, which we do not follow, never meets an int3.
func (s *Sites) CleanChild(c *target.Ctl, child int) error {
	var first error
	for addr, st := range s.sites {
		if err := c.WriteChildMemory(child, addr, []byte{st.orig}); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Reset forgets every site without touching memory (after an exec the old
// text is gone).
func (s *Sites) Reset() {
	s.sites = map[uint64]*Site{}
	s.removed = addrSet{}
	s.withInternal = map[uint64]*Site{}
}

// Users returns the user breakpoints at a site.
func (st *Site) Users() []*Breakpoint { return st.users }

// Orig is the program's byte under the int3.
func (st *Site) Orig() byte { return st.orig }

// Many breakpoints at once (a million, for a trace of every line) cannot
// afford two system calls each. A batch reads every page of code they fall
// in once, puts the int3s into those copies, and writes each changed page
// back once. Writing a whole page over code that other threads run is safe
// for the same reason a one-byte int3 is: every other byte is written with
// the value it already has.

const pageSize = 4096
const pageMask = pageSize - 1

type pageBatch struct {
	pages  map[uint64]*batchPage // by page address; nil: unreadable
	last   *batchPage            // the page of the last lookup: addresses come in order
	placed []uint64              // the int3s put into the pages, for the guardian
}

type batchPage struct {
	addr  uint64
	buf   []byte
	dirty bool
}

// page returns the batch's copy of addr's page, or nil (no batch, or the
// page is not in it).
func (b *pageBatch) page(addr uint64) *batchPage {
	if b == nil {
		return nil
	}
	if p := b.last; p != nil && p.addr == addr&^pageMask {
		return p
	}
	p := b.pages[addr&^pageMask]
	if p != nil {
		b.last = p
	}
	return p
}

// Batch starts a batch for insertions at addrs: their pages are read now,
// and the int3s placed until Flush are written then.
func (s *Sites) Batch(c *target.Ctl, addrs []uint64) {
	b := &pageBatch{pages: map[uint64]*batchPage{}}
	var pages []uint64
	last := ^uint64(0)
	for _, a := range addrs {
		pg := a &^ pageMask
		if pg == last {
			continue
		}
		last = pg
		if _, ok := b.pages[pg]; !ok {
			b.pages[pg] = nil
			pages = append(pages, pg)
		}
	}
	slices.Sort(pages)
	for i := 0; i < len(pages); {
		j := i + 1
		for j < len(pages) && pages[j] == pages[j-1]+pageSize {
			j++
		}
		buf := make([]byte, (j-i)*pageSize)
		n, _ := c.Process().ReadMemory(pages[i], buf)
		for k := i; k < j; k++ {
			off := (k - i) * pageSize
			if off+pageSize <= n {
				b.pages[pages[k]] = &batchPage{addr: pages[k], buf: buf[off : off+pageSize : off+pageSize]}
			} else {
				delete(b.pages, pages[k]) // unreadable: the slow path says why
			}
		}
		i = j
	}
	s.batch = b
}

// Flush writes the pages a batch changed, one write per run of adjacent
// pages, and ends the batch.
func (s *Sites) Flush(c *target.Ctl) error {
	b := s.batch
	s.batch = nil
	if b == nil {
		return nil
	}
	var pages []uint64
	for a, p := range b.pages {
		if p != nil && p.dirty {
			pages = append(pages, a)
		}
	}
	slices.Sort(pages)
	var first error
	for i := 0; i < len(pages); {
		j := i + 1
		for j < len(pages) && pages[j] == pages[j-1]+pageSize {
			j++
		}
		buf := make([]byte, 0, (j-i)*pageSize)
		for k := i; k < j; k++ {
			buf = append(buf, b.pages[pages[k]].buf...)
		}
		if err := c.WriteMemory(pages[i], buf); err != nil {
			// The int3s this batch put in those pages are not in:
			// forget their sites (sites placed before are still in).
			for _, a := range b.placed {
				if st := s.sites[a]; st != nil && a >= pages[i] && a < pages[j-1]+pageSize {
					delete(s.sites, a)
					for _, u := range st.users {
						u.dropLocation(a, fmt.Sprintf("cannot write an int3 at %#x: %v", a, err))
					}
				}
			}
			if first == nil {
				first = err
			}
		}
		i = j
	}
	s.guardPlaced(c, b.placed)
	return first
}

// guardPlaced tells the target's guardian (target.Ctl.GuardSites) of the
// int3s a batch placed that made it into memory.
func (s *Sites) guardPlaced(c *target.Ctl, placed []uint64) {
	addrs := make([]uint64, 0, len(placed))
	origs := make([]byte, 0, len(placed))
	for _, a := range placed {
		if st := s.sites[a]; st != nil {
			addrs = append(addrs, a)
			origs = append(origs, st.orig)
		}
	}
	c.GuardSites(addrs, origs)
}
