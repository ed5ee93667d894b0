package expr_test

import (
	"fmt"

	"github.com/ubpdbg/ubpdbg/expr"
)

func ExampleOptions_Parse() {
	// The debugger knows the program's types; here only "node" is one.
	opts := expr.Options{Lang: expr.C, IsType: func(name string) bool { return name == "node" }}
	for _, src := range []string{"(node)*p", "(count)*p", "p->next != NULL && p->val > 100"} {
		x, err := opts.Parse(src)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(expr.Format(x))
	}
	// Output:
	// ((node)(*p))
	// (count * p)
	// ((p->next != NULL) && (p->val > 100))
}

func ExampleError_Render() {
	src := "len(buf, 2) > 0"
	_, err := expr.Options{Lang: expr.Go}.Parse(src)
	fmt.Println(err.(*expr.Error).Render(src))
	// Output:
	// 1:10: len expects 1 argument, got 2
	// len(buf, 2) > 0
	//          ^
}

func ExampleParseTemplate() {
	t, err := expr.ParseTemplate("x={x} {{literal}} y={p->y}")
	if err != nil {
		panic(err)
	}
	for _, p := range t.Parts {
		if p.Expr != nil {
			fmt.Printf("expr %q\n", p.Text)
		} else {
			fmt.Printf("text %q\n", p.Text)
		}
	}
	// Output:
	// text "x="
	// expr "x"
	// text " {literal} y="
	// expr "p->y"
}

func ExampleParseHitCondition() {
	h, err := expr.ParseHitCondition("% 3")
	if err != nil {
		panic(err)
	}
	for hits := uint64(1); hits <= 7; hits++ {
		if h.Match(hits) {
			fmt.Println("stop at hit", hits)
		}
	}
	// Output:
	// stop at hit 3
	// stop at hit 6
}

func ExampleFold() {
	x, _ := expr.Parse("-1 < 1u")
	c, ok, err := expr.Fold(x, expr.C)
	fmt.Println(c, c.Type, ok, err)
	// Output:
	// 0 int true <nil>
}
