package expr

import (
	"math"
	"strconv"
	"strings"
)

// HitOp is the comparison in a DAP hit condition.
type HitOp uint8

const (
	HitGE  HitOp = iota // ">= N", and a bare "N"
	HitGT               // "> N"
	HitEQ               // "== N" or "= N"
	HitLE               // "<= N"
	HitLT               // "< N"
	HitMod              // "% N": every Nth hit
)

var hitOpText = [...]string{HitGE: ">=", HitGT: ">", HitEQ: "==", HitLE: "<=", HitLT: "<", HitMod: "%"}

// HitCondition decides, from how many times a breakpoint has been hit,
// whether this hit should stop.
type HitCondition struct {
	Op HitOp
	N  uint64
}

// ParseHitCondition parses a DAP hitCondition: `N`, `== N`, `= N`,
// `>= N`, `> N`, `<= N`, `< N` or `% N`, with any spaces. A bare N means
// ">= N": stop on the Nth hit and every one after, as GDB's ignore counts
// and VS Code's first JavaScript debugger read it. (Delve reads a bare N
// as "== N".) N is a decimal count; "% 0" is refused.
func ParseHitCondition(s string) (HitCondition, error) {
	i := skipSpaces(s, 0)
	h := HitCondition{Op: HitGE}
	for _, op := range []struct {
		text string
		op   HitOp
	}{{">=", HitGE}, {"<=", HitLE}, {"==", HitEQ}, {">", HitGT}, {"<", HitLT}, {"=", HitEQ}, {"%", HitMod}} {
		if strings.HasPrefix(s[i:], op.text) {
			h.Op = op.op
			i = skipSpaces(s, i+len(op.text))
			break
		}
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		d := uint64(s[i] - '0')
		if h.N > (math.MaxUint64-d)/10 {
			return HitCondition{}, errorf(s, start, "hit count %s is too large", s[start:])
		}
		h.N = h.N*10 + d
		i++
	}
	switch {
	case i == start && i < len(s) && s[i] == '-':
		return HitCondition{}, errorf(s, i, "hit count must not be negative")
	case i == start:
		return HitCondition{}, errorf(s, i, "expected a hit count: N, == N, >= N, > N, <= N, < N or %% N")
	case h.Op == HitMod && h.N == 0:
		return HitCondition{}, errorf(s, start, "'%% 0' would divide by zero; use %% 1 to stop on every hit")
	}
	if j := skipSpaces(s, i); j < len(s) {
		return HitCondition{}, errorf(s, j, "unexpected %q after hit count", s[j:])
	}
	return h, nil
}

func skipSpaces(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// Match reports whether the hits-th hit (counting from 1, this one
// included) should stop.
func (h HitCondition) Match(hits uint64) bool {
	switch h.Op {
	case HitGE:
		return hits >= h.N
	case HitGT:
		return hits > h.N
	case HitEQ:
		return hits == h.N
	case HitLE:
		return hits <= h.N
	case HitLT:
		return hits < h.N
	case HitMod:
		return h.N != 0 && hits%h.N == 0
	}
	return false
}

// String returns the condition in canonical form, such as ">= 5".
func (h HitCondition) String() string {
	op := "?"
	if int(h.Op) < len(hitOpText) {
		op = hitOpText[h.Op]
	}
	return op + " " + strconv.FormatUint(h.N, 10)
}
