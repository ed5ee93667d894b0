// Command goprog records its own stack with runtime.Callers from inside a
// goroutine, prints it, and then stops itself with SIGTRAP so that a
// debugger can unwind the same stack and compare.
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

var sink int

//go:noinline
func stopHere() {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		fmt.Printf("FRAME %s %s %d\n", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
	os.Stdout.Sync()
	syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.SIGTRAP)
}

func inlined(x int) int {
	sink += x // LINE_INLINED
	stopHere()
	return sink
}

//go:noinline
func middle(x int) int {
	return inlined(x+1) + 1 // LINE_MIDDLE
}

//go:noinline
func outer(x int) int {
	y := middle(x * 2)
	return y
}

func main() {
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		done <- outer(3)
	}()
	fmt.Println(<-done)
}
