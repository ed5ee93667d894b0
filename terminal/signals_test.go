package terminal

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestSignalsScript: a crash stops the thread with the kernel's account
// of it and the line, and the program then dies of it as natively;
// `handle` shows and changes the table (a bad name is an error that
// loses nothing), and `handle SIGUSR1 stop nopass` stops at the signal
// and keeps it from the program's handler, which then never ran.
func TestSignalsScript(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "crash.c"))
	out := script(t, nil, "continue\nbt 1\ncontinue\n", "exec", prog, "segv")
	expectInOrder(t, out,
		`^Thread (\d+) received SIGSEGV \(segmentation fault\): address not mapped to object at 0x0$`,
		`^Thread \d+ stopped \(exception\): crash\(\) crash\.c:\d+$`,
		`return \*nowhere; // BP:segv`,
		`#0 .* in crash\(\)`,
		`^Process \d+ killed by SIGSEGV`)

	out = script(t, nil, "handle SIGFOO stop\nhandle usr1 stop nopass\nsignals\ncontinue\ncontinue\n", "exec", prog, "usr1")
	expectInOrder(t, out,
		`^handle: no signal named "SIGFOO"`,
		`^SIGUSR1 +Yes +Yes +No +user defined signal 1$`,
		`^Signal +Stop +Print +Pass +Description$`,
		`^SIGUSR1 +Yes +Yes +No +user defined signal 1$`,
		`^SIGSEGV +Fatal +No +Yes +segmentation fault$`,
		`^Thread \d+ received SIGUSR1 \(user defined signal 1\): raised by the program$`,
		`^Thread \d+ stopped \(signal\): `,
		`^usr1 0$`,
		`^Process \d+ exited with status 0`)
}

// TestCatchThrowScript: catch throw and catch catch, set before libstdc++
// is loaded, stop at each throw and catch with the C++ type, are listed
// as catchpoints, and the program ends as natively once they are deleted.
func TestCatchThrowScript(t *testing.T) {
	prog := testprog.BuildCXX(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "throw.cpp"))
	out := script(t, nil, "catch throw\ncatch catch\ncatch load\ncontinue\ncontinue\ncontinue\nbreakpoints\ndelete 1\ndelete 2\ncontinue\n", "exec", prog)
	expectInOrder(t, out,
		`^Catchpoint 1 \(throw\) \(pending: libstdc\+\+ is not loaded yet\)$`,
		`^Catchpoint 2 \(catch\) \(pending`,
		`^catch: catch load is not supported yet`,
		`^Catchpoint 1 at 0x[0-9a-f]+: __cxa_throw\(\)`,
		`^Thread \d+ stopped \(C\+\+ exception thrown: int 42\): __cxa_throw\(\)`,
		`^Thread \d+ stopped \(C\+\+ exception caught: int 42\): __cxa_begin_catch\(\)`,
		`^Thread \d+ stopped \(C\+\+ exception thrown: std::runtime_error\)`,
		`^1 +catch throw +y +2 `,
		`^2 +catch catch +y +1 `,
		`^caught int 42$`,
		`^caught "a C string"$`,
		`^Process \d+ exited with status 0`)
}

// TestGoPanicScript: an unrecovered panic stops with its value before the
// runtime prints it, bt shows the panicking function, and the program
// then dies as natively; `catch panic off` lets it die without a stop.
func TestGoPanicScript(t *testing.T) {
	prog := testprog.BuildGoWith(t, "", nil, filepath.Join("..", "debugger", "testdata", "gopanic"))
	out := script(t, nil, "continue\nbt\ncontinue\n", "exec", prog, "panic")
	expectInOrder(t, out,
		`^Thread \d+ stopped \(panic: it broke: panic\): runtime\.fatalpanic\(\) panic\.go:\d+$`,
		`^> #0 .* in runtime\.fatalpanic\(msgs=\*\.\.\.\)`,
		`#\d+ .* in main\.fail\(`,
		`^panic: it broke: panic$`,
		`^Process \d+ exited with status 2`)
	out = script(t, nil, "catch panic off\ncatch panic sometimes\ncontinue\n", "exec", prog, "panic")
	expectInOrder(t, out,
		`^An unrecovered Go panic no longer stops$`,
		`^catch: catch panic takes nothing or off`,
		`^panic: it broke: panic$`,
		`^Process \d+ exited with status 2`)
	if strings.Contains(out, "stopped (panic") {
		t.Errorf("a panic stopped with catch panic off:\n%s", out)
	}
}

// TestCatchRethrowScript: catch rethrow stops at the `throw;` that
// rethrows, in __cxa_rethrow with the rethrowing line one frame up.
func TestCatchRethrowScript(t *testing.T) {
	prog := testprog.BuildCXX(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "throw.cpp"))
	out := script(t, nil, "catch rethrow\ncontinue\nbt 2\ncontinue\n", "exec", prog, "rethrow")
	expectInOrder(t, out,
		`^Catchpoint 1 \(rethrow\) \(pending`,
		`^Thread \d+ stopped \(C\+\+ exception rethrown\): __cxa_rethrow\(\)`,
		`^ *#1 .* in rethrower\(\) at .*throw\.cpp:\d+`,
		`^caught again 7$`,
		`^Process \d+ exited with status 0`)
}

// TestCatchForkExecScript: catch fork and catch vfork stop the parent as
// its call returns, naming the child, which runs on (its output comes);
// catch exec stops the thread that exec'd in the new program, and the
// program ends as natively. They are listed and deleted like breakpoints.
func TestCatchForkExecScript(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "target", "testdata", "forkexec.c"))
	out := script(t, nil, "catch fork\ncatch vfork\nbreakpoints\ncontinue\ncontinue\ncontinue\n", "exec", prog)
	expectInOrder(t, out,
		`^Catchpoint 1 \(fork\)$`,
		`^Catchpoint 2 \(vfork\)$`,
		`^1 +catch fork +y +0 `,
		`^Thread \d+ stopped at catchpoint 1 \(forked process \d+\): `,
		`^child exited 7$`,
		`^Thread \d+ stopped at catchpoint 2 \(vforked process \d+\): `,
		`^vfork child exited 0$`,
		`^Process \d+ exited with status 0`)
	out = script(t, nil, "catch exec\ncontinue\nbreakpoints\ndelete 1\ncontinue\n", "exec", prog, "exec")
	expectInOrder(t, out,
		`^Catchpoint 1 \(exec\)$`,
		`^before exec$`,
		`^Thread \d+ stopped at catchpoint 1 \(exec'd .*forkexec.*\): `,
		`^1 +catch exec +y +1 `,
		`^after exec$`,
		`^Process \d+ exited with status 5`)
}

// TestCatchSyscallScript: catch syscall write stops the main thread as it
// enters write and as it leaves it (the line it wrote is out by then);
// a call or number x86-64 does not have is an error; deleted, the program
// ends as natively.
func TestCatchSyscallScript(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "target", "testdata", "forkexec.c"))
	out := script(t, nil, "catch syscall nosuch\ncatch syscall 99999\ncatch syscall write\ncontinue\ncontinue\nbreakpoints\ndelete\ncontinue\n", "exec", prog)
	expectInOrder(t, out,
		`no system call named "nosuch"`,
		`no system call number 99999`,
		`^Catchpoint 1 \(syscalls 'write' \[1\]\)$`,
		`^Thread \d+ stopped at catchpoint 1 \(call to syscall write\): `,
		`^child exited 7$`,
		`^Thread \d+ stopped at catchpoint 1 \(returned from syscall write\): `,
		`^1 +catch syscall +y +2 .*system calls 'write' \[1\]$`,
		`^vfork child exited 0$`,
		`^Process \d+ exited with status 0`)
}
