//go:build !cgo

package target

import (
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// capturedSignals without cgo: nothing runs before the Go runtime, which
// replaces an inherited SIG_IGN of every signal but SIGHUP and SIGINT with
// its own handler and keeps no public record of it. So only those two
// are known to be ignored; the mask is the main thread's, which the
// runtime keeps as inherited except for the signals it needs.
func capturedSignals() (sigState, bool) {
	var st sigState
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
		if signal.Ignored(sig) {
			st.Ignored |= sigBit(int(sig))
		}
	}
	var mask unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, nil, &mask); err == nil {
		st.Blocked = mask.Val[0]
	}
	return st, true
}
