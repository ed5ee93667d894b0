package debugger

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/target"
)

// Go's unrecovered panics and fatal errors stop as exceptions, before the
// runtime prints them and ends the program (Delve's unrecovered-panic and
// fatal-throw): internal breakpoints at the entries of runtime.fatalpanic,
// which a panic reaches only when no deferred call recovered it, and of
// runtime.fatalthrow, where every fatal error goes (runtime.throw, and
// runtime.fatal: "concurrent map writes", "sync: unlock of unlocked
// mutex", "all goroutines are asleep"). A recovered panic never gets
// there, so it does not stop. Both are on by default; in non-stop mode
// only the failing thread stops, and continuing lets the program die as
// it would natively.

// The kinds of Go failure that stop.
const (
	GoPanic = "panic" // an unrecovered panic
	GoFatal = "fatal" // a fatal error of the runtime
)

var goFailureKinds = []struct {
	kind string
	fn   string
	ib   breakpoints.InternalKind
}{
	{GoPanic, "runtime.fatalpanic", breakpoints.GoPanic},
	{GoFatal, "runtime.fatalthrow", breakpoints.GoFatal},
}

// SetStopOnGoFailure says whether a Go failure of the kind (GoPanic,
// GoFatal) stops the thread it happens on. It takes effect at once, and
// for programs that are not Go it only records the choice.
func (s *Session) SetStopOnGoFailure(kind string, on bool) error {
	if kind != GoPanic && kind != GoFatal {
		return fmt.Errorf("no Go failure %q (%s or %s)", kind, GoPanic, GoFatal)
	}
	return s.proc.Do(func(c *target.Ctl) error {
		if s.goFailOff == nil {
			s.goFailOff = map[string]bool{}
		}
		s.goFailOff[kind] = !on
		s.watchGoFailures(c)
		return nil
	})
}

// StopsOnGoFailure tells whether a Go failure of the kind stops.
func (s *Session) StopsOnGoFailure(kind string) bool {
	var on bool
	s.proc.Do(func(c *target.Ctl) error {
		on = !s.goFailOff[kind]
		return nil
	})
	return on
}

// watchGoFailures places (or removes) the failure breakpoints as the
// choices say, in the image that has the Go runtime. On the ptrace thread,
// at the start and after an exec.
func (s *Session) watchGoFailures(c *target.Ctl) {
	s.sites.RemoveInternal(c, func(ib *breakpoints.Internal) bool { return isGoFailure(ib.Kind) })
	if s.syms == nil {
		return
	}
	// Only the images with a Go runtime are searched: a name lookup in
	// the others would read all their DWARF (in libjvm.so's debug file,
	// 15 s) to find nothing.
	var goImages []*symbols.Image
	for _, im := range s.syms.Images() {
		if isGoImage(im) {
			goImages = append(goImages, im)
		}
	}
	for _, k := range goFailureKinds {
		if s.goFailOff[k.kind] {
			continue
		}
		for _, im := range goImages {
			// The entry itself, not past the prologue: the arguments are
			// in their registers there, and the stack check of the
			// prologue cannot move the goroutine first.
			locs, err := im.ResolveLines(k.fn)
			if err != nil || len(locs) == 0 {
				continue
			}
			if err := s.sites.AddInternal(c, locs[0].PC, &breakpoints.Internal{Kind: k.ib}); err != nil {
				s.logf("Go %s: breakpoint at %s: %v", k.kind, k.fn, err)
			}
			break
		}
	}
}

// isGoImage tells an image that holds a Go runtime: the Go linker always
// writes .gopclntab (stripping keeps it; the runtime reads it), in
// executables and in c-shared and c-archive libraries alike.
func isGoImage(im *symbols.Image) bool {
	f := im.ELF()
	return f != nil && (f.Section(".gopclntab") != nil || f.Section(".go.buildinfo") != nil)
}

// isGoFailure tells the internal breakpoints of Go failures.
func isGoFailure(k breakpoints.InternalKind) bool {
	return k == breakpoints.GoPanic || k == breakpoints.GoFatal
}

// goFailure describes the failure a thread stopped at: the panic's value
// as the runtime will print it, or the fatal error's message.
func (s *Session) goFailure(c *target.Ctl, tid int, kind breakpoints.InternalKind) *Exception {
	if kind == breakpoints.GoPanic {
		e := &Exception{ID: "panic", Description: "panic", Fatal: true}
		if v := s.panicValue(c, tid); v != "" {
			e.Description = "panic: " + v
		}
		return e
	}
	e := &Exception{ID: "fatal error", Description: "fatal error", Fatal: true}
	// fatalthrow has no message; its caller (runtime.throw or
	// runtime.fatal) has it as s.
	regs, err := c.Regs(tid)
	if err != nil {
		return e
	}
	frames, _ := s.unwindRegs(c, regs, 3)
	for n := 1; n < len(frames); n++ {
		if fn := frames[n].Function; fn != "runtime.throw" && fn != "runtime.fatal" {
			continue
		}
		ctx, err := s.contextFor(c, tid, &regs, frames, n)
		if err != nil {
			break
		}
		if v, err := ctx.Eval("s"); err == nil {
			if msg, err := strconv.Unquote(v.Value); err == nil {
				e.Description = "fatal error: " + msg
			}
		}
		break
	}
	return e
}

// panicValue is the value of the panic at fatalpanic's entry (its
// argument msgs is the *runtime._panic), as the runtime prints it: a
// string or error message as text, anything else as its value.
func (s *Session) panicValue(c *target.Ctl, tid int) string {
	ctx, err := s.frameContext(c, tid, 0, 1)
	if err != nil {
		return ""
	}
	// Go prints these three kinds of value by their text; an error of
	// another type would need its Error method called, which a
	// debugger cannot do safely in a dying program.
	for _, try := range []struct{ src, prefix string }{
		{"msgs.arg.(string)", ""},
		{"msgs.arg.(runtime.errorString)", "runtime error: "},
		{"msgs.arg.(runtime.plainError)", ""},
		{"msgs.arg.(*errors.errorString).s", ""},
		{"msgs.arg.(*fmt.wrapError).msg", ""},
	} {
		if v, err := ctx.Eval(try.src); err == nil {
			if text, err := strconv.Unquote(v.Value); err == nil {
				return try.prefix + text
			}
		}
	}
	v, err := ctx.Eval("msgs.arg")
	if err != nil {
		return ""
	}
	// "interface {}(main.T) {...}": the dynamic type and value.
	return strings.TrimPrefix(v.Value, "interface {}")
}
