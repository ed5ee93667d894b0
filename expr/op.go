package expr

// Op is a unary or binary operator. Spellings that mean the same thing are
// folded into one Op (Go's unary ^x is Compl, like C's ~x) so that an
// evaluator has one case per meaning.
type Op uint8

const (
	badOp Op = iota

	// Unary operators.
	Deref  // *x
	Addr   // &x
	Neg    // -x
	Plus   // +x
	Not    // !x
	Compl  // ~x, and Go's ^x
	Sizeof // sizeof x (C); sizeof(T) is a SizeofType node

	// Binary operators.
	Mul    // *
	Quo    // /
	Rem    // %
	Add    // +
	Sub    // -
	Shl    // <<
	Shr    // >>
	And    // &
	AndNot // &^
	Xor    // ^
	Or     // |
	Lt     // <
	Le     // <=
	Gt     // >
	Ge     // >=
	Eq     // ==
	Ne     // !=
	LAnd   // &&
	LOr    // ||
)

var opText = [...]string{
	badOp: "?",
	Deref: "*", Addr: "&", Neg: "-", Plus: "+", Not: "!", Compl: "~", Sizeof: "sizeof",
	Mul: "*", Quo: "/", Rem: "%", Add: "+", Sub: "-", Shl: "<<", Shr: ">>",
	And: "&", AndNot: "&^", Xor: "^", Or: "|",
	Lt: "<", Le: "<=", Gt: ">", Ge: ">=", Eq: "==", Ne: "!=",
	LAnd: "&&", LOr: "||",
}

// String returns the operator as it is written (C spelling for Compl).
func (op Op) String() string {
	if int(op) < len(opText) {
		return opText[op]
	}
	return "?"
}

// IsComparison reports whether op yields a truth value from two operands.
func (op Op) IsComparison() bool { return op >= Lt && op <= Ne }

// binaryOps maps operator tokens to binary Ops.
var binaryOps = map[string]Op{
	"*": Mul, "/": Quo, "%": Rem, "+": Add, "-": Sub, "<<": Shl, ">>": Shr,
	"&": And, "&^": AndNot, "^": Xor, "|": Or,
	"<": Lt, "<=": Le, ">": Gt, ">=": Ge, "==": Eq, "!=": Ne,
	"&&": LAnd, "||": LOr,
}

// unaryOps maps prefix operator tokens to unary Ops.
var unaryOps = map[string]Op{
	"*": Deref, "&": Addr, "-": Neg, "+": Plus, "!": Not, "~": Compl, "^": Compl,
}

// precedence is the package's one precedence table (see the package
// documentation); index it with [lang][op]. Zero means "not binary".
var precedence = [2][LOr + 1]int8{
	C: {
		Mul: 10, Quo: 10, Rem: 10,
		Add: 9, Sub: 9,
		Shl: 8, Shr: 8,
		Lt: 7, Le: 7, Gt: 7, Ge: 7,
		Eq: 6, Ne: 6,
		And: 5, AndNot: 5,
		Xor:  4,
		Or:   3,
		LAnd: 2,
		LOr:  1,
	},
	Go: {
		Mul: 5, Quo: 5, Rem: 5, Shl: 5, Shr: 5, And: 5, AndNot: 5,
		Add: 4, Sub: 4, Or: 4, Xor: 4,
		Lt: 3, Le: 3, Gt: 3, Ge: 3, Eq: 3, Ne: 3,
		LAnd: 2,
		LOr:  1,
	},
}

// Precedence returns how tightly binary operator op binds in lang (higher
// binds tighter), or 0 if op is not a binary operator.
func Precedence(lang Lang, op Op) int {
	if lang > Go || op > LOr {
		return 0
	}
	return int(precedence[lang][op])
}
