// Eight goroutines call work() 10,000 times each; Go moves goroutines
// between threads and preempts them with SIGURG, which a breakpoint must
// survive without losing or doubling a hit.
package main

import (
	"fmt"
	"sync"
)

var mu sync.Mutex
var sum int

//go:noinline
func work(g, i int) {
	mu.Lock()
	sum += g*100000 + i
	mu.Unlock()
}

func main() {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				work(g, i)
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("sum", sum)
}
