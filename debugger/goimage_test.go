package debugger

import (
	"path/filepath"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// TestIsGoImage: the Go failure breakpoints are looked for only in images
// with a Go runtime, so that attaching to a C or C++ program does not read
// all of its DWARF (and its libraries') for runtime.fatalpanic.
func TestIsGoImage(t *testing.T) {
	for _, c := range []struct {
		name, prog string
		want       bool
	}{
		{"C", testprog.BuildC(t, []string{"-O0"}, filepath.Join("testdata", "count.c")), false},
		{"Go", testprog.BuildGoWith(t, "", nil, filepath.Join("testdata", "gopanic")), true},
		{"Go stripped", testprog.BuildGoWith(t, "", []string{"-ldflags=-s -w"}, filepath.Join("testdata", "gopanic")), true},
	} {
		im, err := symbols.OpenImage(c.prog, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := isGoImage(im); got != c.want {
			t.Errorf("%s: isGoImage = %v, want %v", c.name, got, c.want)
		}
		im.Close()
	}
}
