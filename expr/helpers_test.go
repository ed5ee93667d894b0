package expr

import (
	"fmt"
	"reflect"
	"strings"
)

// testTypes is the program the tests pretend to debug: these names are
// types, every other name is a variable.
var testTypes = map[string]bool{
	"T": true, "U": true, "foo_t": true, "MyInt": true,
	"main.T": true, "ns::T": true, "pkg.Point": true,
}

func testIsType(name string) bool { return testTypes[name] }

var (
	cOpts  = Options{Lang: C, IsType: testIsType}
	goOpts = Options{Lang: Go, IsType: testIsType}
)

// posFields are the position fields that dump leaves out, so that two
// ASTs of differently spaced text compare equal.
var posFields = map[string]bool{
	"NamePos": true, "Dollar": true, "ValuePos": true, "OpPos": true, "Dot": true,
	"Lbrack": true, "FunPos": true, "Lparen": true, "Sizeof": true, "EqPos": true, "Star": true,
}

// dump prints an AST with node types and every non-position field; equal
// dumps mean equal trees.
func dump(n any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n))
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem())
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if posFields[f.Name] || !f.IsExported() {
				continue
			}
			b.WriteString(f.Name + ":")
			dumpValue(b, v.Field(i))
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			dumpValue(b, v.Index(i))
			b.WriteString(",")
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "%#v", v.Interface())
	}
}

// checkPositions verifies that every node of an AST points inside src,
// which is what lets callers put a caret under any node.
func checkPositions(n Node, src string) error {
	var err error
	Walk(n, func(n Node) bool {
		if p := n.Pos(); p < 0 || p > len(src) {
			err = fmt.Errorf("%T at %d is outside the %d-byte source", n, p, len(src))
		}
		return err == nil
	})
	return err
}
