// Package queue has an unbounded FIFO feeding a channel. The ptrace thread
// hands events to front ends through it: it must never block on a slow
// consumer, because while it waits no traced thread that stops is served.
package queue

import "sync"

// Unbounded delivers pushed values on Out in order. Push never blocks.
type Unbounded[T any] struct {
	mu     sync.Mutex
	items  []T
	closed bool
	wake   chan struct{}
	out    chan T
}

// New starts a queue.
func New[T any]() *Unbounded[T] {
	q := &Unbounded[T]{wake: make(chan struct{}, 1), out: make(chan T, 64)}
	go q.pump()
	return q
}

// Out is the channel values come out of; it is closed after Close once
// everything pushed before has been delivered.
func (q *Unbounded[T]) Out() <-chan T { return q.out }

// Push adds a value; after Close it is dropped.
func (q *Unbounded[T]) Push(v T) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.poke()
}

// Close lets the queue deliver what it holds, then closes Out.
func (q *Unbounded[T]) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.poke()
}

func (q *Unbounded[T]) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *Unbounded[T]) pump() {
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			closed := q.closed
			q.mu.Unlock()
			if closed {
				close(q.out)
				return
			}
			<-q.wake
			continue
		}
		items := q.items
		q.items = nil
		q.mu.Unlock()
		for _, v := range items {
			q.out <- v
		}
	}
}
