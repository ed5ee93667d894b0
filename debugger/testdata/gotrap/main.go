// runtime.Breakpoint stops the program under a debugger; continuing must
// not deliver its SIGTRAP (Go's runtime dies of it).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println("before")
	runtime.Breakpoint()
	fmt.Println("after")
}
