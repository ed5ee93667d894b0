package expr

import (
	"fmt"
	"strings"
	"testing"
)

func TestWalk(t *testing.T) {
	s, err := cOpts.ParseStatement("p->a[i] = (struct foo *)s[1:] + len(b) + sizeof(char *)")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	Walk(s, func(n Node) bool {
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", n), "*expr."))
		return true
	})
	want := "Assign Index Selector Ident Ident Binary Binary Cast PointerType NamedType Slice Ident IntLit Call Ident SizeofType PointerType NamedType"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("Walk visited\n%s\nwant\n%s", got, want)
	}

	// Returning false prunes the subtree.
	var names []string
	Walk(s, func(n Node) bool {
		switch n := n.(type) {
		case *Call:
			return false
		case *Ident:
			names = append(names, n.Name)
		}
		return true
	})
	if got := strings.Join(names, ","); got != "p,i,s" {
		t.Errorf("pruned walk saw %s", got)
	}

	Walk(nil, func(Node) bool { t.Error("visited nil"); return true })
}
