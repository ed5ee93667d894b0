// govars is debugged by eval's tests. Before each stop it prints, one per
// line, NAME=VALUE for the variables the test checks there, then stops
// itself with SIGTRAP, which the tracer sees (and suppresses) before Go's
// handler would.
// Built with and without -gcflags=all=-N -l.
package main

import (
	"fmt"
	"os"
	"syscall"
)

type Point struct {
	X, Y int
}

type Shape interface {
	Area() int
}

type Rect struct {
	Min, Max Point
	Name     string
}

func (r Rect) Area() int { return (r.Max.X - r.Min.X) * (r.Max.Y - r.Min.Y) }

type Nested struct {
	ID    int64
	Tags  []string
	Inner struct {
		P     *Point
		Ratio float64
	}
	Arr [3]uint8
}

var GlobalCount = 42
var GlobalName = "global name"

var sink any

// stop traps this very thread (tgkill, not kill: a process-directed
// signal could be taken by another thread of the runtime).
func stop(where string) {
	fmt.Printf("@%s\n", where)
	syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.SIGTRAP)
}

//go:noinline
func values(n int, label string) int {
	s := "hello, world"
	sl := []int{10, 20, 30, n}
	m := map[string]int{"one": 1, "two": 2, "three": 3}
	big := make(map[int]string)
	for i := 0; i < 20; i++ {
		big[i] = fmt.Sprint("v", i)
	}
	var sh Shape = Rect{Min: Point{1, 2}, Max: Point{4, 6}, Name: "r"}
	var e any = 17
	ch := make(chan int, 5)
	ch <- 1
	ch <- 2
	var nested Nested
	nested.ID = 7
	nested.Tags = []string{"a", "bc"}
	nested.Inner.P = &Point{3, 4}
	nested.Inner.Ratio = 0.25
	nested.Arr = [3]uint8{1, 2, 3}
	ok := n > 2
	f := 1.5 * float64(n)
	fmt.Printf("n=%d\nlabel=%s\ns=%s\nlen(sl)=%d\nsl[3]=%d\nm[\"two\"]=%d\nlen(m)=%d\nlen(big)=%d\nsh.Area()=%d\ne=%v\nlen(ch)=%d\ncap(ch)=%d\n",
		n, label, s, len(sl), sl[3], m["two"], len(m), len(big), sh.Area(), e, len(ch), cap(ch))
	fmt.Printf("nested.ID=%d\nnested.Tags[1]=%s\nnested.Inner.P.Y=%d\nnested.Inner.Ratio=%g\nnested.Arr[2]=%d\nok=%v\nf=%g\nGlobalCount=%d\nGlobalName=%s\n",
		nested.ID, nested.Tags[1], nested.Inner.P.Y, nested.Inner.Ratio, nested.Arr[2], ok, f, GlobalCount, GlobalName)
	stop("values")
	sink = []any{s, sl, m, big, sh, e, ch, nested, ok, f, label}
	return len(s) + n
}

//go:noinline
func assigned() {
	x := len(os.Args) // not a constant: the compiler must read x back after the stop
	p := &Point{1, 2}
	arr := []int{0, 0, 0}
	stop("assign")
	fmt.Printf("x=%d\np.Y=%d\narr[1]=%d\nGlobalCount=%d\n", x, p.Y, arr[1], GlobalCount)
	sink = []any{x, p, arr}
}

func main() {
	values(len(os.Args)+2, "the label")
	assigned()
	os.Stdout.Sync()
}
