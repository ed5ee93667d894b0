// The goroutine stepped through walk() blocks in the middle of it, so Go is
// free to resume it on another thread, while busy goroutines keep every
// thread occupied and are preempted by signals.
package main

import (
	"fmt"
	"runtime"
	"time"
)

var sink int

func spin(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
			for i := 0; i < 1000; i++ {
				sink += i
			}
		}
	}
}

//go:noinline
func walk(n int) int {
	a := n + 1
	time.Sleep(20 * time.Millisecond)
	b := a * 2
	runtime.Gosched()
	c := b + 3
	time.Sleep(20 * time.Millisecond)
	return a + b + c
}

func main() {
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		go spin(stop)
	}
	r := walk(5)
	close(stop)
	fmt.Println("walk", r)
}
