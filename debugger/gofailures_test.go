package debugger

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestGoFailures: an unrecovered panic (a string, an error, a nil
// dereference) and a fatal error stop the failing goroutine's thread as an
// exception with the runtime's own words, before the runtime prints them,
// while the other goroutines keep ticking; continuing lets the program
// die as natively (exit status 2, the runtime's message). A recovered
// panic does not stop, and neither does a panic once its stop is turned
// off. In every Go build the tests use (two versions, optimized or not).
func TestGoFailures(t *testing.T) {
	cases := []struct {
		how, desc string
		stops     bool
	}{
		{"panic", "panic: it broke: panic", true},
		{"error", "panic: an error value", true},
		{"nil", "panic: runtime error: invalid memory address or nil pointer dereference", true},
		{"fatal", "fatal error: sync: unlock of unlocked mutex", true},
		{"recovered", "", false},
	}
	for _, b := range goBuilds() {
		t.Run(b.Name, func(t *testing.T) {
			prog := testprog.BuildGoWith(t, b.Toolchain, b.Flags, filepath.Join("testdata", "gopanic"))
			for _, c := range cases {
				t.Run(c.how, func(t *testing.T) {
					var out syncBuffer
					s := launch(t, LaunchConfig{Program: prog, Args: []string{c.how}, Stdout: &out, Stderr: &out})
					s.ContinueAll()
					if c.stops {
						ev := waitStop(t, s, nil)
						want := c.desc
						if c.how == "fatal" && strings.HasPrefix(b.Name, "go1.23") {
							// Go 1.23's runtime.fatal has no location for
							// its message by the time it calls fatalthrow
							// (its DWARF says optimized out, in both
							// builds); the runtime prints it itself first.
							want = "fatal error"
						}
						if ev.Reason != ReasonException || ev.Description != want {
							t.Fatalf("stop %+v, want an exception %q", ev, want)
						}
						e, ok := s.ExceptionOf(ev.Tid)
						if !ok || !e.Fatal || e.Description != want || (e.ID != "panic" && e.ID != "fatal error") {
							t.Errorf("ExceptionOf: %+v %v", e, ok)
						}
						if strings.Contains(out.String(), "goroutine ") {
							t.Errorf("the runtime printed its traceback before the stop: %q", out.String())
						}
						before := readInt64(t, s, prog, "main.ticks") // the first ticker
						time.Sleep(200 * time.Millisecond)
						if after := readInt64(t, s, prog, "main.ticks"); after <= before {
							t.Errorf("the other goroutines did not tick while the failing one was held (%d, %d)", before, after)
						}
						if err := s.Continue(ev.Tid, false); err != nil {
							t.Fatal(err)
						}
					}
					drain(t, s, func(ev Event) { t.Errorf("stop %+v", ev) })
					st := s.Wait()
					switch {
					case c.stops && (st.String() != "exit status 2" || !strings.Contains(out.String(), strings.TrimPrefix(c.desc, "panic: "))):
						t.Errorf("after the stop the program ended with %v, output %q; want it to die as natively", st, out.String())
					case !c.stops && (st.String() != "exit status 0" || !strings.Contains(out.String(), "recovered: caught")):
						t.Errorf("recovered panic: %v, output %q", st, out.String())
					}
				})
			}
			t.Run("off", func(t *testing.T) {
				var out syncBuffer
				s := launch(t, LaunchConfig{Program: prog, Args: []string{"panic"}, Stdout: &out, Stderr: &out})
				if err := s.SetStopOnGoFailure(GoPanic, false); err != nil {
					t.Fatal(err)
				}
				if s.StopsOnGoFailure(GoPanic) || !s.StopsOnGoFailure(GoFatal) {
					t.Errorf("StopsOnGoFailure: panic %v, fatal %v", s.StopsOnGoFailure(GoPanic), s.StopsOnGoFailure(GoFatal))
				}
				if err := s.SetStopOnGoFailure("oops", true); err == nil {
					t.Error("an unknown failure kind was accepted")
				}
				s.ContinueAll()
				drain(t, s, func(ev Event) { t.Errorf("stop %+v with the panic stop off", ev) })
				if st := s.Wait(); st.String() != "exit status 2" {
					t.Errorf("ended with %v", st)
				}
			})
		})
	}
}
