package target

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Sentinel errors; test with errors.Is. The concrete errors carry the
// details (PID, tracer, path) in their messages.
var (
	// ErrNoSuchProcess: the PID names no process (or it died meanwhile).
	ErrNoSuchProcess = errors.New("no such process")
	// ErrAlreadyTraced: another debugger or tracer already traces the process.
	ErrAlreadyTraced = errors.New("process is already traced")
	// ErrPermission: the kernel refused ptrace access.
	ErrPermission = errors.New("ptrace permission denied")
	// ErrNotExecutable: the program to launch cannot be executed.
	ErrNotExecutable = errors.New("not an executable program")
	// ErrExited: the process has exited; nothing more can be done with it.
	ErrExited = errors.New("process has exited")
	// ErrDetached: the process was detached or killed by us.
	ErrDetached = errors.New("process is no longer under our control")
	// ErrNoThread: the thread ID is not one of the process's threads.
	ErrNoThread = errors.New("no such thread")
	// ErrRunning: the operation needs a stopped thread.
	ErrRunning = errors.New("thread is running")
)

// AttachError explains why attaching to a process failed.
type AttachError struct {
	Pid       int
	Err       error // one of the sentinels above, or a raw errno
	TracerPid int   // for ErrAlreadyTraced
	Tracer    string
	Hint      string
}

func (e *AttachError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "attach to process %d: ", e.Pid)
	switch {
	case errors.Is(e.Err, ErrAlreadyTraced):
		fmt.Fprintf(&b, "already traced by process %d", e.TracerPid)
		if e.Tracer != "" {
			fmt.Fprintf(&b, " (%s)", e.Tracer)
		}
	default:
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *AttachError) Unwrap() error { return e.Err }

// LaunchError explains why launching a program failed.
type LaunchError struct {
	Path string
	Err  error
}

func (e *LaunchError) Error() string { return "launch " + e.Path + ": " + e.Err.Error() }
func (e *LaunchError) Unwrap() error { return e.Err }

// explainAttach turns the errno of PTRACE_SEIZE into an AttachError that says
// why, reading /proc for the details the errno does not carry.
func explainAttach(pid int, errno error) error {
	e := &AttachError{Pid: pid, Err: errno}
	switch errno {
	case syscall.ESRCH:
		e.Err = ErrNoSuchProcess
	case syscall.EPERM:
		if tp := tracerOf(pid); tp > 0 {
			// TracerPid is the tracing thread; name its process.
			if tg := tgidOf(tp); tg > 0 {
				tp = tg
			}
			e.Err, e.TracerPid, e.Tracer = ErrAlreadyTraced, tp, commOf(tp)
			return e
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			e.Err = ErrNoSuchProcess
			return e
		}
		e.Err = ErrPermission
		e.Hint = permissionHint(pid)
	}
	return e
}

// permissionHint says which of the usual reasons for EPERM applies.
func permissionHint(pid int) string {
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d", pid), &st); err == nil && int(st.Uid) != os.Geteuid() && os.Geteuid() != 0 {
		return fmt.Sprintf("it belongs to user %d, not to you (run as that user or as root)", st.Uid)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil {
		if s := strings.TrimSpace(string(b)); s != "0" && os.Geteuid() != 0 {
			return "kernel.yama.ptrace_scope is " + s + " (only descendants may be traced; set it to 0 or run as root)"
		}
	}
	return "the kernel refused (is it a kernel thread, or protected by a security module?)"
}

// tracerOf reads TracerPid from /proc/PID/status; 0 if untraced or unknown.
func tracerOf(pid int) int { return statusField(pid, "TracerPid:") }

// tgidOf reads Tgid from /proc/PID/status; 0 if unknown.
func tgidOf(pid int) int { return statusField(pid, "Tgid:") }

// statusField reads a numeric field of /proc/PID/status; 0 if unknown.
func statusField(pid int, name string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func commOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
