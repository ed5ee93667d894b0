package target

import (
	"os"
	"sync/atomic"
	"syscall"
)

// doorbell wakes the ptrace thread out of wait4. It is a helper child of the
// ptrace thread that stops itself (SIGSTOP) whenever a byte arrives on its
// stdin; the stop is a wait4 result like any tracee's. Rings coalesce: only
// the first request after the ptrace thread last answered writes a byte.
type doorbell struct {
	pid  int
	w    *os.File    // the helper's stdin
	rung atomic.Bool // a byte is written and its stop not yet handled
	proc *os.Process
}

// startDoorbell must run on the ptrace thread: the helper must be a child of
// that OS thread for wait4(__WNOTHREAD) to see it.
func startDoorbell() (*doorbell, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	defer devnull.Close()
	proc, err := os.StartProcess("/proc/self/exe", []string{exe + " [ubpdbg doorbell]"}, &os.ProcAttr{
		Env:   []string{helperEnv + "=" + helperDoorbell},
		Files: []*os.File{r, devnull, devnull},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	r.Close()
	if err != nil {
		w.Close()
		return nil, err
	}
	return &doorbell{pid: proc.Pid, w: w, proc: proc}, nil
}

// ring wakes the ptrace thread if nobody has since it last answered. Safe
// from any goroutine.
func (d *doorbell) ring() {
	if d.rung.CompareAndSwap(false, true) {
		_, _ = d.w.Write([]byte{1})
	}
}

// answered is called by the ptrace thread when the helper's stop arrives,
// before it drains the request queue (see Process.loop for why this order
// never loses a request).
func (d *doorbell) answered() {
	d.rung.Store(false)
	_ = syscall.Kill(d.pid, syscall.SIGCONT)
}

// stop ends the helper and reaps it; on the ptrace thread.
func (d *doorbell) stop() {
	d.w.Close()
	_ = syscall.Kill(d.pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(d.pid, &ws, syscall.WALL, nil)
		if err != syscall.EINTR {
			break
		}
	}
	_ = d.proc.Release()
}
