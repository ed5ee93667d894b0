package debugger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/ianlancetaylor/demangle"

	"github.com/ubpdbg/ubpdbg/breakpoints"
)

// C++ exceptions, caught where every C++ program throws and catches: the
// entries of libstdc++'s (and libc++abi's) __cxa_throw, __cxa_begin_catch
// and __cxa_rethrow, as gdb's `catch throw`, `catch catch` and `catch
// rethrow` do without probes. The catchpoints are user breakpoints (so they wait for
// libstdc++ to load, follow dlopen and exec, and come along at restart),
// placed at the entries themselves: the exception is in the argument
// registers only there.

// cxxFuncs are where each kind of catchpoint goes.
var cxxFuncs = map[string]string{"throw": "__cxa_throw", "catch": "__cxa_begin_catch", "rethrow": "__cxa_rethrow"}

// CatchCxx makes a C++ catchpoint: kind "throw", "catch" or "rethrow". It is
// pending until a library that has the function is loaded.
func (s *Session) CatchCxx(kind string) (breakpoints.Info, error) {
	spec, err := CxxCatchSpec(kind)
	if err != nil {
		return breakpoints.Info{}, err
	}
	return s.SetBreakpoint(spec)
}

// CxxCatchSpec is the breakpoint spec of a C++ catchpoint, for front ends
// that keep their own sets (DAP's exception filters).
func CxxCatchSpec(kind string) (breakpoints.Spec, error) {
	fn, ok := cxxFuncs[kind]
	if !ok {
		return breakpoints.Spec{}, fmt.Errorf("no C++ catchpoint %q (throw, catch or rethrow)", kind)
	}
	return breakpoints.Spec{Location: fn, Catch: kind}, nil
}

// The Itanium C++ ABI's exception object, as libstdc++ lays it out on
// x86-64: the thrown value follows a __cxa_exception header, whose last
// member is the _Unwind_Exception that the unwinder and
// __cxa_begin_catch see, and whose first is the thrown type.
const (
	unwindHeaderOffset = 80 // offsetof(__cxa_exception, unwindHeader)
	unwindHeaderSize   = 32 // sizeof(_Unwind_Exception), 16-aligned
	// gnuCxxClass is the exception_class of a libstdc++ exception, the
	// characters "GNUCC++\0" read as a big-endian number. (A dependent
	// exception, from std::rethrow_exception, ends in 1 instead and has
	// another layout: its type is not shown.)
	gnuCxxClass = 0x474e5543432b2b00
)

// cxxException describes the exception at a catchpoint's stop, or returns
// nil when the stop is not (only) at catchpoints.
func (s *Session) cxxException(stopBy []*breakpoints.Breakpoint, regs regsT) *Exception {
	kind := ""
	for _, bp := range stopBy {
		if bp.Spec().Catch == "" || (kind != "" && bp.Spec().Catch != kind) {
			return nil
		}
		kind = bp.Spec().Catch
	}
	if kind == "" {
		return nil
	}
	var obj, tinfo uint64
	switch kind {
	case "throw": // __cxa_throw(void *thrown, std::type_info *tinfo, void (*dest)(void *))
		obj, tinfo = regs.Rdi, regs.Rsi
	case "catch": // __cxa_begin_catch(_Unwind_Exception *)
		if s.readWord(regs.Rdi) == gnuCxxClass {
			obj = regs.Rdi + unwindHeaderSize
			tinfo = s.readWord(regs.Rdi - unwindHeaderOffset)
		}
	}
	typ, val := "", ""
	if tinfo != 0 {
		// A std::type_info is a vtable pointer and the mangled name.
		mangled := s.readCString(s.readWord(tinfo+8), 512)
		typ = demangleType(mangled)
		val = s.cxxValue(mangled, obj)
	}
	e := &Exception{ID: typ, Fatal: false}
	verb := map[string]string{"throw": "thrown", "catch": "caught", "rethrow": "rethrown"}[kind]
	switch {
	case kind == "rethrow":
		// __cxa_rethrow takes no argument: the exception is the thread's
		// current one, in libstdc++'s thread-local globals.
		e.ID, e.Description = "C++ exception", "C++ exception rethrown"
	case typ == "":
		e.ID, e.Description = "C++ exception", "C++ exception "+verb+" (not one of libstdc++'s: its type is not known)"
	case val != "":
		e.Description = fmt.Sprintf("C++ exception %s: %s %s", verb, typ, val)
	default:
		e.Description = fmt.Sprintf("C++ exception %s: %s", verb, typ)
	}
	return e
}

// demangleType turns a type_info's name ("St13runtime_error") into C++
// ("std::runtime_error"); a name the demangler does not take stays.
func demangleType(mangled string) string {
	mangled = strings.TrimPrefix(mangled, "*") // a local type's marker
	if d, err := demangle.ToString("_ZTS" + mangled); err == nil {
		return strings.TrimPrefix(d, "typeinfo name for ")
	}
	return mangled
}

// cxxValue shows a thrown value of a fundamental type or a C string;
// for a class the type is what the user reads.
func (s *Session) cxxValue(mangled string, obj uint64) string {
	if obj == 0 {
		return ""
	}
	var b [8]byte
	if _, err := s.proc.ReadMemory(obj, b[:]); err != nil {
		return ""
	}
	switch mangled {
	case "i":
		return fmt.Sprint(int32(binary.LittleEndian.Uint32(b[:])))
	case "j":
		return fmt.Sprint(binary.LittleEndian.Uint32(b[:]))
	case "l", "x":
		return fmt.Sprint(int64(binary.LittleEndian.Uint64(b[:])))
	case "m", "y":
		return fmt.Sprint(binary.LittleEndian.Uint64(b[:]))
	case "d":
		return fmt.Sprint(math.Float64frombits(binary.LittleEndian.Uint64(b[:])))
	case "PKc", "Pc":
		return fmt.Sprintf("%q", s.readCString(binary.LittleEndian.Uint64(b[:]), 200))
	}
	return ""
}

// readWord reads a pointer of the program's; 0 when it cannot be read.
func (s *Session) readWord(addr uint64) uint64 {
	var b [8]byte
	if _, err := s.proc.ReadMemory(addr, b[:]); err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:])
}

// readCString reads a NUL-terminated string of at most max bytes.
func (s *Session) readCString(addr uint64, max int) string {
	if addr == 0 {
		return ""
	}
	buf := make([]byte, max)
	n, _ := s.proc.ReadMemory(addr, buf)
	if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
		return string(buf[:i])
	}
	return string(buf[:n])
}
