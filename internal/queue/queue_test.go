package queue

import (
	"sync"
	"testing"
)

func TestOrderAndClose(t *testing.T) {
	q := New[int]()
	var wg sync.WaitGroup
	const n = 10000
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			q.Push(i)
		}
		q.Close()
		q.Push(-1) // dropped after Close
	}()
	next := 0
	for v := range q.Out() {
		if v != next {
			t.Fatalf("got %d, want %d", v, next)
		}
		next++
	}
	wg.Wait()
	if next != n {
		t.Fatalf("got %d values, want %d", next, n)
	}
}

// TestLimit: a consumer that does not read while 100,000 droppable values
// and 1,000 others are pushed. The queue holds no more droppable values
// than its limit, keeps every other value in order, and then delivers a
// note with the exact count of what it dropped.
func TestLimit(t *testing.T) {
	type v struct {
		n         int
		droppable bool
		note      int
	}
	q := New[v]()
	const limit = 500
	q.Limit(Limits[v]{Count: limit, Bytes: 1 << 30, Droppable: func(x v) (int, bool) { return 8, x.droppable },
		Note: func(n int) v { return v{note: n} }})
	kept := 0
	for i := 0; i < 100000; i++ {
		q.Push(v{n: i, droppable: true})
		if i%100 == 0 {
			q.Push(v{n: -i}) // never dropped
		}
	}
	q.Close()
	var got []v
	for x := range q.Out() {
		got = append(got, x)
	}
	others, notes, last := 0, 0, 0
	for _, x := range got {
		switch {
		case x.note > 0:
			notes += x.note
		case x.droppable:
			kept++
			if x.n < last {
				t.Fatalf("out of order: %d after %d", x.n, last)
			}
			last = x.n
		default:
			others++
		}
	}
	if others != 1000 {
		t.Errorf("%d other values delivered, want 1000", others)
	}
	if kept > limit || kept == 0 {
		t.Errorf("%d droppable values kept, want 1..%d", kept, limit)
	}
	if kept+notes != 100000 || q.Dropped() != notes {
		t.Errorf("kept %d + dropped %d (Dropped %d) != 100000", kept, notes, q.Dropped())
	}
	if got[len(got)-1].note == 0 {
		t.Errorf("the last value is not the note: %+v", got[len(got)-1])
	}
}

// TestLimitBytes: the droppable values that wait are bounded in bytes too.
func TestLimitBytes(t *testing.T) {
	q := New[string]()
	q.Limit(Limits[string]{Count: 1 << 30, Bytes: 1000, Droppable: func(s string) (int, bool) { return len(s), s != "" },
		Note: func(n int) string { return "" }})
	for i := 0; i < 1000; i++ {
		q.Push("0123456789") // 10 bytes
	}
	q.Close()
	kept := 0
	for s := range q.Out() {
		if s != "" {
			kept++
		}
	}
	// At most 1000 bytes wait at any time, plus what pump has delivered
	// into the channel's buffer meanwhile.
	if kept > 100+64 || kept == 0 {
		t.Errorf("%d values of 10 bytes kept with a 1000-byte limit", kept)
	}
	if q.Dropped() != 1000-kept {
		t.Errorf("dropped %d, want %d", q.Dropped(), 1000-kept)
	}
}
