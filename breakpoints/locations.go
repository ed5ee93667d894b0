package breakpoints

import (
	"sort"

	"github.com/ubpdbg/ubpdbg/target"
)

// Breakpoints follow the program: when a library is loaded a breakpoint
// gains the locations it has there (AddLocations), when one is unloaded
// it loses those (Unmapped, DropLocations), as gdb re-sets its
// breakpoints at every change of the library list. Hits are also counted
// per location, so that a trace can say which copy was hit how often, even
// of a library that is gone by the end: the count is in the Location
// itself (no memory per breakpoint beyond its locations: a million must
// fit), and goes with it into the unloaded list.

// countAt counts one hit at addr (Hit, on the ptrace thread). Locations
// are sorted by address; a linear search covers any that are not.
func (bp *Breakpoint) countAt(addr uint64) {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	locs := bp.locations
	i := sort.Search(len(locs), func(i int) bool { return locs[i].Addr >= addr })
	if i < len(locs) && locs[i].Addr == addr {
		locs[i].Hits++
		return
	}
	for i := range locs {
		if locs[i].Addr == addr {
			locs[i].Hits++
			return
		}
	}
}

// SetPending marks the breakpoint as not placed because its location
// matches nothing yet: a library loaded later may have it.
func (bp *Breakpoint) SetPending(msg string) {
	bp.mu.Lock()
	bp.verified, bp.locations, bp.pending = false, nil, true
	bp.setMessage(msg)
	bp.mu.Unlock()
}

// Unmapped forgets every site whose code is no longer mapped (gone
// reports the addresses of a dlclose'd library) without writing to it:
// the memory is not there any more, and whatever is mapped there next
// must not get the bytes we saved. Nothing is remembered as removed
// either, so an int3 of the next library at such an address is its own.
// The breakpoints' locations there go with DropLocations.
func (s *Sites) Unmapped(gone func(addr uint64) bool) {
	for addr := range s.sites {
		if gone(addr) {
			delete(s.sites, addr)
			delete(s.withInternal, addr)
		}
	}
	s.removed.deleteIf(gone)
}

// DropLocations takes away the breakpoint's locations for which gone is
// true (code that was unmapped), keeping them with their hits as
// unloaded, and returns how many went. A site still in the table at such
// an address is let go of without writing memory; call Unmapped first to
// forget the sites themselves. A breakpoint left without locations is
// pending again, with msg as the reason.
func (s *Sites) DropLocations(bp *Breakpoint, gone func(addr uint64) bool, msg string) int {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	var kept, dropped []Location
	for _, l := range bp.locations {
		if gone(l.Addr) {
			dropped = append(dropped, l)
		} else {
			kept = append(kept, l)
		}
	}
	if len(dropped) == 0 {
		return 0
	}
	for _, l := range dropped {
		if st := s.sites[l.Addr]; st != nil {
			st.users = without(st.users, bp)
		}
		bp.addUnloaded(l)
	}
	bp.locations = kept
	if len(kept) == 0 {
		bp.verified, bp.pending = false, true
		bp.setMessage(msg)
	}
	return len(dropped)
}

// addUnloaded records a location that went with its hits, adding them to
// an earlier one of the same place (a library unloaded again from the
// same address). Caller holds bp.mu.
func (bp *Breakpoint) addUnloaded(l Location) {
	x := bp.more()
	for i, u := range x.unloaded {
		if u.Addr == l.Addr && u.Function == l.Function && u.File == l.File && u.Line == l.Line {
			x.unloaded[i].Hits += l.Hits
			return
		}
	}
	x.unloaded = append(x.unloaded, l)
}

// AddLocations places the breakpoint at those of locs it does not have
// yet (a library that has it was loaded) and returns how many it got. A
// location that cannot take an int3 is skipped; the first such error is
// returned, and is the breakpoint's message if it has no location at all.
func (s *Sites) AddLocations(c *target.Ctl, bp *Breakpoint, locs []Location) (int, error) {
	have := map[uint64]bool{}
	for _, l := range bp.locations {
		have[l.Addr] = true
	}
	var added []Location
	var firstErr error
	for _, l := range locs {
		if have[l.Addr] {
			continue
		}
		have[l.Addr] = true
		if err := s.attach(c, bp, l.Addr); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		added = append(added, l)
	}
	bp.mu.Lock()
	defer bp.mu.Unlock()
	if len(added) > 0 {
		all := append(append([]Location(nil), bp.locations...), added...)
		sort.SliceStable(all, func(i, j int) bool { return all[i].Addr < all[j].Addr })
		bp.locations, bp.verified, bp.pending = all, true, false
		bp.setMessage("")
	} else if firstErr != nil && len(bp.locations) == 0 {
		bp.pending = false
		bp.setMessage(firstErr.Error())
	}
	return len(added), firstErr
}

// dropLocation takes away the location at addr, whose int3 could not be
// written; a breakpoint left without any is unverified, with msg.
func (bp *Breakpoint) dropLocation(addr uint64, msg string) {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	kept := bp.locations[:0:0]
	for _, l := range bp.locations {
		if l.Addr != addr {
			kept = append(kept, l)
		}
	}
	bp.locations = kept
	if len(kept) == 0 {
		bp.verified, bp.pending = false, false
		bp.setMessage(msg)
	}
}

func without(bps []*Breakpoint, bp *Breakpoint) []*Breakpoint {
	kept := bps[:0]
	for _, u := range bps {
		if u != bp {
			kept = append(kept, u)
		}
	}
	return kept
}
