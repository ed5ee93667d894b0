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
