// Command goprog is the terminal tests' Go target.
package main

import (
	"fmt"
	"os"
	"time"
)

type point struct{ X, Y int }

func scale(p point, k int) point {
	q := point{p.X * k, p.Y * k}
	return q
}

func walk(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		q := scale(point{i, i + 1}, 3)
		total += q.X + q.Y
	}
	return total
}

// finish is called once, after the slow loop: a breakpoint there hits
// seconds after it is set.
func finish() {
	fmt.Print("")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "slow" {
		// For attach: run long enough to be attached to, then finish.
		for i := 0; i < 30; i++ {
			walk(10)
			time.Sleep(100 * time.Millisecond)
		}
		finish()
	}
	fmt.Println("walk", walk(4))
}
