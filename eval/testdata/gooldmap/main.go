// gooldmap is debugged by eval's tests of the map layout of Go 1.23 and
// before (hmap, buckets): the test builds it with GOTOOLCHAIN=go1.23.12
// (and with the current Go, for the swiss tables). Before its stop it
// prints NAME=VALUE for each entry and length it checks.
package main

import (
	"fmt"
	"os"
	"syscall"
)

// Big is over 128 bytes: Go 1.23 stores such keys and values through
// pointers in the buckets.
type Big struct {
	ID  int
	Pad [20]int64
}

var sink []any

//go:noinline
func maps(n int) {
	small := map[string]int{"one": 1, "two": 2, "three": 3}
	many := map[int]string{}
	for i := 0; i < 100*n; i++ {
		many[i] = fmt.Sprint("v", i)
	}
	big := map[int]Big{}
	for i := 0; i < 10; i++ {
		big[i] = Big{ID: i * 7}
	}
	bigKey := map[Big]int{{ID: 1}: 10, {ID: 2}: 20}
	// growing's 105th entry makes Go 1.23 grow it from 16 buckets to
	// 32, moving one or two old buckets per insert: it stops half grown
	// (entries in both the buckets and the old buckets).
	growing := map[int]int{}
	for i := 0; i < 105; i++ {
		growing[i] = i * i
	}
	var none map[string]int
	fmt.Printf("len(small)=%d\nlen(many)=%d\nlen(big)=%d\nlen(bigKey)=%d\nlen(none)=%d\nlen(growing)=%d\n", len(small), len(many), len(big), len(bigKey), len(none), len(growing))
	for _, k := range []int{0, 13, 64, 104} {
		fmt.Printf("growing[%d]=%d\n", k, growing[k])
	}
	for _, k := range []string{"one", "two", "three"} {
		fmt.Printf("small[%q]=%d\n", k, small[k])
	}
	for _, k := range []int{0, 1, 57, 99, 100*n - 1} {
		fmt.Printf("many[%d]=%s\n", k, many[k])
	}
	for _, k := range []int{0, 3, 9} {
		fmt.Printf("big[%d].ID=%d\n", k, big[k].ID)
	}
	fmt.Printf("@maps\n")
	syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.SIGTRAP)
	sink = []any{small, many, big, bigKey, none, growing}
}

func main() {
	maps(len(os.Args) + 1)
	os.Stdout.Sync()
}
