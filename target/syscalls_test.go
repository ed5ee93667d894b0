package target

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestSyscallStops: with syscall tracing on, every getppid of both threads
// stops twice, entry then exit, with the number and the result (the
// parent's pid); the program's output is its native one. (getppid is
// called 400 times: 200 through syscall(2), 200 through glibc, which does
// not cache it.)
func TestSyscallStops(t *testing.T) {
	prog := buildC(t, "sysloop.c", "-O0")
	var out syncBuffer
	p := startTraced(t, LaunchOptions{Path: prog, Stdout: &out})
	if err := p.Do(func(c *Ctl) error {
		if err := c.SetSyscallTrace(true); err != nil {
			return err
		}
		return c.ContAll()
	}); err != nil {
		t.Fatal(err)
	}
	inCall := map[int]bool{}
	entries, exits := 0, 0
	for {
		ev := nextEvent(t, p)
		if ev.Kind == EventExit {
			break
		}
		if ev.Kind == EventSyscall && ev.Syscall.Nr == unix.SYS_GETPPID {
			if ev.Syscall.Entry == inCall[ev.Tid] {
				t.Fatalf("thread %d: %+v out of order (in a call: %v)", ev.Tid, ev.Syscall, inCall[ev.Tid])
			}
			inCall[ev.Tid] = ev.Syscall.Entry
			if ev.Syscall.Entry {
				entries++
			} else {
				exits++
				if ev.Syscall.Ret != int64(unix.Getpid()) {
					t.Errorf("getppid returned %d, want %d", ev.Syscall.Ret, unix.Getpid())
				}
			}
		}
		if ev.Kind.IsStop() {
			p.Do(func(c *Ctl) error { return c.Cont(ev.Tid) })
		}
	}
	if entries != 400 || exits != 400 {
		t.Errorf("%d entries and %d exits of getppid, want 400 each", entries, exits)
	}
	if out.String() != "200\n" {
		t.Errorf("output %q", out.String())
	}
}
