package debugger

import "github.com/ubpdbg/ubpdbg/breakpoints"

// bpTable holds the session's user breakpoints by number. Numbers are
// given in increasing order (shared with watchpoints and catchpoints, so
// there are holes), and a slice indexed by number costs 8 bytes a
// breakpoint where a map costs about 40, and is in order already: a
// trace of every instruction can hold a million.
type bpTable struct {
	byID []*breakpoints.Breakpoint // index: number
	n    int                       // non-nil entries
}

func (t *bpTable) get(id int) *breakpoints.Breakpoint {
	if id < 0 || id >= len(t.byID) {
		return nil
	}
	return t.byID[id]
}

func (t *bpTable) put(bp *breakpoints.Breakpoint) {
	id := bp.ID()
	if id >= len(t.byID) {
		t.byID = append(t.byID, make([]*breakpoints.Breakpoint, id+1-len(t.byID))...)
	}
	if t.byID[id] == nil {
		t.n++
	}
	t.byID[id] = bp
}

func (t *bpTable) remove(id int) {
	if t.get(id) == nil {
		return
	}
	t.byID[id] = nil
	t.n--
	for len(t.byID) > 0 && t.byID[len(t.byID)-1] == nil {
		t.byID = t.byID[:len(t.byID)-1]
	}
	if t.n == 0 {
		t.byID = nil // give the memory back once all are gone
	}
}

// ids are the numbers in order.
func (t *bpTable) ids() []int {
	ids := make([]int, 0, t.n)
	for id, bp := range t.byID {
		if bp != nil {
			ids = append(ids, id)
		}
	}
	return ids
}
