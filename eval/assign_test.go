package eval

import (
	"os"
	"strings"
	"testing"
)

// exec runs an assignment and checks the value read back from memory.
func execAssign(t *testing.T, c *Context, stmt, readBack, want string) {
	t.Helper()
	v, err := c.Exec(stmt)
	if err != nil {
		t.Errorf("%s: %v", stmt, err)
		return
	}
	if !matches(v, want) {
		t.Errorf("%s returned %s, want %s", stmt, v.Value, want)
	}
	// A fresh context reads the target again, not a cache.
	if r := mustEval(t, c, readBack); !matches(r, want) {
		t.Errorf("after %s, %s = %s, want %s", stmt, readBack, r.Value, want)
	}
}

// printedAfter resumes the program to its next stop and returns what it
// printed in between, as NAME=VALUE.
func printedAfter(t *testing.T, s *session, next string) map[string]string {
	t.Helper()
	s.next(next)
	return s.vals
}

func TestCAssign(t *testing.T) {
	s := launch(t, buildC(t, "-O0"), "x")
	s.next("compute")
	s.next("types")
	s.next("assign")
	c := s.context("assigned")
	execAssign(t, c, "x = 5", "x", "5")
	execAssign(t, c, "s.a[1] = -7", "s.a[1]", "-7")
	execAssign(t, c, "arr[2] = -1", "arr[2]", "-1")
	execAssign(t, c, "p->tag = 'A'", "s.tag", "A")
	execAssign(t, c, "global_counter = global_counter * 2 + x", "global_counter", "89")
	if ok, err := c.Cond("x == 5 && p->tag == 65"); err != nil || !ok {
		t.Errorf("condition after assignment: %v %v", ok, err)
	}
	for _, bad := range []string{"x + 1 = 3", "&x = 0", "global_str = 5.5", "$rsp = 1"} {
		if _, err := c.Exec(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	got := printedAfter(t, s, "cond")
	for k, want := range map[string]string{"x": "5", "s.a[1]": "-7", "arr[2]": "-1", "p->tag": "65", "global_counter": "89"} {
		if got[k] != want {
			t.Errorf("program printed %s=%s after the assignment, want %s", k, got[k], want)
		}
	}
}

// TestCAssignRegister writes a variable that lives in a register at -O2
// in frame 0 through ptrace.
func TestCAssignRegister(t *testing.T) {
	s := launch(t, buildC(t, "-O2"), "x")
	s.next("compute")
	c := s.contextAt(0)
	v, err := c.Exec("$rax = 77")
	if err != nil {
		t.Fatalf("$rax = 77: %v", err)
	}
	if v.Value != "77" {
		t.Errorf("$rax = %s after assignment", v.Value)
	}
	if r := mustEval(t, c, "$rax"); r.Value != "77" {
		t.Errorf("$rax read back %s", r.Value)
	}
}

func TestGoAssign(t *testing.T) {
	s := launch(t, buildGo(t, "-gcflags=all=-N -l"))
	s.next("values")
	s.next("assign")
	c := s.context("main.assigned")
	execAssign(t, c, "x = 5", "x", "5")
	execAssign(t, c, "p.Y = 9", "p.Y", "9")
	execAssign(t, c, "arr[1] = 4", "arr[1]", "4")
	execAssign(t, c, "GlobalCount = 7", "main.GlobalCount", "7")
	for _, bad := range []string{"x = 1.5", "x = p", "p.Y = int32(3)", "x = \"s\""} {
		if _, err := c.Exec(bad); err == nil {
			t.Errorf("%s: no error (Go's assignability)", bad)
		}
	}
	// Let the program print what it now finds.
	s.runToExit()
	b, _ := os.ReadFile(s.out)
	out := string(b[s.seen:])
	for _, want := range []string{"x=5\n", "p.Y=9\n", "arr[1]=4\n", "GlobalCount=7\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("program output after assignments lacks %q:\n%s", want, out)
		}
	}
}
