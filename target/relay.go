package target

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Output relays and what becomes of them after a detach.
//
// A launched program's stdout or stderr that is given as a writer (not a
// file) is a pipe whose read end we copy from. Once we detach and exit,
// nobody would read it: the program's next write would raise SIGPIPE and,
// as most programs leave SIGPIPE at its default, kill it. HandOffOutput
// passes each such pipe to a relay process (this binary re-executed) that
// goes on copying it to a file (the terminal) until the program closes its
// end, and outlives us.

// relay is one copier of a program's output pipe.
type relay struct {
	r       *os.File      // the pipe's read end
	stopped bool          // HandOffOutput took it over: do not close r
	done    chan struct{} // the copier returned
}

// relays returns the process's output relays (set up at launch).
func (p *Process) relayList() []*relay {
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	return append([]*relay(nil), p.relays...)
}

// startRelay copies r to w on a goroutine until r's writers are gone or
// HandOffOutput stops it.
func (p *Process) startRelay(r *os.File, w io.Writer) {
	rl := &relay{r: r, done: make(chan struct{})}
	p.relayMu.Lock()
	p.relays = append(p.relays, rl)
	p.relayMu.Unlock()
	p.stdioWG.Add(1)
	go func() {
		defer p.stdioWG.Done()
		defer close(rl.done)
		_, _ = io.Copy(w, r)
		p.relayMu.Lock()
		stopped := rl.stopped
		p.relayMu.Unlock()
		if !stopped {
			r.Close()
		}
	}()
}

// HasRelays reports whether some of the program's output goes through us.
func (p *Process) HasRelays() bool { return len(p.relayList()) > 0 }

// HandOffOutput stops copying the program's output pipes and starts, for
// each, a relay process that copies it on to dst until the program closes
// it. No byte is lost: our copier ends after writing what it read. It
// returns the relay processes' ids (none if no output went through us).
func (p *Process) HandOffOutput(dst *os.File) ([]int, error) {
	var pids []int
	var errs []error
	for _, rl := range p.relayList() {
		p.relayMu.Lock()
		rl.stopped = true
		p.relayMu.Unlock()
		// os.Pipe's ends are non-blocking with the runtime poller, so a
		// deadline in the past ends a blocked Read at once.
		if err := rl.r.SetReadDeadline(time.Now()); err != nil {
			errs = append(errs, err)
			continue
		}
		select {
		case <-rl.done:
		case <-time.After(5 * time.Second):
			errs = append(errs, errors.New("the output copier did not stop"))
			continue
		}
		pid, err := startRelayHelper(rl.r, dst)
		rl.r.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pids = append(pids, pid)
	}
	return pids, errors.Join(errs...)
}

// startRelayHelper starts the relay helper with r as its stdin and dst as
// its stdout, in a process group of its own so that the terminal's job
// control signals meant for ubpdbg do not end it.
func startRelayHelper(r, dst *os.File) (int, error) {
	// The helper must read the pipe blocking, as any program would.
	if err := r.SetReadDeadline(time.Time{}); err != nil {
		return 0, err
	}
	proc, err := os.StartProcess("/proc/self/exe", []string{"ubpdbg-relay"}, &os.ProcAttr{
		Env:   []string{helperEnv + "=" + helperRelay},
		Files: []*os.File{r, dst, nil},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	if err != nil {
		return 0, fmt.Errorf("start output relay: %w", err)
	}
	pid := proc.Pid
	_ = proc.Release() // it outlives us; init reaps it
	return pid, nil
}

// runRelayHelper copies stdin to stdout until end of file. If stdout
// fails (the terminal closed), it goes on reading and drops the bytes, so
// that the program is not killed by a SIGPIPE it would not get natively.
func runRelayHelper() {
	_ = syscall.SetNonblock(0, false)
	var buf [64 << 10]byte
	writable := true
	for {
		n, err := syscall.Read(0, buf[:])
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 {
			os.Exit(0)
		}
		for off := 0; writable && off < n; {
			m, err := syscall.Write(1, buf[off:n])
			if err == syscall.EINTR {
				continue
			}
			if err != nil || m <= 0 {
				writable = false
				break
			}
			off += m
		}
	}
}
