package symbols

import (
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoShortNames resolves Go functions named without their package in
// eval's govalues program, optimized and with -N -l: each short form
// gives the same place as the full name, and an ambiguous one is an
// error that lists the candidates.
func TestGoShortNames(t *testing.T) {
	needTools(t, "go")
	t.Parallel()
	for _, o := range testprog.GoOpts {
		flags := o.Flags
		bin := testprog.BuildGo(t, flags, "../eval/testdata/govalues")
		im, err := OpenImage(bin, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer im.Close()
		const shapes = "github.com/ubpdbg/ubpdbg/eval/testdata/govalues/shapes"
		for short, full := range map[string]string{
			"ifaces":         "main.ifaces",
			"main.risky":     "main.risky",
			"shapes.risky":   shapes + ".risky",
			"Triple":         shapes + ".Triple",
			"Rect.Area":      "main.(*Rect).Area",
			"(*Rect).Area":   "main.(*Rect).Area",
			"main.Rect.Area": "main.(*Rect).Area",
			"Circle.Area":    "main.Circle.Area",
		} {
			want, err := im.Resolve(full)
			if err != nil || len(want) == 0 {
				t.Fatalf("%v: Resolve(%q) = %v, %v", flags, full, want, err)
			}
			got, err := im.Resolve(short)
			if err != nil || len(got) != len(want) || got[0].PC != want[0].PC || got[0].Function != full {
				t.Errorf("%v: Resolve(%q) = %+v, %v; want %s at %#x", flags, short, got, err, full, want[0].PC)
			}
		}
		for spec, want := range map[string][]string{
			"risky":          {`"risky" is ambiguous`, shapes + ".risky", "main.risky"},
			"(*Circle).Area": {`no function "(*Circle).Area"`},
			"Rect.Nope":      {`no function "Rect.Nope"`},
		} {
			_, err := im.Resolve(spec)
			for _, w := range want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%v: Resolve(%q) = %v, want an error containing %q", flags, spec, err, w)
				}
			}
		}
	}
}
