package expr

// Type is a type written in a cast, a conversion or sizeof.
type Type interface {
	Node
	typeNode()
}

type (
	// NamedType is a type by name. C base types are spelled canonically
	// ("unsigned long" for `long unsigned int`), tagged types keep their
	// tag ("struct foo"), qualified names are joined ("main.T", "ns::T").
	// Qualifiers such as const and volatile are dropped: they never change
	// what a debugger reads.
	NamedType struct {
		NamePos int
		Name    string
	}

	// PointerType is C's T* or Go's *T. Star is where the '*' is, which is
	// after Elem in C's spelling.
	PointerType struct {
		Star int
		Elem Type
	}

	// SliceType is Go's []Elem.
	SliceType struct {
		Lbrack int
		Elem   Type
	}

	// ArrayType is Go's [Len]Elem.
	ArrayType struct {
		Lbrack int
		Len    uint64
		Elem   Type
	}
)

func (t *NamedType) Pos() int   { return t.NamePos }
func (t *PointerType) Pos() int { return min(t.Star, t.Elem.Pos()) }
func (t *SliceType) Pos() int   { return t.Lbrack }
func (t *ArrayType) Pos() int   { return t.Lbrack }

func (*NamedType) typeNode()   {}
func (*PointerType) typeNode() {}
func (*SliceType) typeNode()   {}
func (*ArrayType) typeNode()   {}

// cKeywords are reserved in C mode: they cannot be names, and all but
// sizeof begin a type.
var cKeywords = map[string]bool{
	"void": true, "char": true, "short": true, "int": true, "long": true,
	"float": true, "double": true, "signed": true, "unsigned": true,
	"_Bool": true, "struct": true, "union": true, "enum": true,
	"const": true, "volatile": true, "restrict": true, "sizeof": true,
}

// cTypedefs are the standard typedef names that every C program may use,
// so casts to them parse even before the debugger has told us its types.
var cTypedefs = map[string]bool{
	"bool":   true,
	"int8_t": true, "int16_t": true, "int32_t": true, "int64_t": true,
	"uint8_t": true, "uint16_t": true, "uint32_t": true, "uint64_t": true,
	"intptr_t": true, "uintptr_t": true, "intmax_t": true, "uintmax_t": true,
	"size_t": true, "ssize_t": true, "ptrdiff_t": true,
	"wchar_t": true, "char16_t": true, "char32_t": true,
}

// goTypes are Go's predeclared types (and unsafe.Pointer).
var goTypes = map[string]bool{
	"bool": true, "byte": true, "rune": true, "string": true, "error": true, "any": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true, "unsafe.Pointer": true,
}

// builtinType reports whether name is a type without asking the caller.
func builtinType(lang Lang, name string) bool {
	if lang == Go {
		return goTypes[name]
	}
	return cTypedefs[name] || (cKeywords[name] && name != "sizeof")
}

// cSpec accumulates C type specifiers in any order, as C allows
// (`long unsigned int` is `unsigned long`).
type cSpec struct {
	signed, unsigned, short, char, int, float, double, void, bool int
	long                                                          int
}

func (s *cSpec) add(word string) {
	switch word {
	case "signed":
		s.signed++
	case "unsigned":
		s.unsigned++
	case "short":
		s.short++
	case "long":
		s.long++
	case "char":
		s.char++
	case "int":
		s.int++
	case "float":
		s.float++
	case "double":
		s.double++
	case "void":
		s.void++
	case "_Bool":
		s.bool++
	}
}

// name returns the canonical spelling, or "" if the combination is not a
// C type (`long char`, `unsigned double`, `short long`).
func (s *cSpec) name() string {
	sign := s.signed + s.unsigned
	if sign > 1 || s.short > 1 || s.long > 2 || s.char > 1 || s.int > 1 ||
		s.float > 1 || s.double > 1 || s.void > 1 || s.bool > 1 {
		return ""
	}
	prefix := ""
	if s.unsigned > 0 {
		prefix = "unsigned "
	}
	others := s.char + s.float + s.double + s.void + s.bool
	switch {
	case s.void+s.bool+s.float == 1 && sign+s.short+s.long+s.int+s.char+s.double == 0:
		if s.void > 0 {
			return "void"
		} else if s.bool > 0 {
			return "_Bool"
		}
		return "float"
	case s.double == 1 && sign+s.short+s.int+s.char+s.float+s.void+s.bool == 0 && s.long <= 1:
		if s.long == 1 {
			return "long double"
		}
		return "double"
	case s.char == 1 && s.short+s.long+s.int == 0 && others == 1:
		if s.signed > 0 {
			return "signed char"
		}
		return prefix + "char"
	case others > 0:
		return ""
	case s.short == 1 && s.long == 0:
		return prefix + "short"
	case s.short == 0 && s.long == 1:
		return prefix + "long"
	case s.short == 0 && s.long == 2:
		return prefix + "long long"
	case s.short == 0 && s.long == 0 && sign+s.int > 0:
		return prefix + "int"
	}
	return ""
}
