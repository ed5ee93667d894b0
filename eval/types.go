package eval

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Types are Delve's godwarf.Type values as read from the program's DWARF,
// plus fake ones we make for literals and the results of arithmetic. This
// file sorts them into the classes evaluation cares about and names them
// the way each language writes them.

// class is what evaluation needs to know about a type.
type class uint8

const (
	clsVoid class = iota
	clsInt
	clsUint
	clsBool
	clsFloat
	clsComplex
	clsEnum
	clsPtr
	clsFunc
	clsArray
	clsStruct
	clsUnion
	clsGoString
	clsGoSlice
	clsGoMap
	clsGoChan
	clsGoIface
	clsOther
)

// resolve strips typedefs and qualifiers (not Go's named types' meaning:
// a Go named type's DWARF is a typedef only for maps, chans and
// interfaces, which are classified before the typedef is stripped).
func resolve(t godwarf.Type) godwarf.Type {
	for i := 0; i < 64 && t != nil; i++ {
		switch tt := t.(type) {
		case *godwarf.TypedefType:
			t = tt.Type
		case *godwarf.QualType:
			t = tt.Type
		case *godwarf.InterfaceType:
			t = tt.Type
		case *godwarf.MapType:
			t = tt.Type
		case *godwarf.ChanType:
			t = tt.Type
		default:
			return t
		}
	}
	return t
}

// structOf returns the struct layout of a struct, union, or Go string or
// slice type (godwarf wraps those two around a StructType).
func structOf(t godwarf.Type) (*godwarf.StructType, bool) {
	switch tt := resolve(t).(type) {
	case *godwarf.StructType:
		return tt, true
	case *godwarf.StringType:
		return &tt.StructType, true
	case *godwarf.SliceType:
		return &tt.StructType, true
	}
	return nil, false
}

func classOf(t godwarf.Type) class {
	for i := 0; i < 64 && t != nil; i++ {
		switch tt := t.(type) {
		case *godwarf.MapType:
			return clsGoMap
		case *godwarf.ChanType:
			return clsGoChan
		case *godwarf.InterfaceType:
			return clsGoIface
		case *godwarf.TypedefType:
			t = tt.Type
		case *godwarf.QualType:
			t = tt.Type
		case *godwarf.IntType, *godwarf.CharType:
			return clsInt
		case *godwarf.UintType, *godwarf.UcharType, *godwarf.AddrType:
			return clsUint
		case *godwarf.BoolType:
			return clsBool
		case *godwarf.FloatType:
			return clsFloat
		case *godwarf.ComplexType:
			return clsComplex
		case *godwarf.EnumType:
			return clsEnum
		case *godwarf.PtrType:
			return clsPtr
		case *godwarf.FuncType:
			return clsFunc
		case *godwarf.ArrayType:
			return clsArray
		case *godwarf.StringType:
			return clsGoString
		case *godwarf.SliceType:
			return clsGoSlice
		case *godwarf.StructType:
			if tt.Kind == "union" {
				return clsUnion
			}
			return clsStruct
		case *godwarf.VoidType:
			return clsVoid
		default:
			return clsOther
		}
	}
	return clsVoid
}

// isScalar reports whether values of the class are numbers or addresses.
func (k class) isScalar() bool {
	switch k {
	case clsInt, clsUint, clsBool, clsFloat, clsEnum, clsPtr:
		return true
	}
	return false
}

func (k class) isInteger() bool { return k == clsInt || k == clsUint || k == clsEnum || k == clsBool }

// sizeOf is the type's size in bytes.
func sizeOf(t godwarf.Type) int64 {
	if t == nil {
		return 0
	}
	switch tt := resolve(t).(type) {
	case *godwarf.PtrType, *godwarf.FuncType:
		return 8
	case *godwarf.VoidType:
		return 1
	case *godwarf.ArrayType:
		if tt.Count < 0 {
			return 0
		}
		return tt.Count * sizeOf(tt.Type)
	case nil:
		return 0
	default:
		return tt.Size()
	}
}

// isSigned reports whether an integer class type is signed (enums are
// signed if any enumerator is negative, as gcc picks the type).
func isSigned(t godwarf.Type) bool {
	switch tt := resolve(t).(type) {
	case *godwarf.IntType, *godwarf.CharType:
		return true
	case *godwarf.EnumType:
		for _, v := range tt.Val {
			if v.Val < 0 {
				return true
			}
		}
		return false
	}
	return false
}

// isCharType reports whether t is a C character type (printed with its
// character, and pointers to it as strings).
func isCharType(t godwarf.Type) bool {
	switch tt := resolve(t).(type) {
	case *godwarf.CharType, *godwarf.UcharType:
		return true
	case *godwarf.IntType:
		return tt.Size() == 1 && (tt.Name == "char" || tt.Name == "signed char")
	case *godwarf.UintType:
		return tt.Size() == 1 && tt.Name == "unsigned char"
	}
	return false
}

// typeName spells t as the language writes it.
func typeName(t godwarf.Type, lang expr.Lang) string {
	if t == nil {
		return "void"
	}
	if lang == expr.Go {
		if n := t.Common().Name; n != "" {
			return n
		}
		return t.String()
	}
	return cTypeName(t, "", 0)
}

// cTypeName writes a C declarator: inner is what the type applies to
// ("*" for a pointer to it, "" at the top).
func cTypeName(t godwarf.Type, inner string, depth int) string {
	if depth > 16 {
		return "..."
	}
	join := func(base string) string {
		if inner == "" {
			return base
		}
		if strings.HasPrefix(inner, "*") || strings.HasPrefix(inner, "&") {
			return base + " " + inner
		}
		return base + inner
	}
	switch tt := t.(type) {
	case *godwarf.PtrType:
		if isRef(tt) {
			return cTypeName(tt.Type, tt.Name+inner, depth+1)
		}
		return cTypeName(tt.Type, "*"+inner, depth+1)
	case *godwarf.ArrayType:
		if strings.HasPrefix(inner, "*") {
			inner = "(" + inner + ")"
		}
		n := ""
		if tt.Count >= 0 {
			n = fmt.Sprint(tt.Count)
		}
		return cTypeName(tt.Type, inner+" ["+n+"]", depth+1)
	case *godwarf.FuncType:
		var ps []string
		for _, p := range tt.ParamType {
			ps = append(ps, cTypeName(p, "", depth+1))
		}
		if strings.HasPrefix(inner, "*") {
			inner = "(" + inner + ")"
		}
		ret := "void"
		if tt.ReturnType != nil {
			ret = cTypeName(tt.ReturnType, "", depth+1)
		}
		return ret + " " + inner + "(" + strings.Join(ps, ", ") + ")"
	case *godwarf.QualType:
		return join(tt.Qual + " " + cTypeName(tt.Type, "", depth+1))
	case *godwarf.StructType:
		if tt.StructName == "" {
			return join(tt.Kind + " {...}")
		}
		return join(tt.Kind + " " + tt.StructName)
	case *godwarf.EnumType:
		return join("enum " + tt.EnumName)
	case *godwarf.VoidType:
		return join("void")
	case nil:
		return join("void")
	}
	return join(t.Common().Name)
}

// fakeInt makes an integer type for literals and arithmetic results.
func fakeInt(name string, size int64, signed bool) godwarf.Type {
	b := godwarf.BasicType{CommonType: godwarf.CommonType{ByteSize: size, Name: name}, BitSize: size * 8}
	if signed {
		b.ReflectKind = intKinds[size]
		return &godwarf.IntType{BasicType: b}
	}
	b.ReflectKind = uintKinds[size]
	return &godwarf.UintType{BasicType: b}
}

var (
	intKinds  = map[int64]reflect.Kind{1: reflect.Int8, 2: reflect.Int16, 4: reflect.Int32, 8: reflect.Int64}
	uintKinds = map[int64]reflect.Kind{1: reflect.Uint8, 2: reflect.Uint16, 4: reflect.Uint32, 8: reflect.Uint64}
)

func fakeFloat(name string, size int64) godwarf.Type {
	return &godwarf.FloatType{BasicType: godwarf.BasicType{CommonType: godwarf.CommonType{ByteSize: size, Name: name}, BitSize: size * 8}}
}

func fakeBool(name string) godwarf.Type {
	return &godwarf.BoolType{BasicType: godwarf.BasicType{CommonType: godwarf.CommonType{ByteSize: 1, Name: name}, BitSize: 8}}
}

func fakePtr(elem godwarf.Type, lang expr.Lang) godwarf.Type {
	p := &godwarf.PtrType{CommonType: godwarf.CommonType{ByteSize: 8}, Type: elem}
	if lang == expr.Go {
		p.Name = "*" + typeName(elem, lang)
	}
	return p
}

// builtinType returns the type a built-in name stands for in lang: C's
// base types and standard typedefs (LP64), Go's predeclared types except
// string (which comes from the program's DWARF).
func builtinType(name string, lang expr.Lang) godwarf.Type {
	if lang == expr.Go {
		switch name {
		case "int", "int64":
			return fakeInt(name, 8, true)
		case "int8":
			return fakeInt(name, 1, true)
		case "int16":
			return fakeInt(name, 2, true)
		case "int32", "rune":
			return fakeInt(name, 4, true)
		case "uint", "uint64", "uintptr":
			return fakeInt(name, 8, false)
		case "uint8", "byte":
			return fakeInt(name, 1, false)
		case "uint16":
			return fakeInt(name, 2, false)
		case "uint32":
			return fakeInt(name, 4, false)
		case "float32":
			return fakeFloat(name, 4)
		case "float64":
			return fakeFloat(name, 8)
		case "bool":
			return fakeBool(name)
		case "unsafe.Pointer":
			return &godwarf.PtrType{CommonType: godwarf.CommonType{ByteSize: 8, Name: name}, Type: &godwarf.VoidType{}}
		}
		return nil
	}
	switch name {
	case "char", "signed char", "int8_t":
		t := fakeInt(name, 1, true)
		if name != "int8_t" {
			return &godwarf.CharType{BasicType: *t.(*godwarf.IntType).Basic()}
		}
		return t
	case "unsigned char", "uint8_t":
		return fakeInt(name, 1, false)
	case "short", "int16_t":
		return fakeInt(name, 2, true)
	case "unsigned short", "uint16_t", "char16_t":
		return fakeInt(name, 2, false)
	case "int", "int32_t", "wchar_t":
		return fakeInt(name, 4, true)
	case "unsigned int", "uint32_t", "char32_t":
		return fakeInt(name, 4, false)
	case "long", "long long", "int64_t", "intptr_t", "intmax_t", "ssize_t", "ptrdiff_t":
		return fakeInt(name, 8, true)
	case "unsigned long", "unsigned long long", "uint64_t", "uintptr_t", "uintmax_t", "size_t":
		return fakeInt(name, 8, false)
	case "float":
		return fakeFloat(name, 4)
	case "double", "long double":
		// long double is read as a double: x87 80-bit values are not
		// supported (they are rare in conditions).
		return fakeFloat(name, 8)
	case "_Bool", "bool":
		return fakeBool(name)
	case "void":
		return &godwarf.VoidType{CommonType: godwarf.CommonType{Name: "void"}}
	}
	return nil
}
