package debugger

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestCatchSyscall: a syscall catchpoint on getppid stops each of the two
// threads at every entry and every exit of the call (400 of each), only the
// stopping thread in thread mode; the stops name the call; disabled, the
// target stops at no call, and the program prints what it prints natively.
func TestCatchSyscall(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "target", "testdata", "sysloop.c"))
	var out syncBuffer
	s := launch(t, LaunchConfig{Program: prog, Stdout: &out})
	ci, err := s.CatchEvent("syscall", "getppid")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CatchEvent("fork", "x"); err == nil {
		t.Error("catch fork with an argument accepted")
	}
	s.ContinueAll()
	calls, returns := 0, 0
	drain(t, s, func(ev Event) {
		switch ev.Description {
		case fmt.Sprintf("catchpoint %d (call to syscall getppid)", ci.ID):
			calls++
		case fmt.Sprintf("catchpoint %d (returned from syscall getppid)", ci.ID):
			returns++
		default:
			t.Errorf("stop %+v", ev)
		}
		if ev.AllStopped {
			t.Errorf("stop %+v stopped every thread", ev)
		}
		if calls == 300 {
			s.EnableBreakpoint(ci.ID, false) // the rest run unstopped
		}
		s.Continue(ev.Tid, false)
	})
	s.Wait() // the program's output is copied until then
	// The other thread may have stopped already when the catchpoint was
	// disabled (its stop was decided and on its way): one call more, and
	// the calls under way then may return unseen.
	if calls < 300 || calls > 301 || returns < calls-2 || returns > calls || out.String() != "200\n" {
		t.Errorf("%d calls, %d returns, output %q; want 300 or 301 calls, as many returns but for those under way when it was disabled, 200", calls, returns, out.String())
	}
}
