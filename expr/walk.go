package expr

// Walk calls f for n and, if f returns true, walks n's children in source
// order (like go/ast.Inspect). Types inside casts and sizeof are visited
// too. Absent slice bounds are skipped.
func Walk(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	for _, c := range children(n) {
		if c != nil {
			Walk(c, f)
		}
	}
}

func children(n Node) []Node {
	switch n := n.(type) {
	case *Unary:
		return []Node{n.X}
	case *Binary:
		return []Node{n.X, n.Y}
	case *Selector:
		return []Node{n.X}
	case *Index:
		return []Node{n.X, n.Index}
	case *TypeAssert:
		return []Node{n.X, n.Type}
	case *Slice:
		return []Node{n.X, n.Low, n.High, n.Max}
	case *Call:
		c := make([]Node, len(n.Args))
		for i, a := range n.Args {
			c[i] = a
		}
		return c
	case *Cast:
		return []Node{n.Type, n.X}
	case *SizeofType:
		return []Node{n.Type}
	case *PointerType:
		return []Node{n.Elem}
	case *SliceType:
		return []Node{n.Elem}
	case *ArrayType:
		return []Node{n.Elem}
	case *ExprStmt:
		return []Node{n.X}
	case *Assign:
		return []Node{n.Lhs, n.Rhs}
	}
	return nil
}
