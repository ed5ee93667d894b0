// gopanic fails the way its argument says, in a worker goroutine while
// four others tick: "panic" (a string value), "error" (errors.New),
// "nil" (a nil pointer dereference: a runtime error), "recovered" (a
// panic recovered by a deferred call: the program goes on and exits 0),
// "fatal" (a fatal error: unlocking an unlocked mutex).
package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var ticks [4]atomic.Int64

type node struct{ next *node }

func fail(how string) {
	switch how {
	case "panic":
		panic("it broke: " + how)
	case "error":
		panic(errors.New("an error value"))
	case "nil":
		var n *node
		fmt.Println(n.next) // FAULT
	case "recovered":
		defer func() { fmt.Println("recovered:", recover()) }()
		panic("caught")
	case "fatal":
		var mu sync.Mutex
		mu.Unlock()
	}
}

func main() {
	how := "panic"
	if len(os.Args) > 1 {
		how = os.Args[1]
	}
	for i := range ticks {
		go func() {
			for {
				ticks[i].Add(1)
				time.Sleep(time.Millisecond)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	done := make(chan bool)
	go func() {
		fail(how)
		done <- true
	}()
	<-done
	fmt.Println("ended", ticks[0].Load() > 0)
}
