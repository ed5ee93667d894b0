package eval

import "testing"

// TestGdbArrays: char arrays and runs of equal elements written as gdb
// 13.1 writes them; each want is gdb's output for the same C object
// (char buf[8] = "buf", char big[64] = "hi", char zero[16], int ints[20],
// char tag[4] = "in").
func TestGdbArrays(t *testing.T) {
	pad := func(s string, n int) []byte { b := make([]byte, n); copy(b, s); return b }
	for _, c := range []struct {
		b         []byte
		truncated bool
		want      string
	}{
		{pad("buf", 8), false, `"buf\000\000\000\000"`},
		{pad("hi", 64), false, `"hi", '\000' <repeats 61 times>`},
		{pad("", 16), false, `'\000' <repeats 15 times>`},
		{pad("in", 4), false, `"in\000"`},
		{pad("box", 4), false, `"box"`},
		{[]byte("ab"), true, `"ab"...`},
		{pad("xxxxxxxxxxxxy", 14), false, `'x' <repeats 12 times>, "y"`},
	} {
		if got := gdbCharArray(c.b, c.truncated); got != c.want {
			t.Errorf("gdbCharArray(%q) = %s, want %s", c.b, got, c.want)
		}
	}
	zeros := make([]string, 20)
	for i := range zeros {
		zeros[i] = "0"
	}
	if got := gdbRepeats(zeros); len(got) != 1 || got[0] != "0 <repeats 20 times>" {
		t.Errorf("gdbRepeats(20 zeros) = %v", got)
	}
	ten := []string{"1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "2"}
	if got := gdbRepeats(ten); len(got) != 11 {
		t.Errorf("ten equal elements are not a run for gdb: %v", got)
	}
}
