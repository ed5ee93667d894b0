package breakpoints

import "testing"

func TestAddrSet(t *testing.T) {
	var s addrSet
	if s.has(0x401000) {
		t.Fatal("an empty set has an address")
	}
	s.del(0x401000) // nothing to delete: no panic
	addrs := []uint64{0x401000, 0x401001, 0x401fff, 0x402000, 0x7f0000001234}
	for _, a := range addrs {
		s.add(a)
		s.add(a)
	}
	if s.n != len(addrs) {
		t.Errorf("%d addresses, want %d", s.n, len(addrs))
	}
	for _, a := range addrs {
		if !s.has(a) {
			t.Errorf("%#x missing", a)
		}
	}
	if s.has(0x401002) || s.has(0x400fff) {
		t.Error("an address never added is in")
	}
	s.del(0x401001)
	if s.has(0x401001) || !s.has(0x401000) {
		t.Error("del took the wrong address")
	}
	s.deleteIf(func(a uint64) bool { return a >= 0x402000 })
	if s.has(0x402000) || s.has(0x7f0000001234) || !s.has(0x401fff) || s.n != 2 {
		t.Errorf("after deleteIf: n=%d", s.n)
	}
	if len(s.pages) != 1 {
		t.Errorf("%d pages kept, want 1 (empty ones go)", len(s.pages))
	}
}
