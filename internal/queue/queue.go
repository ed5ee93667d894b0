// Package queue has a FIFO feeding a channel. The ptrace thread hands
// events to front ends through it: it must never block on a slow consumer,
// because while it waits no traced thread that stops is served. Push never
// blocks; what keeps memory bounded when the consumer falls behind is a
// limit on the values that may be dropped (see Limit).
package queue

import "sync"

// Unbounded delivers pushed values on Out in order. Push never blocks.
type Unbounded[T any] struct {
	mu     sync.Mutex
	items  []T
	closed bool
	wake   chan struct{}
	out    chan T

	lim      Limits[T] // see Limit
	dropped  int       // since the last note
	total    int
	inflight int // values taken by pump, not all delivered yet
	// bytes is the Size of the droppable values queued and in flight.
	bytes, inflightBytes int
}

// Limits bound a queue (see Limit).
type Limits[T any] struct {
	Count int // values waiting, of any kind
	Bytes int // the Size of the droppable values waiting
	// Droppable says whether v may be dropped, and its size in bytes.
	Droppable func(v T) (size int, ok bool)
	// Note makes the value that says how many were dropped.
	Note func(dropped int) T
}

// New starts a queue.
func New[T any]() *Unbounded[T] {
	q := &Unbounded[T]{wake: make(chan struct{}, 1), out: make(chan T, 64)}
	go q.pump()
	return q
}

// Limit bounds the queue for the values lim.Droppable accepts: while
// lim.Count or more values wait (not yet taken from Out), or the droppable
// ones that wait add up to lim.Bytes, such a value is dropped instead of
// queued, and counted. The next value queued is preceded by
// lim.Note(count), which says how many were dropped there; if no value
// comes, the note is delivered once the consumer has taken all that
// waited. Other values are always queued: the ones that cannot be lost (a
// stop, an exit) come at a rate the program cannot drive up on its own,
// unlike a log message per breakpoint hit. Call Limit before the first
// Push.
func (q *Unbounded[T]) Limit(lim Limits[T]) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lim = lim
}

// Dropped returns how many values were dropped since the queue started.
func (q *Unbounded[T]) Dropped() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.total
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
	if q.lim.Droppable != nil {
		if size, ok := q.lim.Droppable(v); ok {
			// What waits: queued, taken by pump but not delivered, and
			// in the channel's buffer.
			waiting := len(q.items) + q.inflight + len(q.out)
			if waiting >= q.lim.Count || q.bytes+q.inflightBytes+size > q.lim.Bytes {
				q.dropped++
				q.total++
				q.mu.Unlock()
				return
			}
			q.bytes += size
		}
	}
	if q.dropped > 0 {
		// The first value queued after drops: the note goes first, in
		// the place of what was lost.
		q.items = append(q.items, q.lim.Note(q.dropped))
		q.dropped = 0
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
			if q.dropped > 0 {
				// The consumer took everything, and no value came after
				// the drops: say so now.
				q.items = append(q.items, q.lim.Note(q.dropped))
				q.dropped = 0
				q.mu.Unlock()
				continue
			}
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
		q.inflight, q.inflightBytes, q.bytes = len(items), q.bytes, 0
		q.mu.Unlock()
		for _, v := range items {
			q.out <- v
		}
		q.mu.Lock()
		q.inflight, q.inflightBytes = 0, 0
		q.mu.Unlock()
	}
}
