package target

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Signal sets as the kernel shows them in /proc/PID/task/TID/status. They
// are read only off the hot path: for a thread in a syscall restart, or a
// SIGTRAP that is not ours.

// statusMasks reads the named hexadecimal signal masks (SigPnd, ShdPnd,
// SigBlk, SigIgn, SigCgt) of one thread; a mask it cannot read is 0.
func statusMasks(pid, tid int, names ...string) []uint64 {
	out := make([]uint64, len(names))
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/status", pid, tid))
	if err != nil {
		return out
	}
	for i, name := range names {
		j := bytes.Index(b, []byte("\n"+name+":\t"))
		if j < 0 {
			continue
		}
		f := b[j+len(name)+3:]
		if k := bytes.IndexByte(f, '\n'); k >= 0 {
			f = f[:k]
		}
		out[i], _ = strconv.ParseUint(string(f), 16, 64)
	}
	return out
}

// signalQueued reports whether a thread has a signal pending (its own or
// its process's) that it does not block.
func signalQueued(pid, tid int) bool {
	m := statusMasks(pid, tid, "SigPnd", "ShdPnd", "SigBlk")
	return (m[0]|m[1])&^m[2] != 0
}

// CatchesSignal reports whether the program has a handler of its own for
// sig (not the default action, not ignored).
func (c *Ctl) CatchesSignal(tid int, sig unix.Signal) bool {
	pid := c.p.pid
	if t := c.p.threads[tid]; t != nil {
		pid = t.pid
	}
	return statusMasks(pid, tid, "SigCgt")[0]&sigBit(int(sig)) != 0
}

// IgnoresSignal reports whether the program ignores sig (SIG_IGN). The
// kernel still shows a traced thread an ignored signal, and drops it when
// the thread goes on, unless it is a fault of the CPU, which it forces
// through as fatal.
func (c *Ctl) IgnoresSignal(tid int, sig unix.Signal) bool {
	pid := c.p.pid
	if t := c.p.threads[tid]; t != nil {
		pid = t.pid
	}
	return statusMasks(pid, tid, "SigIgn")[0]&sigBit(int(sig)) != 0
}
