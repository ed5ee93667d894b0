package breakpoints

import "math/bits"

// addrSet is a set of code addresses, as a bitmap per page: the addresses
// whose int3 was taken out are remembered for good (a thread may report
// its trap there late), and after a million breakpoints were removed a
// map of them would hold tens of megabytes where the bitmaps of their
// pages hold a few hundred kilobytes.
type addrSet struct {
	pages map[uint64]*[pageSize / 64]uint64
	n     int
}

func (s *addrSet) add(a uint64) {
	if s.pages == nil {
		s.pages = map[uint64]*[pageSize / 64]uint64{}
	}
	p := s.pages[a&^pageMask]
	if p == nil {
		p = new([pageSize / 64]uint64)
		s.pages[a&^pageMask] = p
	}
	w, bit := (a&pageMask)/64, uint64(1)<<(a%64)
	if p[w]&bit == 0 {
		p[w] |= bit
		s.n++
	}
}

func (s *addrSet) has(a uint64) bool {
	p := s.pages[a&^pageMask]
	return p != nil && p[(a&pageMask)/64]&(1<<(a%64)) != 0
}

func (s *addrSet) del(a uint64) {
	if s.n == 0 {
		return
	}
	p := s.pages[a&^pageMask]
	if p == nil {
		return
	}
	w, bit := (a&pageMask)/64, uint64(1)<<(a%64)
	if p[w]&bit != 0 {
		p[w] &^= bit
		s.n--
	}
}

// deleteIf takes out the addresses for which gone is true.
func (s *addrSet) deleteIf(gone func(addr uint64) bool) {
	for page, p := range s.pages {
		empty := true
		for w, word := range p {
			for word != 0 {
				b := uint64(bits.TrailingZeros64(word))
				word &^= 1 << b
				if a := page + uint64(w)*64 + b; gone(a) {
					s.del(a)
				}
			}
			empty = empty && p[w] == 0
		}
		if empty {
			delete(s.pages, page)
		}
	}
}
