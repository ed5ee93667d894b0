package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a syntax error (or a constant-folding error) at a place in the
// source. Pos is a 0-based byte offset into the text that was parsed; for
// templates, into the whole template. Pos == len(src) means "at the end".
type Error struct {
	Pos int
	Msg string

	// src lets Error() report line:column in characters rather than a
	// byte offset, which is what a user counting along a line expects.
	src string
}

func (e *Error) Error() string {
	line, col := lineCol(e.src, e.Pos)
	if line == 1 && col == 1 {
		// At the very start (the whole expression, or its one token):
		// a position says nothing the message does not.
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", line, col, e.Msg)
}

// Render returns the error message followed by the offending source line
// and a caret under the column, ready for a terminal or a DAP error body:
//
//	1:5: expected operand, found '*'
//	x + * 3
//	    ^
func (e *Error) Render(src string) string {
	e2 := *e
	e2.src = src
	return e2.Error() + "\n" + Caret(src, e.Pos)
}

// Caret returns the line of src that contains byte offset pos and, below
// it, a caret under pos. Tabs before the column are copied into the caret
// line so that the caret lines up however wide the terminal's tabs are.
func Caret(src string, pos int) string {
	pos = max(0, min(pos, len(src)))
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	end := strings.IndexByte(src[pos:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += pos
	}
	var pad strings.Builder
	for _, r := range src[start:pos] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return src[start:end] + "\n" + pad.String() + "^"
}

// lineCol converts a byte offset into a 1-based line and character column.
// Without the source it can only assume a single line of ASCII.
func lineCol(src string, pos int) (line, col int) {
	if src == "" || pos < 0 || pos > len(src) {
		return 1, pos + 1
	}
	before := src[:pos]
	line = 1 + strings.Count(before, "\n")
	before = before[strings.LastIndexByte(before, '\n')+1:]
	return line, utf8.RuneCountInString(before) + 1
}

// errorf makes an *Error that remembers src for line:column reporting.
func errorf(src string, pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), src: src}
}
