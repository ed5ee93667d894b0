package target

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Attach seizes every thread of a running process with PTRACE_SEIZE. The
// process keeps running: nothing is stopped until asked (Ctl.Interrupt,
// Ctl.StopAll). Errors say why attaching failed: errors.Is them against
// ErrNoSuchProcess, ErrAlreadyTraced or ErrPermission.
func Attach(pid int, opts Options) (*Process, error) {
	switch {
	case pid <= 0:
		return nil, &AttachError{Pid: pid, Err: ErrNoSuchProcess, Hint: "a process ID is a positive number"}
	case pid == os.Getpid():
		return nil, &AttachError{Pid: pid, Err: ErrPermission, Hint: "that is this debugger itself"}
	}
	if tgid := tgidOf(pid); tgid != 0 && tgid != pid {
		return nil, &AttachError{Pid: pid, Err: ErrNoSuchProcess,
			Hint: fmt.Sprintf("%d is a thread of process %d; attach to %d", pid, tgid, tgid)}
	}
	return newProcess(opts, func(p *Process) error {
		p.pid = pid
		return p.attach()
	})
}

// attach runs on the ptrace thread. Threads created while we seize the
// others are either seized by the kernel with their parent (TRACECLONE) or
// found by listing /proc/PID/task again, until a listing finds nothing new.
func (p *Process) attach() error {
	if err := ptraceSeize(p.pid, ptraceOptions); err != nil {
		return explainAttach(p.pid, err)
	}
	p.threads[p.pid] = &thread{tid: p.pid, pid: p.pid, state: tsRunning}
	for {
		tids, err := taskIDs(p.pid)
		if err != nil {
			break
		}
		added := false
		for _, tid := range tids {
			if _, ok := p.threads[tid]; ok {
				continue
			}
			if _, ok := p.early[tid]; ok {
				continue
			}
			err := ptraceSeize(tid, ptraceOptions)
			switch err {
			case nil:
				p.threads[tid] = &thread{tid: tid, pid: p.pid, state: tsRunning}
				added = true
			case unix.EPERM:
				// Already ours: cloned by a seized thread; its clone event
				// will announce it.
			case unix.ESRCH:
				// It exited meanwhile.
			default:
				p.detachAllQuietly()
				return &AttachError{Pid: p.pid, Err: fmt.Errorf("seize thread %d: %w", tid, err)}
			}
		}
		if !added {
			break
		}
	}
	if err := p.openMem(); err != nil {
		p.detachAllQuietly()
		return &AttachError{Pid: p.pid, Err: err}
	}
	return nil
}

// detachAllQuietly undoes a half-done attach: seized threads that are
// running must be stopped before they can be detached.
func (p *Process) detachAllQuietly() {
	c := &Ctl{p: p}
	_, _ = c.StopAll()
	for tid, t := range p.threads {
		if t.state == tsStopped {
			_ = ptraceDetach(tid, t.resumeSig)
		}
	}
	p.threads = map[int]*thread{}
}

func taskIDs(pid int) ([]int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(ents))
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}
