package debugger

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ubpdbg/ubpdbg/target"
)

// What a signal that reaches a thread does: gdb's `handle` table, with
// one more choice for stopping (StopFatal) that suits a debugger whose
// other threads run on. The defaults stop a crash before it kills the
// program, and let every other signal through without a word, as the
// program would get it natively.

// StopWhen says when a signal stops the thread it reaches.
type StopWhen int

const (
	// StopNever: the signal goes through (or is dropped, per Pass).
	StopNever StopWhen = iota
	// StopFatal: stop when the signal is about to kill the program (no
	// handler of its own), and on any fault of the CPU in non-Go code
	// (a crash a handler may only report). Go's runtime handles every
	// fault itself and turns it into a panic, which has its own stop.
	StopFatal
	// StopAlways: stop whenever it arrives (gdb's `handle SIG stop`).
	StopAlways
)

// SignalHandling is what the session does with one signal.
type SignalHandling struct {
	Stop StopWhen
	// Print: a signal that does not stop is reported (an Output event).
	Print bool
	// Pass: the program gets the signal when the thread goes on;
	// otherwise the signal is dropped (gdb's `nopass`).
	Pass bool
}

// crashSignals stop by default (StopFatal): the signals of a crash.
var crashSignals = []unix.Signal{unix.SIGSEGV, unix.SIGBUS, unix.SIGILL, unix.SIGFPE, unix.SIGABRT, unix.SIGSYS}

// faultSignals are the ones the CPU raises for the instruction that ran.
func faultSignal(sig unix.Signal) bool {
	return sig == unix.SIGSEGV || sig == unix.SIGBUS || sig == unix.SIGILL || sig == unix.SIGFPE
}

// ErrSignalReserved is returned for signals whose handling is not the
// user's to change.
var ErrSignalReserved = errors.New("the debugger needs that signal as it is")

// DefaultSignalHandling is a signal's handling before the user changes it.
func DefaultSignalHandling(sig unix.Signal) SignalHandling {
	for _, c := range crashSignals {
		if c == sig {
			return SignalHandling{Stop: StopFatal, Pass: true}
		}
	}
	return SignalHandling{Pass: true}
}

// handling returns the handling of sig (ptrace thread or under sigMu).
func (s *Session) handling(sig unix.Signal) SignalHandling {
	s.sigMu.Lock()
	defer s.sigMu.Unlock()
	if h, ok := s.signals[sig]; ok {
		return h
	}
	return DefaultSignalHandling(sig)
}

// HandleSignal changes what sig does. SIGKILL and SIGSTOP cannot be
// caught, and SIGTRAP carries our breakpoints and steps (the program's
// own SIGTRAP is handled as docs/cli.md says): those are refused.
func (s *Session) HandleSignal(sig unix.Signal, h SignalHandling) error {
	switch sig {
	case unix.SIGKILL, unix.SIGSTOP, unix.SIGTRAP:
		return fmt.Errorf("%s: %w", unix.SignalName(sig), ErrSignalReserved)
	}
	if sig < 1 || sig > 64 {
		return fmt.Errorf("no signal %d", int(sig))
	}
	s.sigMu.Lock()
	defer s.sigMu.Unlock()
	if s.signals == nil {
		s.signals = map[unix.Signal]SignalHandling{}
	}
	s.signals[sig] = h
	return nil
}

// SignalInfo is one row of the signal table.
type SignalInfo struct {
	Signal   unix.Signal
	Name     string // SIGSEGV
	Meaning  string // segmentation fault
	Handling SignalHandling
}

// SignalTable lists the handling of every standard signal (1 to 31) and
// of the real-time signals whose handling was changed.
func (s *Session) SignalTable() []SignalInfo {
	var out []SignalInfo
	seen := map[unix.Signal]bool{}
	add := func(sig unix.Signal) {
		if !seen[sig] {
			seen[sig] = true
			out = append(out, SignalInfo{Signal: sig, Name: SignalName(sig), Meaning: syscall.Signal(sig).String(), Handling: s.handling(sig)})
		}
	}
	for sig := unix.Signal(1); sig < 32; sig++ {
		add(sig)
	}
	s.sigMu.Lock()
	var changed []unix.Signal
	for sig := range s.signals {
		changed = append(changed, sig)
	}
	s.sigMu.Unlock()
	for _, sig := range changed {
		add(sig)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Signal < out[j].Signal })
	return out
}

// SignalName is a signal's name as the user writes it: SIGSEGV, or
// SIGRTMIN+3 for the real-time ones that have no name of their own.
func SignalName(sig unix.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	if sig >= 34 && sig <= 64 {
		return fmt.Sprintf("SIGRTMIN+%d", int(sig)-34)
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal as the user writes it: SIGSEGV, SEGV, segv,
// 11, SIGRTMIN+3.
func ParseSignal(name string) (unix.Signal, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	var num int
	if _, err := fmt.Sscanf(n, "%d", &num); err == nil && fmt.Sprint(num) == n {
		if num < 1 || num > 64 {
			return 0, fmt.Errorf("no signal %d", num)
		}
		return unix.Signal(num), nil
	}
	if !strings.HasPrefix(n, "SIG") {
		n = "SIG" + n
	}
	if rest, ok := strings.CutPrefix(n, "SIGRTMIN+"); ok {
		if _, err := fmt.Sscanf(rest, "%d", &num); err == nil && num >= 0 && num <= 30 {
			return unix.Signal(34 + num), nil
		}
	}
	if sig := unix.SignalNum(n); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("no signal named %q", name)
}

// Exception is what a thread stopped with reason exception stopped on.
type Exception struct {
	// ID names the kind: the signal (SIGSEGV), or the C++ type thrown.
	ID string
	// Description is the whole story in words: "SIGSEGV (segmentation
	// fault): address 0x0 not mapped".
	Description string
	// Fatal: left alone it ends the program (no handler of its own).
	Fatal bool
}

// ExceptionOf returns the exception thread tid is held on, if it is held
// on one.
func (s *Session) ExceptionOf(tid int) (Exception, bool) {
	var e Exception
	var ok bool
	err := s.proc.Do(func(c *target.Ctl) error {
		if th := s.threads[tid]; th != nil && th.held && th.reason == ReasonException && th.exception != nil {
			e, ok = *th.exception, true
		}
		return nil
	})
	return e, ok && err == nil
}

// signalArrived decides a signal-delivery-stop that is none of ours
// (not SIGTRAP, not a pause, not a step's).
func (s *Session) signalArrived(c *target.Ctl, tid int, sig unix.Signal) target.Action {
	h := s.handling(sig)
	if h == (SignalHandling{Pass: true}) {
		// The common case, and a frequent one (Go's runtime preempts
		// with SIGURG): nothing to read.
		return target.Resume
	}
	si, _ := c.SigInfo(tid)
	caught := c.CatchesSignal(tid, sig)
	fault := si != nil && si.FromKernel() && faultSignal(sig)
	// A fault of the CPU that the program ignores or blocks is forced
	// through by the kernel as fatal; any other ignored signal is dropped.
	fatal := !caught && (fault || !c.IgnoresSignal(tid, sig)) && killsByDefault(sig)
	stop := h.Stop == StopAlways
	if h.Stop == StopFatal {
		regs, err := c.Regs(tid)
		inGo := false
		if err == nil {
			if im := s.syms.ImageAt(regs.Rip); im != nil && im.Go {
				inGo = true
			}
		}
		stop = fatal || (fault && !inGo)
	}
	if !h.Pass {
		c.SetSignal(tid, 0)
	}
	desc := describeSignal(sig, si, s.proc.Pid())
	if !stop {
		if h.Print {
			s.emit(Event{Kind: Output, Category: "important", Text: fmt.Sprintf("Thread %d received %s\n", tid, desc)})
		}
		return target.Resume
	}
	th := s.thread(tid)
	th.exception = &Exception{ID: SignalName(sig), Description: desc, Fatal: fatal && h.Pass}
	reason := ReasonException
	if !th.exception.Fatal && !fault {
		// A signal the program handles (or that we drop) is news, not a
		// crash: DAP clients show exceptions as errors.
		reason = ReasonSignal
		th.exception = nil
	}
	return s.userStop(c, tid, reason, desc, nil, int(sig))
}

// killsByDefault reports whether the default action of sig ends the
// process (every signal but SIGCHLD, SIGCONT, SIGURG, SIGWINCH and the
// stop signals).
func killsByDefault(sig unix.Signal) bool {
	switch sig {
	case unix.SIGCHLD, unix.SIGCONT, unix.SIGURG, unix.SIGWINCH, unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return false
	}
	return true
}

// describeSignal says what a signal is and where it came from, with the
// kernel's reason (si_code) for a fault and its address:
// "SIGSEGV (segmentation fault): address not mapped to object at 0x0".
func describeSignal(sig unix.Signal, si *target.SigInfo, pid int) string {
	d := fmt.Sprintf("%s (%s)", SignalName(sig), syscall.Signal(sig).String())
	if si == nil {
		return d
	}
	if !si.FromKernel() {
		switch sender := si.SenderPid(); {
		case sender == pid:
			return d + ": raised by the program"
		case sender != 0:
			return fmt.Sprintf("%s: sent by process %d", d, sender)
		}
		return d
	}
	if why := faultCodes[sig][si.Code()]; why != "" && faultSignal(sig) {
		return fmt.Sprintf("%s: %s at %#x", d, why, si.Addr())
	}
	return d
}

// faultCodes are the kernel's si_code values of faults (siginfo.h), in
// the words of its comments.
var faultCodes = map[unix.Signal]map[int]string{
	unix.SIGSEGV: {1: "address not mapped to object", 2: "invalid permissions for mapped object",
		3: "failed address bound checks", 4: "failed protection key checks"},
	unix.SIGBUS: {1: "invalid address alignment", 2: "non-existent physical address",
		3: "object specific hardware error", 4: "hardware memory error consumed on a machine check"},
	unix.SIGILL: {1: "illegal opcode", 2: "illegal operand", 3: "illegal addressing mode", 4: "illegal trap",
		5: "privileged opcode", 6: "privileged register", 7: "coprocessor error", 8: "internal stack error"},
	unix.SIGFPE: {1: "integer divide by zero", 2: "integer overflow", 3: "floating point divide by zero",
		4: "floating point overflow", 5: "floating point underflow", 6: "floating point inexact result",
		7: "floating point invalid operation", 8: "subscript out of range"},
}
