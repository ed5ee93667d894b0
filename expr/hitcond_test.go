package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestParseHitCondition(t *testing.T) {
	tests := []struct {
		src   string
		want  HitCondition
		canon string
		match []uint64 // hits 1..10 that match
	}{
		{"3", HitCondition{HitGE, 3}, ">= 3", []uint64{3, 4, 5, 6, 7, 8, 9, 10}},
		{"  3  ", HitCondition{HitGE, 3}, ">= 3", []uint64{3, 4, 5, 6, 7, 8, 9, 10}},
		{"== 3", HitCondition{HitEQ, 3}, "== 3", []uint64{3}},
		{"==3", HitCondition{HitEQ, 3}, "== 3", []uint64{3}},
		{"= 3", HitCondition{HitEQ, 3}, "== 3", []uint64{3}},
		{">= 9", HitCondition{HitGE, 9}, ">= 9", []uint64{9, 10}},
		{"> 9", HitCondition{HitGT, 9}, "> 9", []uint64{10}},
		{"<= 2", HitCondition{HitLE, 2}, "<= 2", []uint64{1, 2}},
		{"< 2", HitCondition{HitLT, 2}, "< 2", []uint64{1}},
		{"% 3", HitCondition{HitMod, 3}, "% 3", []uint64{3, 6, 9}},
		{"%1", HitCondition{HitMod, 1}, "% 1", []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"\t%\t4\n", HitCondition{HitMod, 4}, "% 4", []uint64{4, 8}},
		{"0", HitCondition{HitGE, 0}, ">= 0", []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"007", HitCondition{HitGE, 7}, ">= 7", []uint64{7, 8, 9, 10}},
		{"18446744073709551615", HitCondition{HitGE, 1<<64 - 1}, ">= 18446744073709551615", nil},
	}
	for _, tt := range tests {
		h, err := ParseHitCondition(tt.src)
		if err != nil {
			t.Errorf("ParseHitCondition(%q): %v", tt.src, err)
			continue
		}
		if h != tt.want || h.String() != tt.canon {
			t.Errorf("ParseHitCondition(%q) = %v (%s), want %v (%s)", tt.src, h, h, tt.want, tt.canon)
		}
		var got []uint64
		for n := uint64(1); n <= 10; n++ {
			if h.Match(n) {
				got = append(got, n)
			}
		}
		if len(got) != len(tt.match) {
			t.Errorf("%q matches %v, want %v", tt.src, got, tt.match)
			continue
		}
		for i := range got {
			if got[i] != tt.match[i] {
				t.Errorf("%q matches %v, want %v", tt.src, got, tt.match)
				break
			}
		}
	}
}

func TestParseHitConditionErrors(t *testing.T) {
	tests := []struct {
		src string
		pos int
		msg string
	}{
		{"", 0, "expected a hit count"},
		{"   ", 3, "expected a hit count"},
		{">=", 2, "expected a hit count"},
		{"% 0", 2, "'% 0' would divide by zero"},
		{"%0", 1, "divide by zero"},
		{"-1", 0, "must not be negative"},
		{">= -5", 3, "must not be negative"},
		{"abc", 0, "expected a hit count"},
		{"3x", 1, `unexpected "x"`},
		{"3 4", 2, `unexpected "4"`},
		{"== 3 ==", 5, "unexpected"},
		{"=== 3", 2, "expected a hit count"},
		{"!= 3", 0, "expected a hit count"},
		{"=> 3", 1, "expected a hit count"},
		{"+3", 0, "expected a hit count"},
		{"3.5", 1, "unexpected"},
		{"0x10", 1, "unexpected"},
		{"18446744073709551616", 0, "too large"},
		{"99999999999999999999999", 0, "too large"},
		{"% 3 % 4", 4, "unexpected"},
	}
	for _, tt := range tests {
		_, err := ParseHitCondition(tt.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseHitCondition(%q): %v, want *Error", tt.src, err)
			continue
		}
		if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("ParseHitCondition(%q): %s (pos %d), want position %d and %q", tt.src, e, e.Pos, tt.pos, tt.msg)
		}
	}
}

func TestHitConditionMatchEdges(t *testing.T) {
	if (HitCondition{HitMod, 0}).Match(5) {
		t.Error("a zero modulus built by hand must not divide by zero or match")
	}
	if (HitCondition{Op: HitOp(99), N: 1}).Match(1) {
		t.Error("unknown op matched")
	}
	if s := (HitCondition{Op: HitOp(99), N: 1}).String(); s != "? 1" {
		t.Errorf("String() = %q", s)
	}
	max := HitCondition{HitGE, 1<<64 - 1}
	if !max.Match(1<<64-1) || max.Match(1<<64-2) {
		t.Error("edge of uint64")
	}
}
