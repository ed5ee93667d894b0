package target

import (
	"encoding/json"
	"io"
	"os"
	"syscall"
)

// helperEnv names the environment variable that turns a re-executed copy of
// the current binary into one of target's helper processes. Helpers are the
// current executable (/proc/self/exe) so that ubpdbg needs no companion
// binary and works the same from a test binary.
const helperEnv = "UBPDBG_TARGET_HELPER"

const (
	helperLaunch   = "launch"
	helperDoorbell = "doorbell"
	helperRelay    = "relay"
	helperGuardian = "guardian"
)

// launchRequest is what the launch helper execs once the ptrace thread has
// seized it.
type launchRequest struct {
	Path string
	Argv []string
	Env  []string
	// Signals, if set, are the dispositions and mask to exec the program
	// with: those ubpdbg inherited (see inherited.go).
	Signals *sigState
}

// init runs the helper roles before anything else in the binary. The Go
// runtime keeps the main goroutine locked to the main thread during package
// initialisation, so the launch helper's execve happens on the main thread,
// which is the one thread the tracer seized.
func init() {
	switch os.Getenv(helperEnv) {
	case helperLaunch:
		runLaunchHelper()
	case helperDoorbell:
		runDoorbellHelper()
	case helperRelay:
		runRelayHelper()
	case helperGuardian:
		runGuardianHelper()
	}
}

// runLaunchHelper says it is running by writing 'R' to fd 4, waits on fd 3
// for the launch request (the tracer writes it only after PTRACE_SEIZE, so
// the tracer sees the exec), then execs it. If execve fails it writes the
// errno to fd 4 and exits with 127. Both descriptors are closed on exec, so
// the program never sees them.
func runLaunchHelper() {
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	ctl := os.NewFile(3, "launch-control")
	errPipe := os.NewFile(4, "launch-error")
	if _, err := errPipe.Write([]byte{'R'}); err != nil {
		os.Exit(126)
	}
	data, err := io.ReadAll(ctl)
	if err != nil || len(data) == 0 {
		os.Exit(126) // the tracer went away before telling us what to run
	}
	var req launchRequest
	if err := json.Unmarshal(data, &req); err != nil {
		os.Exit(126)
	}
	if req.Signals != nil {
		restoreSignals(*req.Signals)
	}
	err = syscall.Exec(req.Path, req.Argv, req.Env)
	errno, _ := err.(syscall.Errno)
	_, _ = errPipe.Write([]byte{byte(errno), byte(errno >> 8)})
	os.Exit(127)
}

// runDoorbellHelper stops itself once for every byte read from stdin, which
// wakes the tracer's wait4. It exits when stdin reaches end of file, that is
// when the tracer is gone.
func runDoorbellHelper() {
	var b [64]byte
	for {
		n, err := syscall.Read(0, b[:])
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 {
			os.Exit(0)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	}
}
