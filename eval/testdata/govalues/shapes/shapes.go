// Package shapes gives govalues a second risky, so that the bare name is
// ambiguous, and a package whose path is longer than its name.
package shapes

//go:noinline
func risky(n int) int { return n * 3 }

// Triple is what main calls.
func Triple(n int) int {
	Calls++
	return risky(n)
}

// Calls counts Triple's calls: a package variable that main's frames
// name as shapes.Calls.
var Calls int
