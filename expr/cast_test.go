package expr

import "testing"

// TestCastAmbiguity checks that (a)*b, (x)-1 and friends are casts exactly
// when IsType says the parenthesised name is a type.
func TestCastAmbiguity(t *testing.T) {
	tests := []struct {
		src          string
		asType       string // with IsType accepting the name
		asValue      string // with IsType refusing it
		langs        string
		nameAsked    string
		alwaysCastIn string // non-empty if the name is built in
	}{
		{src: "(a)*b", asType: "((a)(*b))", asValue: "(a * b)", langs: "CG", nameAsked: "a"},
		{src: "(x)-1", asType: "((x)(-1))", asValue: "(x - 1)", langs: "CG", nameAsked: "x"},
		{src: "(x)+1", asType: "((x)(+1))", asValue: "(x + 1)", langs: "CG", nameAsked: "x"},
		{src: "(a)&b", asType: "((a)(&b))", asValue: "(a & b)", langs: "CG", nameAsked: "a"},
		{src: "(a)^b", asType: "((a)(~b))", asValue: "(a ^ b)", langs: "CG", nameAsked: "a"},
		{src: "(a)(b)", asType: "((a)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a)b", asType: "((a)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a)!b", asType: "((a)(!b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a) * b", asType: "((a)(*b))", asValue: "(a * b)", langs: "CG", nameAsked: "a"},
		{src: "(a*)b", asType: "((a *)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a*)*b", asType: "((a *)(*b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a * b)", asType: "(a * b)", asValue: "(a * b)", langs: "CG", nameAsked: "a"},
		{src: "(a * *b)", asType: "(a * (*b))", asValue: "(a * (*b))", langs: "CG", nameAsked: "a"},
		{src: "(*a)(b)", asType: "((a *)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(*a)*b", asType: "((*a) * b)", asValue: "((*a) * b)", langs: "CG", nameAsked: "a"},
		{src: "(*a)&0", asType: "((*a) & 0)", asValue: "((*a) & 0)", langs: "CG", nameAsked: "a"},
		{src: "(*a)b", asType: "", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(**a)(b)", asType: "((a **)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "(a.b)-c", asType: "((a.b)(-c))", asValue: "(a.b - c)", langs: "CG", nameAsked: "a.b"},
		{src: "(a::b)-c", asType: "((a::b)(-c))", asValue: "(a::b - c)", langs: "C", nameAsked: "a::b"},
		// A type that is not followed by an operand reads as a name.
		{src: "(a) == 1", asType: "(a == 1)", asValue: "(a == 1)", langs: "CG", nameAsked: "a"},
		{src: "(a)", asType: "a", asValue: "a", langs: "CG", nameAsked: "a"},
		{src: "(a).f", asType: "a.f", asValue: "a.f", langs: "CG", nameAsked: "a"},
		{src: "(a)[1]", asType: "a[1]", asValue: "a[1]", langs: "C", nameAsked: "a"},
		// sizeof(name) follows the same question.
		{src: "sizeof(a)", asType: "sizeof(a)", asValue: "(sizeof a)", langs: "C", nameAsked: "a"},
		{src: "sizeof (a)-1", asType: "(sizeof(a) - 1)", asValue: "((sizeof a) - 1)", langs: "C", nameAsked: "a"},
		// Go conversions ask too.
		{src: "a(b)", asType: "((a)(b))", asValue: "", langs: "CG", nameAsked: "a"},
		{src: "p.a(b)", asType: "((p.a)(b))", asValue: "", langs: "CG", nameAsked: "p.a"},
	}
	for _, tt := range tests {
		for _, lang := range langsOf(tt.langs) {
			var asked []string
			for _, isT := range []bool{true, false} {
				o := Options{Lang: lang, IsType: func(n string) bool { asked = append(asked, n); return isT && n == tt.nameAsked }}
				want := tt.asValue
				if isT {
					want = tt.asType
				}
				x, err := o.Parse(tt.src)
				switch {
				case want == "" && err == nil:
					t.Errorf("%v, IsType=%v: Parse(%q) = %s, want an error", lang, isT, tt.src, Format(x))
				case want == "":
					if _, ok := err.(*Error); !ok {
						t.Errorf("%v: Parse(%q) error %T", lang, tt.src, err)
					}
				case err != nil:
					t.Errorf("%v, IsType=%v: Parse(%q): %v", lang, isT, tt.src, err)
				case Format(x) != want:
					t.Errorf("%v, IsType=%v: Parse(%q) = %s, want %s", lang, isT, tt.src, Format(x), want)
				default:
					if y, err := o.Parse(Format(x)); err != nil || dump(x) != dump(y) {
						t.Errorf("%v, IsType=%v: %s does not parse back: %v", lang, isT, Format(x), err)
					}
				}
			}
			found := false
			for _, n := range asked {
				found = found || n == tt.nameAsked
			}
			if !found {
				t.Errorf("%v: Parse(%q) never asked IsType(%q); asked %q", lang, tt.src, tt.nameAsked, asked)
			}
		}
	}
}

// TestBuiltinTypes checks that casts to built-in type names parse with no
// IsType at all, and that each dialect keeps to its own names.
func TestBuiltinTypes(t *testing.T) {
	cTypes := []string{"int", "char", "unsigned", "signed", "long", "short", "float", "double",
		"_Bool", "bool", "void *", "struct s", "union u", "enum e", "uint8_t", "int64_t", "size_t",
		"ssize_t", "uintptr_t", "ptrdiff_t", "unsigned long long", "long long", "long int"}
	for _, typ := range cTypes {
		src := "(" + typ + ")-x"
		x, err := Parse(src)
		if err != nil {
			t.Errorf("C: Parse(%q): %v", src, err)
			continue
		}
		if _, ok := x.(*Cast); !ok {
			t.Errorf("C: Parse(%q) = %s, not a cast", src, Format(x))
		}
	}
	goTypes := []string{"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
		"uint32", "uint64", "uintptr", "float32", "float64", "byte", "rune", "string", "bool",
		"complex128", "any", "unsafe.Pointer"}
	for _, typ := range goTypes {
		for _, src := range []string{typ + "(x)", "(" + typ + ")(x)", "(" + typ + ")-x"} {
			x, err := Options{Lang: Go}.Parse(src)
			if err != nil {
				t.Errorf("Go: Parse(%q): %v", src, err)
				continue
			}
			if _, ok := x.(*Cast); !ok {
				t.Errorf("Go: Parse(%q) = %s, not a conversion", src, Format(x))
			}
		}
	}
	// Go's type names are ordinary names in C and the other way round.
	if x, err := Parse("(uint64)-x"); err != nil || Format(x) != "(uint64 - x)" {
		t.Errorf("C: (uint64)-x = %v, %v", x, err)
	}
	if x, err := (Options{Lang: Go}).Parse("(size_t)-x"); err != nil || Format(x) != "(size_t - x)" {
		t.Errorf("Go: (size_t)-x = %v, %v", x, err)
	}
	if _, err := (Options{Lang: Go}).Parse("(unsigned long)x"); err == nil {
		t.Error("Go: (unsigned long)x parsed")
	}
	// In Go, predeclared type names are not reserved: int can be a value.
	if x, err := (Options{Lang: Go}).Parse("int + 1"); err != nil || Format(x) != "(int + 1)" {
		t.Errorf("Go: int + 1 = %v, %v", x, err)
	}
	// In C they are reserved.
	if _, err := Parse("int + 1"); err == nil {
		t.Error("C: int + 1 parsed")
	}
}

func TestTypeSpecifierErrors(t *testing.T) {
	for _, src := range []string{
		"(long char)x", "(unsigned double)x", "(short long)x", "(long long long)x",
		"(signed unsigned)x", "(int int)x", "(void void)x", "(char int)x", "(unsigned struct s)x",
		"(struct)x", "(struct 1)x", "(const)x", "(const 1)x", "(int x)", "(int", "(int)", "sizeof(int",
		"(float double)x", "(_Bool int)x",
	} {
		_, err := Parse(src)
		if _, ok := err.(*Error); !ok {
			t.Errorf("Parse(%q): %v, want *Error", src, err)
		}
	}
}
