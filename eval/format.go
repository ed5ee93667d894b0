package eval

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
)

// Summaries: the one-line Value of a Variable. C values look like gdb's
// (`{a = 1, b = 0x4010 "text"}`, `65 'A'`, `0x401136 <add>`), Go values
// like Delve's (`{X: 1, Y: 2}`, `[10, 20]`, `["one": 1]`). Aggregates
// nest Config.MaxDepth levels and then show as {...}; arrays and strings
// are capped (Config.MaxArray, MaxString) with "..." so a summary stays
// cheap. Config.Format writes numbers as gdb's print/FMT does.

const optimizedOut = "<optimized out>"

func (c *Context) summary(v *value, depth int) string {
	s, err := c.summarize(v, depth)
	if err != nil {
		if errors.Is(err, errOptimizedOut) {
			return optimizedOut
		}
		return "<error: " + err.Error() + ">"
	}
	return s
}

func (c *Context) summarize(v *value, depth int) (string, error) {
	if v.kind == lNone {
		return "", errOptimizedOut
	}
	if v.str != nil {
		return strconv.Quote(*v.str), nil
	}
	if isRef(v.typ) { // a C++ reference member: gdb's @ADDR: VALUE
		p, err := c.scalarOf(v)
		if err != nil {
			return "", err
		}
		r, err := c.throughRef(v)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("@%#x: %s", p.bits, c.summary(r, depth)), nil
	}
	switch cls := classOf(v.typ); cls {
	case clsInt, clsUint, clsBool, clsFloat, clsEnum:
		return c.formatScalar(v)
	case clsPtr:
		if c.lang == expr.Go {
			if s, ok := c.goPointee(v, depth); ok {
				return s, nil
			}
		}
		return c.formatPointer(v)
	case clsFunc:
		if c.lang == expr.Go {
			return c.formatGoFunc(v)
		}
		return fmt.Sprintf("{%s} %#x", typeName(v.typ, c.lang), v.addr), nil
	case clsArray:
		return c.formatArray(v, depth)
	case clsStruct, clsUnion:
		return c.formatStruct(v, depth)
	case clsGoString:
		s, n, err := c.goString(v, c.cfg.MaxString)
		if err != nil {
			return "", err
		}
		q := strconv.Quote(s)
		if int64(len(s)) < n {
			q += fmt.Sprintf("...+%d more", n-int64(len(s)))
		}
		return q, nil
	case clsGoSlice:
		return c.formatSlice(v, depth)
	case clsGoMap:
		return c.formatMap(v, depth)
	case clsGoChan:
		n, cp, isNil, err := c.chanLenCap(v)
		if err != nil {
			return "", err
		}
		if isNil {
			return "nil", nil
		}
		return fmt.Sprintf("len: %d, cap: %d", n, cp), nil
	case clsGoIface:
		d, err := c.ifaceDynamic(v)
		if err != nil {
			return "", err
		}
		if d == nil {
			return "nil", nil
		}
		return c.formatIface(v, d, depth), nil
	case clsVoid:
		return "void", nil
	case clsComplex:
		return c.formatComplex(v)
	}
	return "", fmt.Errorf("cannot show values of type %s", typeName(v.typ, c.lang))
}

// formatComplex writes a complex number as Go's fmt does, (1+2i): Go's
// complex64 and complex128, C's float _Complex and double _Complex (a
// real and an imaginary part, each a float of half the size).
func (c *Context) formatComplex(v *value) (string, error) {
	b, err := c.bytes(v)
	if err != nil {
		return "", err
	}
	var re, im float64
	switch len(b) {
	case 8:
		re = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		im = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4:])))
		return strconv.FormatComplex(complex(re, im), 'g', -1, 64), nil
	case 16:
		re = math.Float64frombits(binary.LittleEndian.Uint64(b))
		im = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
		return strconv.FormatComplex(complex(re, im), 'g', -1, 128), nil
	}
	return "", fmt.Errorf("%d-byte complex values are not supported", len(b))
}

// formatIface writes an interface as Delve does: its static type, its
// dynamic type in parentheses, then the dynamic value. A pointer to data
// is followed one level (`main.Shape(*main.Rect) *{W: 2, H: 3.5}`), so
// that an error made by errors.New shows its message, not an address.
func (c *Context) formatIface(v, d *value, depth int) string {
	head := typeName(v.typ, c.lang) + "(" + typeName(d.typ, c.lang) + ") "
	if classOf(d.typ) == clsPtr {
		if e, err := c.ifaceView(v); err == nil && e != nil && classOf(e.typ) != clsPtr {
			return head + "*" + c.summary(e, depth)
		}
	}
	return head + c.summary(d, depth)
}

func (c *Context) formatScalar(v *value) (string, error) {
	s, err := c.scalarOf(v)
	if err != nil {
		return "", err
	}
	if f := c.numberLetter(); f != 0 {
		return formatLetter(f, s, v), nil
	}
	switch s.cls {
	case clsBool:
		return strconv.FormatBool(s.bits != 0), nil
	case clsFloat:
		return strconv.FormatFloat(s.f, 'g', -1, int(8*sizeOf(v.typ))), nil
	case clsEnum:
		et := resolve(v.typ).(*godwarf.EnumType)
		for _, e := range et.Val {
			if uint64(e.Val) == s.bits || (!isSigned(v.typ) && uint64(uint32(e.Val)) == s.bits) {
				return e.Name, nil
			}
		}
		if isSigned(v.typ) {
			return strconv.FormatInt(int64(s.bits), 10), nil
		}
		return strconv.FormatUint(s.bits, 10), nil
	}
	var n string
	if s.cls == clsInt {
		n = strconv.FormatInt(int64(s.bits), 10)
	} else {
		n = strconv.FormatUint(s.bits, 10)
	}
	if c.lang != expr.Go && isCharType(v.typ) && v.bitSize == 0 {
		n += " " + quoteChar(byte(s.bits))
	}
	return n, nil
}

// numberLetter is the format letter that numbers are written in, 0 for
// their natural form (no letter, or s, which only changes strings).
func (c *Context) numberLetter() byte {
	if c.cfg.Format == 's' {
		return 0
	}
	return c.cfg.Format
}

// formatLetter writes a scalar as gdb's print/FMT does: the bits of the
// value's own size for x, o, t and u (so -1 in an int is 0xffffffff), a
// float converted to an integer first, c as the character of the low
// byte.
func formatLetter(f byte, s scalar, v *value) string {
	bits := s.bits
	if s.cls == clsFloat {
		bits = uint64(int64(s.f))
	}
	size := sizeOf(v.typ)
	if size > 0 && size < 8 {
		bits &= 1<<(8*size) - 1
	}
	switch f {
	case 'x':
		return fmt.Sprintf("%#x", bits)
	case 'o':
		if bits == 0 {
			return "0"
		}
		return fmt.Sprintf("%#o", bits)
	case 't':
		return strconv.FormatUint(bits, 2)
	case 'u':
		return strconv.FormatUint(bits, 10)
	case 'c':
		return strconv.FormatInt(int64(int8(bits)), 10) + " " + quoteChar(byte(bits))
	}
	// d: signed, from the value's own size.
	if size > 0 && size < 8 && bits&(1<<(8*size-1)) != 0 {
		return strconv.FormatInt(int64(bits)-int64(1)<<(8*size), 10)
	}
	return strconv.FormatInt(int64(bits), 10)
}

// quoteChar writes a C character the way gdb does: 'A', '\n', '\377'.
func quoteChar(b byte) string {
	switch b {
	case 0:
		return `'\000'`
	case '\'':
		return `'\''`
	case '\\':
		return `'\\'`
	case '\n':
		return `'\n'`
	case '\t':
		return `'\t'`
	}
	if b < 0x20 || b >= 0x7f {
		return fmt.Sprintf(`'\%03o'`, b)
	}
	return "'" + string(rune(b)) + "'"
}

func (c *Context) formatPointer(v *value) (string, error) {
	s, err := c.scalarOf(v)
	if err != nil {
		return "", err
	}
	pt := resolve(v.typ).(*godwarf.PtrType)
	if f := c.numberLetter(); f != 0 {
		return formatLetter(f, s, v), nil
	}
	if c.lang == expr.Go {
		if s.bits == 0 {
			return "nil", nil
		}
		return fmt.Sprintf("(%s)(%#x)", typeName(v.typ, c.lang), s.bits), nil
	}
	out := fmt.Sprintf("%#x", s.bits)
	if s.bits == 0 {
		return out, nil
	}
	switch {
	case isCharType(pt.Type):
		str, err := c.cString(s.bits, c.cfg.MaxString)
		if err != nil {
			return out + " <error: " + err.Error() + ">", nil
		}
		return out + " " + str, nil
	case classOf(pt.Type) == clsFunc:
		if name := c.symbolAt(s.bits); name != "" {
			return out + " <" + name + ">", nil
		}
	}
	return out, nil
}

// goPointee shows a Go pointer to a composite value as Delve does, by
// what it points to: *{Baz: 5, Bur: "strum"}; an address says little in
// Go, where pointers to structs are everywhere. Pointers to scalars,
// pointers, functions and unreadable memory keep their address, and so
// does everything past the summary's depth.
func (c *Context) goPointee(v *value, depth int) (string, bool) {
	pt := resolve(v.typ).(*godwarf.PtrType)
	switch classOf(pt.Type) {
	case clsStruct, clsArray, clsGoSlice, clsGoMap, clsGoString:
	default:
		return "", false
	}
	s, err := c.scalarOf(v)
	if err != nil || s.bits == 0 || depth >= c.maxDepth() {
		return "", false
	}
	d, err := c.summarize(memValue(pt.Type, s.bits), depth) // each struct level counts, not the pointer
	if err != nil {
		return "", false
	}
	return "*" + d, true
}

// formatGoFunc shows a Go func value by the function its closure calls.
func (c *Context) formatGoFunc(v *value) (string, error) {
	b, err := c.bytes(v)
	if err != nil {
		return "", err
	}
	var p uint64
	for i := 7; i >= 0 && i < len(b); i-- {
		p = p<<8 | uint64(b[i])
	}
	if p == 0 {
		return "nil", nil
	}
	code, err := c.read64(p)
	if err != nil {
		return "", err
	}
	if name := c.symbolAt(code); name != "" {
		return name, nil
	}
	return fmt.Sprintf("%#x", code), nil
}

// symbolAt names the function at an address, if it starts there.
func (c *Context) symbolAt(addr uint64) string {
	if c.cfg.Table == nil {
		return ""
	}
	info := c.cfg.Table.LookupPC(addr)
	if len(info.Frames) == 0 {
		return ""
	}
	return info.Frames[len(info.Frames)-1].Function
}

// cString reads a NUL-terminated string, quoted, capped at max bytes.
func (c *Context) cString(addr uint64, max int) (string, error) {
	var out []byte
	buf := make([]byte, 64)
	for len(out) < max {
		n, err := c.cfg.Mem.ReadMemory(addr+uint64(len(out)), buf)
		if n == 0 {
			if len(out) == 0 {
				if err == nil {
					err = fmt.Errorf("short read")
				}
				return "", fmt.Errorf("cannot read memory at %#x: %w", addr, err)
			}
			break
		}
		if i := indexZero(buf[:n]); i >= 0 {
			out = append(out, buf[:i]...)
			return quoteC(out, false), nil
		}
		out = append(out, buf[:n]...)
	}
	if len(out) > max {
		out = out[:max]
	}
	return quoteC(out, true), nil
}

// repeatThreshold is gdb's "print repeats": a run of more equal elements
// than this is written once with <repeats N times>.
const repeatThreshold = 10

// gdbCharArray writes a C char array as gdb does: every character of the
// array (NULs inside as \000), but for a final NUL, which is the string's
// end; runs of more than ten equal characters as 'c' <repeats N times>
// between the quoted parts. truncated: the array goes on past b.
func gdbCharArray(b []byte, truncated bool) string {
	if !truncated && len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return `""`
	}
	var segs []string
	var text []byte
	forRuns(b, func(c byte, n int) {
		if n <= repeatThreshold {
			text = append(text, bytes.Repeat([]byte{c}, n)...)
			return
		}
		if len(text) > 0 {
			segs, text = append(segs, quoteC(text, false)), nil
		}
		segs = append(segs, fmt.Sprintf("%s <repeats %d times>", quoteChar(c), n))
	})
	if len(text) > 0 {
		segs = append(segs, quoteC(text, false))
	}
	out := strings.Join(segs, ", ")
	if truncated {
		out += "..."
	}
	return out
}

// gdbRepeats writes runs of more than ten equal elements once, as gdb
// does: {0 <repeats 16 times>}.
func gdbRepeats(parts []string) []string {
	var out []string
	forRuns(parts, func(p string, n int) {
		if n > repeatThreshold {
			out = append(out, fmt.Sprintf("%s <repeats %d times>", p, n))
			return
		}
		for ; n > 0; n-- {
			out = append(out, p)
		}
	})
	return out
}

// forRuns calls f with each run of equal elements of xs, in order: the
// element and how many times it repeats.
func forRuns[T comparable](xs []T, f func(x T, n int)) {
	for i := 0; i < len(xs); {
		j := i + 1
		for j < len(xs) && xs[j] == xs[i] {
			j++
		}
		f(xs[i], j-i)
		i = j
	}
}

func indexZero(b []byte) int {
	for i, x := range b {
		if x == 0 {
			return i
		}
	}
	return -1
}

// quoteC quotes bytes as a C string literal; valid UTF-8 stays readable.
func quoteC(b []byte, more bool) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&sb, `\%03o`, b[0])
		case r == '"' || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\%03o`, r)
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	sb.WriteByte('"')
	if more {
		sb.WriteString("...")
	}
	return sb.String()
}

func (c *Context) formatArray(v *value, depth int) (string, error) {
	at := resolve(v.typ).(*godwarf.ArrayType)
	if c.lang != expr.Go && isCharType(at.Type) && at.Count > 0 && c.numberLetter() == 0 {
		n := min(at.Count, int64(c.cfg.MaxString))
		b, err := c.bytes(v.sub(0, &godwarf.ArrayType{CommonType: godwarf.CommonType{ByteSize: n}, Type: at.Type, Count: n}))
		if err != nil {
			return "", err
		}
		return gdbCharArray(b, n < at.Count), nil
	}
	if depth >= c.maxDepth() {
		return c.brackets("..."), nil
	}
	var parts []string
	for i := int64(0); i < at.Count && i < int64(c.cfg.MaxArray); i++ {
		e, err := c.element(v, i, nil)
		if err != nil {
			return "", err
		}
		parts = append(parts, c.summary(e, depth+1))
	}
	if c.lang != expr.Go {
		parts = gdbRepeats(parts)
	}
	if at.Count > int64(c.cfg.MaxArray) {
		parts = append(parts, fmt.Sprintf("...+%d more", at.Count-int64(c.cfg.MaxArray)))
	}
	return c.brackets(strings.Join(parts, ", ")), nil
}

// brackets encloses a list as the language writes composite literals.
func (c *Context) brackets(s string) string {
	if c.lang == expr.Go {
		return "[" + s + "]"
	}
	return "{" + s + "}"
}

func (c *Context) formatStruct(v *value, depth int) (string, error) {
	st := resolve(v.typ).(*godwarf.StructType)
	if depth >= c.maxDepth() {
		return "{...}", nil
	}
	var parts []string
	for i, f := range st.Field {
		fv := c.fieldValue(v, st, i)
		s := c.summary(fv, depth+1)
		if c.lang == expr.Go {
			parts = append(parts, f.Name+": "+s)
		} else {
			parts = append(parts, f.Name+" = "+s)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

func (c *Context) formatSlice(v *value, depth int) (string, error) {
	ptr, n, cp, err := c.goSlice(v)
	if err != nil {
		return "", err
	}
	if ptr == 0 && n == 0 {
		return "nil", nil
	}
	head := fmt.Sprintf("len: %d, cap: %d, ", n, cp)
	if et := sliceElem(v.typ); et != nil && classOf(et) == clsUint && sizeOf(et) == 1 {
		// []byte reads as a string, as it mostly holds text.
		k := min(n, int64(c.cfg.MaxString))
		b := make([]byte, k)
		if k > 0 {
			if err := c.readFull(ptr, b); err != nil {
				return "", err
			}
		}
		q := strconv.Quote(string(b))
		if k < n {
			q += fmt.Sprintf("...+%d more", n-k)
		}
		return head + q, nil
	}
	if depth >= c.maxDepth() {
		return head + "[...]", nil
	}
	var parts []string
	for i := int64(0); i < n && i < int64(c.cfg.MaxArray); i++ {
		e, err := c.goSliceElem(v, i)
		if err != nil {
			return "", err
		}
		parts = append(parts, c.summary(e, depth+1))
	}
	if n > int64(c.cfg.MaxArray) {
		parts = append(parts, fmt.Sprintf("...+%d more", n-int64(c.cfg.MaxArray)))
	}
	return head + "[" + strings.Join(parts, ", ") + "]", nil
}

func (c *Context) formatMap(v *value, depth int) (string, error) {
	h, err := c.mapHeader(v)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "nil", nil
	}
	n, err := c.mapLen(v)
	if err != nil {
		return "", err
	}
	head := fmt.Sprintf("len: %d, ", n)
	if depth >= c.maxDepth() {
		return head + "[...]", nil
	}
	var parts []string
	err = c.mapEntries(v, func(e mapEntry) bool {
		if len(parts) >= c.cfg.MaxArray {
			parts = append(parts, "...")
			return false
		}
		parts = append(parts, c.summary(e.key, depth+1)+": "+c.summary(e.val, depth+1))
		return true
	})
	if err != nil {
		return "", err
	}
	return head + "[" + strings.Join(parts, ", ") + "]", nil
}

// maxDepth is Config.MaxDepth, or its default for a Context made without
// NewContext (the DWARF-expression tests make one).
func (c *Context) maxDepth() int {
	if c.cfg.MaxDepth <= 0 {
		return 2
	}
	return c.cfg.MaxDepth
}
