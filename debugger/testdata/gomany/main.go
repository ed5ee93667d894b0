// Command gomany has 50 goroutines blocked on a channel receive in
// main.blocked, four workers that keep adding to progress, and one
// goroutine that calls main.hold again and again (where tests break).
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

var (
	progress atomic.Int64
	never    = make(chan int)
	holds    int
)

//go:noinline
func blocked(i int) {
	fmt.Println(<-never + i)
}

//go:noinline
func work() {
	for {
		progress.Add(1)
	}
}

//go:noinline
func hold(i int) int {
	holds += i // BP: hold
	return holds
}

func main() {
	for i := 0; i < 50; i++ {
		go blocked(i)
	}
	for i := 0; i < 4; i++ {
		go work()
	}
	// Let the blocked ones park before the first stop.
	time.Sleep(100 * time.Millisecond)
	go func() {
		for i := 0; ; i++ {
			hold(i)
			time.Sleep(10 * time.Millisecond)
		}
	}()
	time.Sleep(time.Hour)
}
