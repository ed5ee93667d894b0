package testprog

import (
	"os"
	"strings"
	"testing"
)

// LineOf returns the number of the first line of file that contains
// marker: tests name lines by their text, so that editing a test program
// does not silently move a breakpoint.
func LineOf(t testing.TB, file, marker string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %q in %s", marker, file)
	return 0
}
