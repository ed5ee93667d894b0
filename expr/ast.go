package expr

// Node is any AST node. Pos is the byte offset where the node's text
// begins, for pointing at it in error messages.
type Node interface {
	Pos() int
}

// Expr is an expression node. The concrete types are the pointer types
// below; switch on them.
type Expr interface {
	Node
	exprNode()
}

// Stmt is what ParseStatement returns: *ExprStmt or *Assign.
type Stmt interface {
	Node
	stmtNode()
}

type (
	// Ident is a name. C++ scoped names are joined into Name ("ns::x").
	// Go's main.x is a Selector on Ident "main", because only the
	// evaluator knows whether main is a package or a variable; a package
	// path that is not a Go name is written Delve's way, as a string:
	// "example.com/pkg".Var is a Selector on a StringLit.
	Ident struct {
		NamePos int
		Name    string
	}

	// Register is $name: a CPU register ($rip, $eax) or a convenience
	// variable. Name excludes the '$'.
	Register struct {
		Dollar int
		Name   string
	}

	// IntLit is an integer literal. Raw is the text as written; Value is
	// its value; Unsigned and Longs record a C suffix (u, l, ll: Longs is
	// 0, 1 or 2) because C derives the literal's type from them.
	IntLit struct {
		ValuePos int
		Raw      string
		Value    uint64
		Unsigned bool
		Longs    int
	}

	// FloatLit is a floating-point literal; Suffix is 0, 'f' or 'l' (C).
	FloatLit struct {
		ValuePos int
		Raw      string
		Value    float64
		Suffix   byte
	}

	// CharLit is a character literal such as 'a', '\n', '\x41', '\u00e9'.
	// Value is the code point, or the byte for \x and octal escapes.
	CharLit struct {
		ValuePos int
		Raw      string
		Value    rune
	}

	// StringLit is a string literal, "..." or a Go raw `...`; Value holds
	// the decoded bytes.
	StringLit struct {
		ValuePos int
		Raw      string
		Value    string
	}

	// BoolLit is true or false.
	BoolLit struct {
		ValuePos int
		Value    bool
	}

	// NilLit is nil, NULL or nullptr; Raw says which.
	NilLit struct {
		ValuePos int
		Raw      string
	}

	// Unary is a prefix operator applied to X.
	Unary struct {
		OpPos int
		Op    Op
		X     Expr
	}

	// Binary is X Op Y.
	Binary struct {
		X     Expr
		OpPos int
		Op    Op
		Y     Expr
	}

	// Selector is member access X.Name, or X->Name when Arrow is set.
	Selector struct {
		X       Expr
		Dot     int // position of '.' or '->'
		Arrow   bool
		NamePos int
		Name    string
	}

	// TypeAssert is Go's X.(Type).
	TypeAssert struct {
		X      Expr
		Lparen int
		Type   Type
	}

	// Index is X[Index].
	Index struct {
		X      Expr
		Lbrack int
		Index  Expr
	}

	// Slice is X[Low:High] or X[Low:High:Max]; absent bounds are nil.
	// Max != nil implies High != nil (Go's rule for 3-index slices).
	Slice struct {
		X      Expr
		Lbrack int
		Low    Expr
		High   Expr
		Max    Expr
	}

	// Call is a call of a builtin: len(x), cap(x), or Go's
	// unsafe.Sizeof(x). Calls of program functions are not part of the
	// language: a condition must not run target code.
	Call struct {
		FunPos int
		Fun    string // "len", "cap", "unsafe.Sizeof"
		Args   []Expr
	}

	// Cast converts X to Type: C's (T)x, Go's T(x) and (*T)(p), C++'s
	// int(x). Lparen is where the cast's text starts.
	Cast struct {
		Lparen int
		Type   Type
		X      Expr
	}

	// SizeofType is C's sizeof(T); sizeof x is a Unary with Op Sizeof.
	SizeofType struct {
		Sizeof int
		Type   Type
	}
)

type (
	// ExprStmt is an expression used as a statement.
	ExprStmt struct {
		X Expr
	}

	// Assign is Lhs = Rhs. It exists only as a statement, so that
	// evaluating any Expr never writes to the target.
	Assign struct {
		Lhs   Expr
		EqPos int
		Rhs   Expr
	}
)

func (x *Ident) Pos() int      { return x.NamePos }
func (x *Register) Pos() int   { return x.Dollar }
func (x *IntLit) Pos() int     { return x.ValuePos }
func (x *FloatLit) Pos() int   { return x.ValuePos }
func (x *CharLit) Pos() int    { return x.ValuePos }
func (x *StringLit) Pos() int  { return x.ValuePos }
func (x *BoolLit) Pos() int    { return x.ValuePos }
func (x *NilLit) Pos() int     { return x.ValuePos }
func (x *Unary) Pos() int      { return x.OpPos }
func (x *Binary) Pos() int     { return x.X.Pos() }
func (x *Selector) Pos() int   { return x.X.Pos() }
func (x *Index) Pos() int      { return x.X.Pos() }
func (x *TypeAssert) Pos() int { return x.X.Pos() }
func (x *Slice) Pos() int      { return x.X.Pos() }
func (x *Call) Pos() int       { return x.FunPos }
func (x *Cast) Pos() int       { return x.Lparen }
func (x *SizeofType) Pos() int { return x.Sizeof }
func (s *ExprStmt) Pos() int   { return s.X.Pos() }
func (s *Assign) Pos() int     { return s.Lhs.Pos() }

func (*Ident) exprNode()      {}
func (*Register) exprNode()   {}
func (*IntLit) exprNode()     {}
func (*FloatLit) exprNode()   {}
func (*CharLit) exprNode()    {}
func (*StringLit) exprNode()  {}
func (*BoolLit) exprNode()    {}
func (*NilLit) exprNode()     {}
func (*Unary) exprNode()      {}
func (*Binary) exprNode()     {}
func (*Selector) exprNode()   {}
func (*Index) exprNode()      {}
func (*TypeAssert) exprNode() {}
func (*Slice) exprNode()      {}
func (*Call) exprNode()       {}
func (*Cast) exprNode()       {}
func (*SizeofType) exprNode() {}
func (*ExprStmt) stmtNode()   {}
func (*Assign) stmtNode()     {}
