package symbols

// A minimal ptrace driver for the tests only: start a program, let it
// run to its own SIGTRAP, and hand back the stopped thread's registers.
// The target package owns ptrace for the product; it was still being
// written (not committed) when these tests were, so they do not depend
// on its API.

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// stopped is a traced process stopped at its SIGTRAP.
type stopped struct {
	pid, tid int
	regs     unix.PtraceRegs
	mem      *os.File // /proc/PID/mem
	stdout   string   // path of the file the program's stdout went to
	execMaps *Table   // the process's images at the exec stop
	kill     func()
}

func (s *stopped) ReadMemory(addr uint64, buf []byte) (int, error) {
	return s.mem.ReadAt(buf, int64(addr))
}

// runToTrap starts path under ptrace and runs it until a thread stops
// with a SIGTRAP that is not a ptrace event. Other signals are delivered.
func runToTrap(t *testing.T, path string, args ...string) *stopped {
	t.Helper()
	type result struct {
		s   *stopped
		err error
	}
	ch := make(chan result, 1)
	release := make(chan struct{})
	out := t.TempDir() + "/stdout"
	go func() {
		// Every ptrace request must come from the thread that attached.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s, err := traceToTrap(path, out, args)
		ch <- result{s, err}
		if s == nil {
			return
		}
		<-release
		unix.Kill(s.pid, unix.SIGKILL)
		for {
			// Only this process group: other tests' children (go
			// build, gcc) are not ours to reap.
			var ws unix.WaitStatus
			if _, err := unix.Wait4(-s.pid, &ws, unix.WALL, nil); err != nil {
				break
			}
		}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("running %s to its trap: %v", path, r.err)
	}
	done := false
	r.s.kill = func() {
		if !done {
			done = true
			r.s.mem.Close()
			close(release)
		}
	}
	t.Cleanup(r.s.kill)
	return r.s
}

func traceToTrap(path, out string, args []string) (*stopped, error) {
	f, err := os.Create(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, os.Stderr
	// Its own process group, so that wait4(-pgid) sees its threads and
	// nothing else of the test binary's children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		return nil, err
	}
	s := &stopped{pid: pid, stdout: out}
	// At the exec stop only the executable and the dynamic loader are
	// mapped: the Reload test starts from here.
	if tab, err := LoadProcess(pid); err == nil {
		s.execMaps = tab
	}
	if err := unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACECLONE|unix.PTRACE_O_EXITKILL); err != nil {
		return nil, err
	}
	if err := unix.PtraceCont(pid, 0); err != nil {
		return nil, err
	}
	for {
		tid, err := unix.Wait4(-pid, &ws, unix.WALL, nil)
		if err != nil {
			return nil, err
		}
		if ws.Exited() || ws.Signaled() {
			if tid == pid {
				return nil, fmt.Errorf("process ended before its trap: %v", ws)
			}
			continue
		}
		if !ws.Stopped() {
			continue
		}
		sig := ws.StopSignal()
		switch {
		case sig == unix.SIGTRAP && ws.TrapCause() == 0:
			if err := unix.PtraceGetRegs(tid, &s.regs); err != nil {
				return nil, err
			}
			s.tid = tid
			s.mem, err = os.Open(fmt.Sprintf("/proc/%d/mem", pid))
			if err != nil {
				return nil, err
			}
			return s, nil
		case sig == unix.SIGTRAP || sig == unix.SIGSTOP:
			// Clone events, and the SIGSTOP a new thread starts with.
			unix.PtraceCont(tid, 0)
		default:
			unix.PtraceCont(tid, int(sig))
		}
	}
}
