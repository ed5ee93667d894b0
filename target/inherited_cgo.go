//go:build cgo

package target

/*
#include <signal.h>
#include <stdint.h>

// The signal state this process was started with, read by a constructor:
// constructors run before main, so before the Go runtime installs its
// handlers (after that, an inherited SIG_IGN of SIGPIPE or SIGTRAP is
// gone from every place we could read it).
static uint64_t ubpdbg_inherited_ignored, ubpdbg_inherited_blocked;
static int ubpdbg_inherited_ok;

__attribute__((constructor)) static void ubpdbg_capture_signals(void) {
	sigset_t mask;
	if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0)
		return;
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sigismember(&mask, sig) == 1)
			ubpdbg_inherited_blocked |= (uint64_t)1 << (sig - 1);
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			ubpdbg_inherited_ignored |= (uint64_t)1 << (sig - 1);
	}
	ubpdbg_inherited_ok = 1;
}

static uint64_t ubpdbg_ignored(void) { return ubpdbg_inherited_ignored; }
static uint64_t ubpdbg_blocked(void) { return ubpdbg_inherited_blocked; }
static int ubpdbg_captured(void) { return ubpdbg_inherited_ok; }
*/
import "C"

// capturedSignals returns the signal dispositions and mask this process
// inherited, as the constructor above saw them before the Go runtime ran.
func capturedSignals() (sigState, bool) {
	if C.ubpdbg_captured() == 0 {
		return sigState{}, false
	}
	return sigState{Ignored: uint64(C.ubpdbg_ignored()), Blocked: uint64(C.ubpdbg_blocked())}, true
}
