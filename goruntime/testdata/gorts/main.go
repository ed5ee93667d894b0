// Command gorts parks goroutines in known ways and then traps, so that a
// debugger can compare what it reads of the runtime with what it knows:
// 50 goroutines wait in main.waiter on a channel receive, one sleeps in
// main.sleeper, one waits for a mutex in main.locker; main traps.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

const waiters = 50

var (
	ch  = make(chan int)
	mu  sync.Mutex
	all sync.WaitGroup
)

//go:noinline
func waiter(i int) {
	all.Done()
	fmt.Sprint(<-ch + i)
}

//go:noinline
func sleeper() {
	all.Done()
	time.Sleep(time.Hour)
}

//go:noinline
func locker() {
	all.Done()
	mu.Lock()
}

func main() {
	mu.Lock()
	all.Add(waiters + 2)
	for i := 0; i < waiters; i++ {
		go waiter(i)
	}
	go sleeper()
	go locker()
	all.Wait()
	// Done is called just before each one parks: give them time to.
	time.Sleep(200 * time.Millisecond)
	fmt.Println("READY", runtime.NumGoroutine())
	os.Stdout.Sync()
	runtime.Breakpoint()
	fmt.Println("after")
}
