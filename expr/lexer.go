package expr

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tFloat
	tChar
	tString
	tReg
	tOp
)

// token is one lexeme. The whole input is lexed before parsing so that
// the parser can back out of a guess (is `(a)` a type?) by resetting an
// index.
type token struct {
	kind tokKind
	pos  int
	text string // identifier, register name, operator, or literal as written
	lit  Expr   // decoded literal node for tInt, tFloat, tChar, tString
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tIdent:
		return fmt.Sprintf("name %s", t.text)
	case tReg:
		return fmt.Sprintf("register $%s", t.text)
	case tInt, tFloat, tChar, tString:
		return fmt.Sprintf("literal %s", t.text)
	}
	return fmt.Sprintf("'%s'", t.text)
}

// operators lists every operator and punctuation token, longest first
// within each length, so that the lexer takes the longest match. Some are
// lexed only to be refused with a helpful message (++, +=, :=, ?, {).
var operators = [3][]string{
	{"<<=", ">>=", "&^="},
	{"->", "::", "<<", ">>", "&^", "&&", "||", "<=", ">=", "==", "!=",
		"++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", ":="},
	{"+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "<", ">", "=",
		"(", ")", "[", "]", ".", ",", ":", "?", "{", "}", ";"},
}

type lexer struct {
	src  string
	base int // added to every position: the offset of src in a template
	i    int
	toks []token
}

// lex splits src into tokens, ending with a tEOF token. base is added to
// every position (and error position).
func lex(src string, base int, full string) ([]token, *Error) {
	lx := lexer{src: src, base: base}
	for {
		t, err := lx.next()
		if err != nil {
			err.src = full
			return nil, err
		}
		lx.toks = append(lx.toks, t)
		if t.kind == tEOF {
			return lx.toks, nil
		}
	}
}

func (lx *lexer) errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: lx.base + pos, Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) next() (token, *Error) {
	s := lx.src
	for lx.i < len(s) && isSpace(s[lx.i]) {
		lx.i++
	}
	start := lx.i
	pos := lx.base + start
	if start == len(s) {
		return token{kind: tEOF, pos: pos}, nil
	}
	c := s[start]
	switch {
	case isIdentStart(s, start):
		lx.i = identEnd(s, start)
		return token{kind: tIdent, pos: pos, text: s[start:lx.i]}, nil
	case isDigit(c) || c == '.' && start+1 < len(s) && isDigit(s[start+1]):
		return lx.number()
	case c == '\'' || c == '"' || c == '`':
		return lx.quoted()
	case c == '$':
		end := start + 1
		for end < len(s) && (isAlnum(s[end]) || s[end] == '_') {
			end++
		}
		if end == start+1 {
			return token{}, lx.errorf(start, "expected register name after '$'")
		}
		lx.i = end
		return token{kind: tReg, pos: pos, text: s[start+1 : end]}, nil
	}
	for n := 3; n >= 1; n-- {
		if start+n > len(s) {
			continue
		}
		for _, op := range operators[3-n] {
			if s[start:start+n] == op {
				lx.i = start + n
				return token{kind: tOp, pos: pos, text: op}, nil
			}
		}
	}
	r, _ := utf8.DecodeRuneInString(s[start:])
	if r == utf8.RuneError {
		return token{}, lx.errorf(start, "invalid UTF-8 encoding")
	}
	return token{}, lx.errorf(start, "unexpected character %q", r)
}

// number scans the longest run that could be part of a number, as Go's
// scanner does, and lets parseNumber decide whether it is well formed, so
// that `08` or `1x2` is one bad literal rather than two confusing tokens.
func (lx *lexer) number() (token, *Error) {
	s := lx.src
	start := lx.i
	hex := len(s) > start+1 && s[start] == '0' && (s[start+1] == 'x' || s[start+1] == 'X')
	i := start
	for i < len(s) {
		c := s[i]
		if isAlnum(c) || c == '_' || c == '.' {
			i++
			continue
		}
		if (c == '+' || c == '-') && i > start {
			p := s[i-1] | 0x20 // lower case
			if hex && p == 'p' || !hex && p == 'e' {
				i++
				continue
			}
		}
		break
	}
	lx.i = i
	lit, err := parseNumber(s[start:i], lx.base+start)
	if err != nil {
		return token{}, err
	}
	kind := tInt
	if _, ok := lit.(*FloatLit); ok {
		kind = tFloat
	}
	return token{kind: kind, pos: lx.base + start, text: s[start:i], lit: lit}, nil
}

// quoted scans a character, string or raw string literal.
func (lx *lexer) quoted() (token, *Error) {
	s := lx.src
	start := lx.i
	q := s[start]
	i := start + 1
	for {
		if i >= len(s) || q != '`' && s[i] == '\n' {
			what := map[byte]string{'\'': "character", '"': "string", '`': "raw string"}[q]
			return token{}, lx.errorf(start, "%s literal not terminated", what)
		}
		if s[i] == q {
			break
		}
		if s[i] == '\\' && q != '`' && i+1 < len(s) {
			i++
		}
		i++
	}
	lx.i = i + 1
	raw := s[start:lx.i]
	pos := lx.base + start
	var lit Expr
	var err *Error
	switch q {
	case '\'':
		lit, err = parseChar(raw, pos)
	default:
		lit, err = parseString(raw, pos)
	}
	if err != nil {
		return token{}, err
	}
	kind := tString
	if q == '\'' {
		kind = tChar
	}
	return token{kind: kind, pos: pos, text: raw, lit: lit}, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isIdentStart reports whether an identifier begins at s[i]: a letter or
// '_', including non-ASCII letters as Go (and GCC) allow.
func isIdentStart(s string, i int) bool {
	c := s[i]
	if c < utf8.RuneSelf {
		return c == '_' || isAlnum(c) && !isDigit(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

func identEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '_' && !isAlnum(c) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += n
	}
	return i
}
