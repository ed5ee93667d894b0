// Package expr parses the expressions users type into a debugger:
// breakpoint conditions (`x > 100`), logpoint messages (`x={x}`), DAP
// evaluate, hover and watch, and the terminal's print command.
//
// It knows nothing of a target. The parser turns text into an AST whose
// nodes carry byte offsets into the source; the evaluator that reads
// program memory lives elsewhere and walks that AST with a type switch or
// Walk. What can be decided from the text alone is here too: literal
// values, constant folding (Fold), logpoint templates (ParseTemplate) and
// DAP hit conditions (ParseHitCondition).
//
// # One grammar, two dialects
//
// Users write C in C frames and Go in Go frames, and often the other by
// habit, so the grammar accepts the union of both wherever the two cannot
// be confused: `p->f` and `a[i:j]`, `0b101`, `1_000` and `10ul`, `nil` and
// `NULL`, C casts `(unsigned long)x` and Go conversions `uint64(x)`, unary
// `^x` (normalised to `~x`) and `a &^ b`. Options.Lang chooses what cannot
// be shared:
//
//   - binary operator precedence (the table below);
//   - which words are type keywords: in C, `int`, `unsigned`, `struct`, ...
//     are reserved and always start a type; in Go, `int`, `uint64`, ... are
//     predeclared identifiers that name types;
//   - whether `(T)(x)[i]` indexes the conversion (Go: a conversion is a
//     primary expression) or converts the indexed value (C: a cast applies
//     to a whole unary expression).
//
// # Precedence
//
// Higher binds tighter; all binary operators are left-associative.
// Postfix (`a[i]`, `a[i:j]`, `a.b`, `p->b`, `len(x)`, `T(x)`) binds tighter
// than anything, then the prefix operators (`* & - + ! ~ ^ sizeof` and C
// casts), then:
//
//	operators            C   Go
//	*  /  %              10   5
//	+  -                  9   4
//	<<  >>                8   5
//	<  <=  >  >=          7   3
//	==  !=                6   3
//	&  &^                 5   5   (&^ is Go's; in C it sits with &)
//	^                     4   4
//	|                     3   4
//	&&                    2   2
//	||                    1   1
//
// So in C `a & b == c` is `a & (b == c)` and `a << b + c` is
// `a << (b + c)`, while in Go they are `(a & b) == c` and `(a << b) + c`.
// Assignment `lhs = rhs` is not an operator: it is only accepted as a
// whole statement by ParseStatement, so that conditions and watches stay
// read-only.
//
// # Casts and the (a)*b ambiguity
//
// `(a)*b` is a cast of `*b` if `a` names a type and a multiplication
// otherwise; the text alone cannot say which. The parser asks
// Options.IsType about names that are not built in (C type keywords,
// fixed-width typedefs such as uint32_t, and Go's predeclared types are
// always types), and follows C: a parenthesised type followed by something
// that can begin an operand is a cast. A parenthesised name that is a type
// but is not followed by an operand, as in `(T) == 1`, falls back to being
// a name so that an over-eager IsType does not make such text unparsable.
// Go's parenthesised pointer type `(*T)` converts only in Go's own form
// `(*T)(p)`: `(*p) & m` stays a dereference whatever p is. (C spells that
// cast `(T *)p`, which is unambiguous.)
package expr
