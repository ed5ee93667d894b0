// goprog is the Go program of the DAP tests: main calls compute in a loop
// while a few goroutines spin.
package main

import (
	"fmt"
	"os"
	"sync"
)

type pair struct {
	A, B int
	Name string
}

var counter = 7

func compute(x int) int {
	p := pair{A: x, B: x * 3, Name: "p"}
	s := []int{x, x + 1, x + 2}
	y := p.A + p.B + len(s) // BP_GO
	y += s[2]               // NEXT_GO
	return y
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n := 0
			for j := 0; j < 1000000; j++ {
				n += j % (i + 2)
			}
			_ = n
		}(i)
	}
	total := 0
	for i := 0; i < 3; i++ {
		total += compute(i) // CALL_GO
	}
	wg.Wait()
	fmt.Fprintln(os.Stdout, "total", total, counter)
}
