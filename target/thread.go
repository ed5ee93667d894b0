package target

import (
	"os"
	"runtime"
)

// goOnChildlessThread runs f in a new goroutine locked to an OS thread that
// has no children. f's goroutine never unlocks: when f returns, Go ends the
// thread.
//
// The ptrace thread waits with wait4(-1, __WNOTHREAD), which reports its
// tracees and its helpers, and also every real child of that OS thread. Go
// hands out its threads to any goroutine, and os/exec forks on whatever
// thread the calling goroutine runs on, so a thread we lock may already
// have forked a child of the program that embeds us (the tests start their
// debuggees that way). Our wait4(-1) would reap that child when it ends
// and steal its exit status from its own Wait. Go has no call for "a new
// thread", so a thread with children is held while another goroutine tries
// again: it cannot be given the held thread, and once every existing thread
// is held Go starts a new one, which has none.
func goOnChildlessThread(f func()) {
	found := make(chan struct{})
	var try func()
	try = func() {
		runtime.LockOSThread()
		if !threadHasChildren() {
			close(found)
			f()
			return
		}
		go try()
		<-found
		runtime.UnlockOSThread()
	}
	go try()
}

// threadHasChildren tells whether the calling OS thread has children,
// zombies included. Without the kernel's children list (a kernel built
// without CONFIG_PROC_CHILDREN) it cannot know and says no.
func threadHasChildren() bool {
	b, err := os.ReadFile("/proc/thread-self/children")
	return err == nil && len(b) > 0
}
