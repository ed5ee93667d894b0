package debugger

import (
	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// Breakpoints follow the program's libraries as gdb's do: at every change
// the dynamic linker reports, a breakpoint gains its locations in the
// images that were loaded (so `break calloc` set at the entry stop, where
// only ld.so's inlined copies exist, also gets libc's calloc when libc
// comes) and loses those in the images that were unloaded, whose int3s
// went with their memory. A breakpoint left without locations is pending
// again and comes back at the next load of a library that has it.

// librariesChanged runs when the dynamic linker reports a change.
func (s *Session) librariesChanged(c *target.Ctl) {
	s.codeCheck = nil // the mappings and the functions are not the same
	ch, err := s.syms.Update()
	if err != nil {
		s.logf("reload symbols: %v", err)
	}
	if len(ch.Removed) > 0 {
		s.imagesUnloaded(ch.Removed)
	}
	if len(ch.Added) > 0 {
		s.imagesLoaded(c, ch.Added)
	}
	s.emit(Event{Kind: ModulesChanged})
}

// imagesUnloaded forgets every int3 in the unmapped images, without
// writing there, and takes their locations from the breakpoints.
func (s *Session) imagesUnloaded(gone []*symbols.Image) {
	in := func(addr uint64) bool {
		for _, im := range gone {
			if im.Contains(addr) {
				return true
			}
		}
		return false
	}
	s.sites.Unmapped(in)
	for _, id := range s.sortedIDs() {
		bp := s.bps.get(id)
		if n := s.sites.DropLocations(bp, in, "its library was unloaded (pending: it is placed again if a library that has it is loaded)"); n > 0 {
			s.logf("breakpoint %d: %d locations unloaded", id, n)
			s.emit(Event{Kind: BreakpointChanged, BreakpointID: id})
		}
	}
}

// imagesLoaded adds, for every breakpoint, the locations it has in the
// new images, placing all their int3s in one batch.
func (s *Session) imagesLoaded(c *target.Ctl, added []*symbols.Image) {
	ids := s.sortedIDs()
	found := make([][]breakpoints.Location, len(ids))
	var addrs []uint64
	for i, id := range ids {
		resolveIn := symbols.ResolveIn
		if s.bps.get(id).Spec().Catch != "" {
			resolveIn = symbols.ResolveLinesIn // at the entry: see CatchCxx
		}
		locs, err := resolveIn(added, s.bps.get(id).Spec().Location)
		if err != nil {
			continue // not in these images: the usual case
		}
		found[i] = toBreakpointLocations(locs)
		for _, l := range found[i] {
			addrs = append(addrs, l.Addr)
		}
	}
	if len(addrs) == 0 {
		return
	}
	s.sites.Batch(c, addrs)
	for i, id := range ids {
		if found[i] == nil {
			continue
		}
		n, err := s.sites.AddLocations(c, s.bps.get(id), found[i])
		if err != nil {
			s.logf("breakpoint %d: %v", id, err)
		}
		if n > 0 {
			s.logf("breakpoint %d: %d locations in a library just loaded", id, n)
			s.emit(Event{Kind: BreakpointChanged, BreakpointID: id})
		}
	}
	if err := s.sites.Flush(c); err != nil {
		s.logf("placing breakpoints: %v", err)
	}
}
