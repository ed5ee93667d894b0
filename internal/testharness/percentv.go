package testharness

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	ifaceHead  = regexp.MustCompile(`(?:[\w./*\[\]]+|interface \{\})\([^()]*\) `)
	sliceHead  = regexp.MustCompile(`len: \d+, cap: \d+, `)
	fieldLabel = regexp.MustCompile(`([{ ])\w+: `)
	quotedStr  = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

// PercentV rewrites a Go value as the debugger shows it (Delve's form)
// into what fmt's %v prints for it, so that tests compare the debugger
// with the program's own output. It knows the forms the test programs
// use: interface heads, slice lengths, field names, commas and quotes go;
// a pointer to a struct in an interface is &{...}; nil is <nil>. Maps
// are not rewritten.
func PercentV(s string) string {
	// Quoted strings are taken as they are; the rest is rewritten.
	var b strings.Builder
	last := 0
	for _, m := range quotedStr.FindAllStringIndex(s, -1) {
		b.WriteString(rewriteV(s[last:m[0]]))
		if u, err := strconv.Unquote(s[m[0]:m[1]]); err == nil {
			b.WriteString(u)
		} else {
			b.WriteString(s[m[0]:m[1]])
		}
		last = m[1]
	}
	b.WriteString(rewriteV(s[last:]))
	if b.String() == "nil" {
		return "<nil>"
	}
	return b.String()
}

func rewriteV(s string) string {
	s = ifaceHead.ReplaceAllString(s, "")
	s = sliceHead.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "*{", "&{")
	s = fieldLabel.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, ", ", " ")
}

// ReadValues reads the NAME=VALUE lines a test program wrote, in order.
func ReadValues(t testing.TB, path string) (names []string, vals map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the program's values: %v", err)
	}
	vals = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if _, dup := vals[k]; ok && !dup {
			vals[k] = v
			names = append(names, k)
		}
	}
	return names, vals
}
