package target

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// LaunchOptions describe the program to start.
type LaunchOptions struct {
	Path  string   // the program; a bare name is looked up in PATH
	Args  []string // arguments after argv[0]
	Argv0 string   // argv[0]; Path if empty
	Env   []string // the environment; os.Environ() if nil
	Dir   string   // the working directory; ours if empty

	// Stdin, Stdout and Stderr connect the program's standard files. An
	// *os.File is passed as it is; any other reader or writer is connected
	// through a pipe (Process.Wait waits for the copy to finish); nil means
	// ours (the program shares our terminal).
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Setpgid puts the program in a process group of its own, so that a
	// terminal's Ctrl-C reaches the debugger and not the program.
	Setpgid bool
}

// Launch starts a program under ptrace. It returns with the program stopped
// at its first instruction (the dynamic loader's entry, or the program's own
// for a static one) as a single stopped thread; resume it with
// Do(func(c *Ctl) error { return c.ContAll() }).
//
// How: the launch helper (this binary re-executed) is started, seized with
// PTRACE_SEIZE, and only then told what to execve, so the program's first
// instruction already runs traced. Go's own SysProcAttr.Ptrace would use
// PTRACE_TRACEME, and a tracee attached that way cannot be interrupted
// (PTRACE_INTERRUPT needs SEIZE), which non-stop debugging depends on.
func Launch(lo LaunchOptions, opts Options) (*Process, error) {
	path, err := resolveProgram(lo.Path)
	if err != nil {
		return nil, &LaunchError{Path: lo.Path, Err: err}
	}
	if lo.Dir != "" {
		if st, err := os.Stat(lo.Dir); err != nil || !st.IsDir() {
			return nil, &LaunchError{Path: lo.Path, Err: fmt.Errorf("working directory %q: not a directory", lo.Dir)}
		}
	}
	return newProcess(opts, func(p *Process) error {
		p.launched = true
		return p.launch(path, lo)
	})
}

// resolveProgram finds the program and checks that it can be executed,
// so that the common mistakes get a clear error before anything starts.
func resolveProgram(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no program given: %w", ErrNotExecutable)
	}
	path := name
	if !strings.Contains(name, "/") {
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("not found in PATH: %w", ErrNotExecutable)
		}
		path = p
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrNotExecutable, err)
	case st.IsDir():
		return "", fmt.Errorf("is a directory: %w", ErrNotExecutable)
	case st.Mode()&0o111 == 0:
		return "", fmt.Errorf("permission to execute is not set (mode %v): %w", st.Mode().Perm(), ErrNotExecutable)
	}
	if err := unix.Access(abs, unix.X_OK); err != nil {
		return "", fmt.Errorf("%w: %w", ErrNotExecutable, err)
	}
	return abs, nil
}

// launch runs on the ptrace thread.
func (p *Process) launch(path string, lo LaunchOptions) error {
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return &LaunchError{Path: path, Err: err}
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		return &LaunchError{Path: path, Err: err}
	}
	defer errR.Close()
	files, childEnds, err := p.stdio(lo)
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		errW.Close()
		return &LaunchError{Path: path, Err: err}
	}
	env := lo.Env
	if env == nil {
		env = os.Environ()
	}
	argv0 := lo.Argv0
	if argv0 == "" {
		argv0 = lo.Path
	}
	lr := launchRequest{Path: path, Argv: append([]string{argv0}, lo.Args...), Env: env}
	if inheritedSignalsKnown {
		lr.Signals = &inheritedSignals
	}
	req, _ := json.Marshal(lr)

	proc, err := os.StartProcess("/proc/self/exe", []string{"ubpdbg-launch"}, &os.ProcAttr{
		Dir:   lo.Dir,
		Env:   []string{helperEnv + "=" + helperLaunch},
		Files: append(files, ctlR, errW),
		Sys:   &syscall.SysProcAttr{Setpgid: lo.Setpgid},
	})
	ctlR.Close()
	errW.Close()
	for _, f := range childEnds {
		f.Close() // the child has them; the caller's own files stay open (a restart passes them again)
	}
	if err != nil {
		ctlW.Close()
		return &LaunchError{Path: path, Err: err}
	}
	pid := proc.Pid
	_ = proc.Release() // we wait for it with wait4, never with os.Process.Wait
	p.pid = pid
	// Wait until the helper runs our code: os.StartProcess may return while
	// the kernel is still finishing the helper's own exec, and seizing it
	// then would report that exec as the program's.
	var ready [1]byte
	if _, err := io.ReadFull(errR, ready[:]); err != nil || ready[0] != 'R' {
		ctlW.Close()
		_ = unix.Kill(pid, unix.SIGKILL)
		reap(pid)
		return &LaunchError{Path: path, Err: fmt.Errorf("launch helper did not start: %v", err)}
	}
	// Seize before it execs. Only the exec matters until then; the rest of
	// the options come after, so the helper's own runtime threads (which die
	// at the exec) are never traced.
	if err := ptraceSeize(pid, unix.PTRACE_O_TRACEEXEC|unix.PTRACE_O_EXITKILL); err != nil {
		ctlW.Close()
		_ = unix.Kill(pid, unix.SIGKILL)
		reap(pid)
		return &LaunchError{Path: path, Err: fmt.Errorf("seize launch helper: %w", err)}
	}
	_, werr := ctlW.Write(req)
	ctlW.Close()
	if werr != nil {
		_ = unix.Kill(pid, unix.SIGKILL)
		reap(pid)
		return &LaunchError{Path: path, Err: werr}
	}
	for {
		var ws unix.WaitStatus
		if _, err := wait4(pid, &ws, 0); err != nil {
			return &LaunchError{Path: path, Err: err}
		}
		switch {
		case ws.Exited() || ws.Signaled():
			return &LaunchError{Path: path, Err: execError(errR, ws)}
		case ws.Stopped() && int(ws>>16) == unix.PTRACE_EVENT_EXEC:
			if err := ptraceSetOptions(pid, ptraceOptions|unix.PTRACE_O_EXITKILL); err != nil {
				_ = unix.Kill(pid, unix.SIGKILL)
				reap(pid)
				return &LaunchError{Path: path, Err: err}
			}
			p.threads[pid] = &thread{tid: pid, pid: pid, state: tsStopped, stopKind: EventExec}
			if err := p.openMem(); err != nil {
				_ = unix.Kill(pid, unix.SIGKILL)
				reap(pid)
				return &LaunchError{Path: path, Err: err}
			}
			return nil
		case ws.Stopped() && ws>>16 == 0:
			// A signal for the helper before its exec: let it have it.
			_ = ptraceCont(pid, int(ws.StopSignal()))
		default:
			_ = ptraceCont(pid, 0)
		}
	}
}

// execError reads the errno the launch helper reports when execve fails.
func execError(errR *os.File, ws unix.WaitStatus) error {
	var b [2]byte
	if n, _ := io.ReadFull(errR, b[:]); n == 2 {
		errno := syscall.Errno(int(b[0]) | int(b[1])<<8)
		switch errno {
		case syscall.ENOEXEC, syscall.EACCES, syscall.ENOENT, syscall.ELIBBAD, syscall.ETXTBSY:
			return fmt.Errorf("%w: execve: %w", ErrNotExecutable, errno)
		}
		return fmt.Errorf("execve: %w", errno)
	}
	return fmt.Errorf("launch helper ended before exec (%s)", exitStatusOf(ws))
}

func reap(pid int) {
	var ws unix.WaitStatus
	_, _ = wait4(pid, &ws, 0)
}

// stdio returns the child's three standard files, starting copiers for
// readers and writers that are not files, and the child's ends of the
// pipes it made, which the caller closes once the child has them.
func (p *Process) stdio(lo LaunchOptions) (files, childEnds []*os.File, err error) {
	files = make([]*os.File, 3)
	fail := func(err error) ([]*os.File, []*os.File, error) {
		for _, f := range childEnds {
			f.Close()
		}
		return nil, nil, err
	}
	switch in := lo.Stdin.(type) {
	case nil:
		files[0] = os.Stdin
	case *os.File:
		files[0] = in
	default:
		r, w, err := os.Pipe()
		if err != nil {
			return fail(err)
		}
		childEnds = append(childEnds, r)
		files[0] = r
		go func() {
			_, _ = io.Copy(w, in)
			w.Close()
		}()
	}
	for i, out := range []io.Writer{lo.Stdout, lo.Stderr} {
		switch o := out.(type) {
		case nil:
			files[i+1] = []*os.File{os.Stdout, os.Stderr}[i]
		case *os.File:
			files[i+1] = o
		default:
			r, w, err := os.Pipe()
			if err != nil {
				return fail(err)
			}
			childEnds = append(childEnds, w)
			files[i+1] = w
			p.startRelay(r, o)
		}
	}
	return files, childEnds, nil
}
