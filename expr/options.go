package expr

// Lang selects the dialect where C and Go disagree: operator precedence and
// which words are type keywords. The zero value is C.
type Lang uint8

const (
	C  Lang = iota // C and C++ (and anything else that is not Go)
	Go             // Go
)

func (l Lang) String() string {
	if l == Go {
		return "Go"
	}
	return "C"
}

// Options say how to parse. The zero value parses C with only the built-in
// type names; the debugger fills in the language of the current frame and
// an IsType that knows the program's types.
type Options struct {
	Lang Lang

	// IsType reports whether name names a type in the program, for names
	// that are not built in. Qualified names are passed joined as written:
	// "main.T", "ns::T". Nil means "no other types".
	IsType func(name string) bool
}

// isType reports whether name is a type: built in, or known to the caller.
func (o *Options) isType(name string) bool {
	if builtinType(o.Lang, name) {
		return true
	}
	return o.IsType != nil && o.IsType(name)
}

// Parse parses an expression with the zero Options (C, built-in types).
func Parse(src string) (Expr, error) { return Options{}.Parse(src) }

// ParseStatement parses an expression or an assignment with the zero
// Options (C, built-in types).
func ParseStatement(src string) (Stmt, error) { return Options{}.ParseStatement(src) }

// ParseTemplate parses a logpoint message with the zero Options.
func ParseTemplate(s string) (*Template, error) { return Options{}.ParseTemplate(s) }
