package target

import (
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

// TestPtraceThreadHasNoForeignChildren forks a child of the test on every
// OS thread Go has ready, and then asks for a ptrace thread: it must get a
// thread with no children, or its wait4(-1) would reap them.
func TestPtraceThreadHasNoForeignChildren(t *testing.T) {
	if !childrenListAvailable() {
		t.Skip("kernel without /proc/thread-self/children")
	}
	// Make the threads dirty: each goroutine holds a thread while it forks,
	// so they fork on different threads, and then lets it go back to Go.
	const dirty = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		dirtyTID = map[int]bool{}
		cmds     []*exec.Cmd
		hold     = make(chan struct{})
	)
	for range dirty {
		wg.Add(1)
		go func() {
			runtime.LockOSThread()
			cmd := exec.Command("sleep", "30")
			err := cmd.Start()
			mu.Lock()
			if err == nil {
				cmds = append(cmds, cmd)
				dirtyTID[unix.Gettid()] = true
			}
			mu.Unlock()
			wg.Done()
			<-hold
			runtime.UnlockOSThread()
		}()
	}
	wg.Wait()
	close(hold)
	t.Cleanup(func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	})
	if len(dirtyTID) != dirty {
		t.Fatalf("forked on %d threads, want %d", len(dirtyTID), dirty)
	}
	time.Sleep(10 * time.Millisecond) // let the holders unlock

	for i := range 20 {
		got := make(chan int, 1)
		clean := make(chan bool, 1)
		goOnChildlessThread(func() {
			clean <- !threadHasChildren()
			got <- unix.Gettid()
		})
		tid := <-got
		if !<-clean || dirtyTID[tid] {
			t.Fatalf("try %d: the ptrace thread %d has children of the test", i, tid)
		}
	}
}

func childrenListAvailable() bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := exec.Command("true")
	if cmd.Start() != nil {
		return false
	}
	has := threadHasChildren()
	_ = cmd.Wait()
	return has
}

// TestRequestsNeverWaitForever: requests from several goroutines, spaced
// so that they arrive while the ptrace thread polls (no doorbell rung),
// just as it stops polling, and after it blocks (the doorbell wakes it),
// are all answered. A request lost between the two ways would hang here.
func TestRequestsNeverWaitForever(t *testing.T) {
	prog := buildC(t, "counters.c", "-O2")
	p := startTraced(t, LaunchOptions{Path: prog}) // stopped: nothing else wakes the loop
	const workers, each = 4, 1500
	done := make(chan int, workers)
	for w := range workers {
		go func() {
			served := 0
			for i := range each {
				// 0 to 120 us apart: around spinFor (50 us) on both sides.
				time.Sleep(time.Duration((i*37+w*11)%120) * time.Microsecond)
				if err := p.Do(func(c *Ctl) error { served++; return nil }); err != nil {
					break
				}
			}
			done <- served
		}()
	}
	for range workers {
		if n := testharness.Receive(t, done, "the answers to every request", nil); n != each {
			t.Errorf("%d of %d requests served", n, each)
		}
	}
}
