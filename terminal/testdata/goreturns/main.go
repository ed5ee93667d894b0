// goreturns: Go functions whose results come back in integer registers, in
// integer and float registers together, and on the stack, for finish.
package main

import (
	"errors"
	"fmt"
)

type point struct{ X, Y int }

//go:noinline
func pt(i int) point { return point{i, i * 2} }

//go:noinline
func two(i int) (int, error) {
	if i > 1 {
		return 0, errors.New("too big")
	}
	return i + 40, nil
}

//go:noinline
func name(i int) (s string, f float64) { return fmt.Sprint("n", i), float64(i) / 4 }

//go:noinline
func big(i int) [3]int { return [3]int{i, i, i} }

func main() {
	p := pt(3)
	a, err := two(2)
	s, f := name(5)
	b := big(1)
	fmt.Println(p, a, err, s, f, b)
}
