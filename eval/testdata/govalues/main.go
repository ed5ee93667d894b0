// govalues is debugged by eval's tests of Go values as Delve shows them:
// interfaces by their dynamic type, variables the compiler moved to the
// heap by their own names, package variables without their package.
// Before its stop it prints NAME=VALUE with fmt's %v, one a line, for
// the test to compare with the debugger's display; the debugger's own
// tests break at the line marked so (BP_ then VALUES). Built with and
// without -gcflags=all=-N -l.
package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/ubpdbg/ubpdbg/eval/testdata/govalues/shapes"
)

type Shape interface {
	Area() float64
}

type Rect struct {
	W, H float64
}

//go:noinline
func (r *Rect) Area() float64 { return r.W * r.H }

type Circle struct {
	R float64
}

//go:noinline
func (c Circle) Area() float64 { return 3 * c.R * c.R }

var counter = 5

var sink []any

func stop(where string) {
	fmt.Printf("@%s\n", where)
	syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.SIGTRAP)
}

// out also gets the lines when GOVALUES_OUT names a file: under the
// debugger's DAP and terminal tests stdout is the debugger's.
var out *os.File

func show(name string, v any) {
	fmt.Printf("%s=%v\n", name, v)
	if out != nil {
		fmt.Fprintf(out, "%s=%v\n", name, v)
	}
}

// makeShape and fail hide the dynamic types from the optimizer, which
// would otherwise keep only the data word of an interface whose type it
// knows (and say in DWARF that the word is the whole interface).
//
//go:noinline
func makeShape(n int) Shape {
	if n < 0 {
		return nil
	}
	if n%2 == 0 {
		return &Rect{W: 2, H: 3.5}
	}
	return Circle{R: float64(n)}
}

//go:noinline
func fail(n int) error {
	if n > 100 {
		return nil
	}
	return errors.New("it broke")
}

//go:noinline
func box(n int) any {
	switch n {
	case 0:
		return "word"
	case 1:
		return []int{4, 5, 6}
	case 2:
		return Rect{W: 7, H: 8}
	}
	return n + 10
}

//go:noinline
func ifaces(n int) {
	sh := makeShape(2 * n)
	circ := makeShape(2*n + 1)
	none := makeShape(-n)
	err := fail(n)
	noErr := fail(1000 + n)
	num := box(n + 10)
	word := box(0)
	list := box(1)
	rect := box(2)
	// acc and hits are shared with a goroutine: the compiler moves them
	// to the heap and names them &acc and &hits in DWARF.
	// byName and nest are for walking the variables tree (maps,
	// pointers, slices of interfaces); the tests do not compare them.
	byName := map[string]Shape{"r": sh, "c": circ}
	nest := struct {
		P      *Rect
		Shapes []Shape
		Count  map[int]string
	}{&Rect{W: 4, H: 5}, []Shape{circ, sh}, map[int]string{1: "one"}}
	acc := Rect{W: 1}
	hits := n
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { counter++; acc.H = 9; hits += 40; wg.Done() }()
	wg.Wait()
	// adder captures n and label by value, bump hits by reference:
	// their captured variables are what the debugger shows as children.
	label := fmt.Sprint("lbl", n)
	adder := func(d int) int { return n + d + len(label) }
	bump := func(d int) { hits += d }
	bump(0)
	show("adder/n", n)
	show("adder/label", label)
	show("bump/hits", hits)
	// The optimizer knows known's dynamic type: it keeps only the data
	// word and (Go 1.26) describes that as the whole interface.
	var known Shape = &Rect{W: 1, H: float64(n)}
	show("known", known)
	show("sh", sh)
	show("circ", circ)
	show("none", none)
	show("err", err)
	show("noErr", noErr)
	show("num", num)
	show("word", word)
	show("list", list)
	show("rect", rect)
	show("acc", acc)
	show("hits", hits)
	show("counter", counter)
	stop("ifaces") // BP_VALUES
	sink = []any{sh, circ, none, err, noErr, num, word, list, rect, acc, hits, byName, nest, adder, bump, known}
}

// risky has a namesake in package shapes: `break risky` is ambiguous,
// `break main.risky` and `break shapes.risky` are not.
//
//go:noinline
func risky(n int) int { return n + 1 }

// sizes calls the methods that `break Rect.Area` and `break Circle.Area`
// name without their package.
//
//go:noinline
func sizes(n int) float64 {
	r := &Rect{W: float64(n), H: 2}
	c := Circle{R: 1}
	return r.Area() + c.Area() + float64(risky(n)+shapes.Triple(n))
}

// slicing is stopped in to evaluate slice expressions; each is printed
// under its own text.
//
//go:noinline
func slicing(n int) {
	s := "hello, world"
	sl := []int{10, 20, 30, 40, 50}[:4]
	arr := [5]int{1, 2, 3, 4, n}
	bs := []byte("bytes " + s)
	lo, hi := n-4, n
	show("s[7:]", s[7:])
	show("s[lo:hi]", s[lo:hi])
	show("sl[1:3]", sl[1:3])
	show("sl[2:5]", sl[2:5])
	show("sl[:2:3]", sl[:2:3])
	show("arr[2:]", arr[2:])
	show("arr[:]", arr[:])
	show("bs[:5]", string(bs[:5]))
	show("bs", string(bs))
	show("len(sl[1:])", len(sl[1:]))
	show("cap(sl[1:2])", cap(sl[1:2]))
	show("s[lo:hi][1]", s[lo:hi][1])
	show("shapes.Calls", shapes.Calls)
	show("shapes.Calls + counter", shapes.Calls+counter)
	stop("slicing") // BP_SLICES
	sink = []any{s, sl, arr, bs, lo, hi}
}

func main() {
	if p := os.Getenv("GOVALUES_OUT"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			panic(err)
		}
		out = f
	}
	ifaces(len(os.Args) + 1)
	sink = append(sink, sizes(len(os.Args)))
	slicing(len(os.Args) + 4)
	os.Stdout.Sync()
}
