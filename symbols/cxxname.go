package symbols

import (
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// C++ function names as gdb shows and takes them: frames name a function
// by its qualified name, demangled from DW_AT_linkage_name without the
// parameters (geo::Shape::area, geo::twice<int>), and a FUNC spec names it
// by that, by any tail of it at a "::" (Shape::area, area), and with or
// without template arguments (geo::twice, twice: every instantiation).
// The demangler is ianlancetaylor/demangle, the one Go's own tools use.

// cxxDisplayName demangles a C++ linkage name for frames; "" if it is not
// one the demangler takes.
func cxxDisplayName(linkage string) string {
	if !strings.HasPrefix(linkage, "_Z") {
		return ""
	}
	d, err := demangle.ToString(linkage, demangle.NoParams, demangle.NoClones)
	if err != nil {
		return ""
	}
	return d
}

// cxxSpecNames are the names a FUNC spec may give for the C++ function
// whose display name is full, itself included.
func cxxSpecNames(full string) []string {
	out := []string{full}
	bare := stripTemplateArgs(full)
	for _, n := range []string{full, bare} {
		for i := 0; i+2 < len(n); i++ {
			if n[i] == ':' && n[i+1] == ':' && templateDepth(n[:i]) == 0 {
				out = append(out, n[i+2:])
			}
		}
	}
	if bare != full {
		out = append(out, bare)
	}
	return out
}

// templateDepth is how many '<' are open at the end of s.
func templateDepth(s string) int {
	d := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			d++
		case '>':
			d--
		}
	}
	return d
}

// stripTemplateArgs drops every <...> of a name: geo::Box<int>::get<2> ->
// geo::Box::get. An operator's own < or > (operator<, operator<<) stays.
func stripTemplateArgs(s string) string {
	if !strings.Contains(s, "<") || strings.Contains(s, "operator") {
		return s
	}
	var b strings.Builder
	d := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			d++
		case c == '>':
			d--
		case d == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cxxMatches reports whether a FUNC spec names the C++ function whose
// display name is full.
func cxxMatches(full, spec string) bool {
	if !strings.HasSuffix(full, spec) && !strings.Contains(full, "<") {
		return false // the common case, quickly
	}
	for _, n := range cxxSpecNames(full) {
		if n == spec {
			return true
		}
	}
	return false
}
