package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseNumber decodes a number literal in C or Go syntax. The float/int
// decision follows both languages: a '.' or an exponent makes a float
// (for hex, only a 'p' exponent, since e is a hex digit).
func parseNumber(text string, pos int) (Expr, *Error) {
	lower := strings.ToLower(text)
	hex := strings.HasPrefix(lower, "0x")
	other := strings.HasPrefix(lower, "0b") || strings.HasPrefix(lower, "0o")
	isFloat := !other && (strings.Contains(lower, ".") ||
		hex && strings.Contains(lower, "p") ||
		!hex && strings.Contains(lower, "e"))
	if isFloat {
		return parseFloat(text, pos, hex)
	}
	return parseInt(text, pos)
}

func parseFloat(text string, pos int, hex bool) (Expr, *Error) {
	body, suffix := text, byte(0)
	last := text[len(text)-1] | 0x20
	if (last == 'f' || last == 'l') && (!hex || strings.ContainsAny(text, "pP")) {
		body, suffix = text[:len(text)-1], last
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, &Error{Pos: pos, Msg: fmt.Sprintf("floating-point literal %s out of range", text)}
		}
		if hex && !strings.ContainsAny(body, "pP") {
			return nil, &Error{Pos: pos, Msg: "hexadecimal floating-point literal needs a 'p' exponent"}
		}
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("malformed floating-point literal %s", text)}
	}
	if suffix == 'f' {
		// A C float literal has float's precision; keep Value honest.
		v = float64(float32(v))
	}
	return &FloatLit{ValuePos: pos, Raw: text, Value: v, Suffix: suffix}, nil
}

func parseInt(text string, pos int) (Expr, *Error) {
	lower := strings.ToLower(text)
	hex := strings.HasPrefix(lower, "0x")
	// The suffix is the trailing run of u and l. In a hex literal a
	// trailing f is a digit, never a suffix, so this is safe for all bases.
	end := len(text)
	for end > 0 && strings.IndexByte("uUlL", text[end-1]) >= 0 {
		end--
	}
	if end > 0 && !hex && text[end-1] != '_' && !isDigit(text[end-1]) && end < len(text) {
		// e.g. 1fu: let the digit check below name the bad letter.
		end = len(text)
	}
	body, suffix := text[:end], text[end:]
	lit := &IntLit{ValuePos: pos, Raw: text}
	if suffix != "" {
		s := strings.ToLower(suffix)
		lit.Unsigned = strings.Contains(s, "u")
		lit.Longs = strings.Count(s, "l")
		ok := map[string]bool{"u": true, "l": true, "ul": true, "lu": true, "ll": true, "ull": true, "llu": true}[s]
		if ok && lit.Longs == 2 && !strings.Contains(suffix, "ll") && !strings.Contains(suffix, "LL") {
			ok = false // C does not allow lL or Ll
		}
		if !ok {
			return nil, &Error{Pos: pos + end, Msg: fmt.Sprintf("invalid suffix %q on integer literal", suffix)}
		}
	}
	if body == "" {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("malformed integer literal %s", text)}
	}
	v, err := strconv.ParseUint(body, 0, 64)
	if err == nil {
		lit.Value = v
		return lit, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("integer literal %s does not fit in 64 bits", text)}
	}
	return nil, intSyntaxError(body, pos)
}

// intSyntaxError explains why strconv rejected an integer literal,
// pointing at the first character that is wrong.
func intSyntaxError(body string, pos int) *Error {
	base, name, i := 10, "decimal", 0
	if len(body) > 1 && body[0] == '0' {
		switch body[1] | 0x20 {
		case 'x':
			base, name, i = 16, "hexadecimal", 2
		case 'b':
			base, name, i = 2, "binary", 2
		case 'o':
			base, name, i = 8, "octal", 2
		default:
			base, name, i = 8, "octal", 1
		}
	}
	digits := 0
	for j := i; j < len(body); j++ {
		c := body[j]
		if c == '_' {
			continue
		}
		d := digitVal(c)
		if d >= base {
			return &Error{Pos: pos + j, Msg: fmt.Sprintf("invalid digit %q in %s literal", c, name)}
		}
		digits++
	}
	if digits == 0 && i == 2 {
		return &Error{Pos: pos, Msg: fmt.Sprintf("%s literal has no digits", name)}
	}
	if strings.Contains(body, "_") {
		return &Error{Pos: pos, Msg: "'_' must separate successive digits"}
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf("malformed integer literal %s", body)}
}

func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c|0x20 && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return 99
}

// parseChar decodes a character literal: exactly one character or escape.
func parseChar(raw string, pos int) (Expr, *Error) {
	body := raw[1 : len(raw)-1]
	if body == "" {
		return nil, &Error{Pos: pos, Msg: "empty character literal"}
	}
	v, _, n, err := decodeOne(body, 0, pos+1)
	if err != nil {
		return nil, err
	}
	if n != len(body) {
		return nil, &Error{Pos: pos, Msg: "more than one character in character literal"}
	}
	return &CharLit{ValuePos: pos, Raw: raw, Value: v}, nil
}

// parseString decodes a "..." string (C and Go escapes) or a Go raw
// `...` string (no escapes; carriage returns dropped as Go does).
func parseString(raw string, pos int) (Expr, *Error) {
	body := raw[1 : len(raw)-1]
	if raw[0] == '`' {
		if !utf8.ValidString(body) {
			return nil, &Error{Pos: pos, Msg: "invalid UTF-8 encoding in string literal"}
		}
		return &StringLit{ValuePos: pos, Raw: raw, Value: strings.ReplaceAll(body, "\r", "")}, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		v, isByte, n, err := decodeOne(body, i, pos+1)
		if err != nil {
			return nil, err
		}
		if isByte {
			b.WriteByte(byte(v))
		} else {
			b.WriteRune(v)
		}
		i = n
	}
	return &StringLit{ValuePos: pos, Raw: raw, Value: b.String()}, nil
}

// decodeOne decodes the character or escape at s[i]. isByte reports a
// \x or octal escape, which stands for a byte rather than a code point.
// base is the source offset of s[0], for error positions.
func decodeOne(s string, i, base int) (v rune, isByte bool, next int, err *Error) {
	if s[i] != '\\' {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return 0, false, 0, &Error{Pos: base + i, Msg: "invalid UTF-8 encoding in literal"}
		}
		return r, false, i + n, nil
	}
	bad := func(format string, args ...any) (rune, bool, int, *Error) {
		return 0, false, 0, &Error{Pos: base + i, Msg: fmt.Sprintf(format, args...)}
	}
	if i+1 >= len(s) {
		return bad("escape sequence not terminated")
	}
	c := s[i+1]
	if simple := strings.IndexByte(`abfnrtv\'"?e`, c); simple >= 0 {
		// \e is GNU C's escape for ESC, common in terminal code.
		return rune("\a\b\f\n\r\t\v\\'\"?\x1b"[simple]), false, i + 2, nil
	}
	switch {
	case '0' <= c && c <= '7':
		// C allows one to three octal digits (\0 is NUL); Go's three
		// digit form is the same thing.
		j, val := i+1, 0
		for j < len(s) && j < i+4 && '0' <= s[j] && s[j] <= '7' {
			val = val*8 + int(s[j]-'0')
			j++
		}
		if val > 255 {
			return bad("octal escape value %d > 255", val)
		}
		return rune(val), true, j, nil
	case c == 'x':
		// One or two hex digits: Go's \xHH, and C's common case. C would
		// also swallow further hex digits and then overflow a char.
		j, val := i+2, 0
		for j < len(s) && j < i+4 && digitVal(s[j]) < 16 {
			val = val*16 + digitVal(s[j])
			j++
		}
		if j == i+2 {
			return bad("\\x used with no following hex digits")
		}
		return rune(val), true, j, nil
	case c == 'u' || c == 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if i+2+n > len(s) {
			return bad("\\%c needs %d hex digits", c, n)
		}
		val := 0
		for _, d := range []byte(s[i+2 : i+2+n]) {
			if digitVal(d) >= 16 {
				return bad("\\%c needs %d hex digits", c, n)
			}
			val = val*16 + digitVal(d)
		}
		if val > utf8.MaxRune || 0xD800 <= val && val < 0xE000 {
			return bad("escape sequence is an invalid Unicode code point")
		}
		return rune(val), false, i + 2 + n, nil
	}
	r, _ := utf8.DecodeRuneInString(s[i+1:])
	return bad("unknown escape sequence \\%c", r)
}
