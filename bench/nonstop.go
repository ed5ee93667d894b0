package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

const progressThreads = 8

// counterStride is the size of one counter in progress.c (a cache line).
const counterStride = 64

// readCounters reads the progress counters of threads 1..n-1.
func readCounters(read func(addr uint64, buf []byte) (int, error), base uint64, n int) ([]uint64, error) {
	buf := make([]byte, n*counterStride)
	if k, err := read(base, buf); err != nil || k != len(buf) {
		return nil, fmt.Errorf("read counters: %d bytes, %v", k, err)
	}
	c := make([]uint64, n)
	for i := range c {
		c[i] = binary.LittleEndian.Uint64(buf[i*counterStride:])
	}
	return c, nil
}

// startNative starts progress without a debugger (thread 0 blocks in
// pause()) and returns a reader of its memory and a stop function.
func startNative(e *env) (func(uint64, []byte) (int, error), func(), error) {
	cmd := exec.Command(e.progress, strconv.Itoa(progressThreads))
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	pid := cmd.Process.Pid
	read := func(addr uint64, buf []byte) (int, error) {
		return unix.ProcessVMReadv(pid, []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}},
			[]unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}, 0)
	}
	return read, func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

// startDebugged launches progress under ubpdbg (stop mode thread) and
// returns once thread 0 sits stopped at a breakpoint on stopper().
func startDebugged(e *env) (*debugger.Session, int, error) {
	s, err := debugger.Launch(debugger.LaunchConfig{
		Config:  debugger.Config{StopMode: debugger.StopThread},
		Program: e.progress, Args: []string{strconv.Itoa(progressThreads)},
		Stdout: io.Discard, Stderr: io.Discard,
	})
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*debugger.Session, int, error) {
		s.Close()
		return nil, 0, err
	}
	bp, err := s.SetBreakpoint(breakpoints.Spec{Location: "stopper"})
	if err != nil || !bp.Verified {
		return fail(fmt.Errorf("breakpoint on stopper: %v %s", err, bp.Message))
	}
	if err := s.ContinueAll(); err != nil {
		return fail(err)
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				return fail(errors.New("process ended"))
			}
			if ev.Kind == debugger.Stopped {
				if ev.Reason != debugger.ReasonBreakpoint || ev.AllStopped {
					return fail(fmt.Errorf("unexpected stop: %+v", ev))
				}
				// Be a fair front end: keep reading events.
				go func() {
					for range s.Events() {
					}
				}()
				return s, ev.Tid, nil
			}
		case <-timeout:
			return fail(errors.New("no stop at stopper"))
		}
	}
}

// nonstopRound runs both copies of progress at once for one window, so
// that they share the CPUs and whatever else loads the machine alike, and
// returns the work rates of threads 1-7 of each.
func nonstopRound(o *options, e *env) (native, debugged float64, err error) {
	read, stop, err := startNative(e)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	s, tid, err := startDebugged(e)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	time.Sleep(300 * time.Millisecond) // threads started and warm
	n0, err1 := readCounters(read, e.counters, progressThreads)
	d0, err2 := readCounters(s.ReadMemory, e.counters, progressThreads)
	t0 := time.Now()
	time.Sleep(o.window)
	n1, err3 := readCounters(read, e.counters, progressThreads)
	d1, err4 := readCounters(s.ReadMemory, e.counters, progressThreads)
	secs := time.Since(t0).Seconds()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return 0, 0, err
	}
	if !s.Stopped(tid) {
		return 0, 0, errors.New("thread 0 did not stay stopped")
	}
	sum := func(a, b []uint64) float64 {
		var n uint64
		for i := 1; i < progressThreads; i++ {
			n += b[i] - a[i]
		}
		return float64(n) / secs
	}
	return sum(n0, n1), sum(d0, d1), nil
}

// sectionNonstop: the other threads' speed while one is stopped.
func sectionNonstop(o *options, e *env, sum *summary) error {
	section(o.out, "3. non-stop: 7 threads run while 1 sits stopped at a breakpoint")
	fmt.Fprintf(o.out, "target: testdata/progress.c, %d threads; thread 0 stopped at stopper() (ubpdbg, stop mode thread) or blocked in pause() (native)\n",
		progressThreads)
	fmt.Fprintf(o.out, "the native and the debugged copy run at the same time (so both share the CPUs and any other load alike); window %v\n", o.window)
	rounds := max(o.rounds, 2)
	var nat, dbg, fr []float64
	for i := 0; i < rounds; i++ {
		n, d, err := nonstopRound(o, e)
		if err != nil {
			return err
		}
		nat, dbg, fr = append(nat, n), append(dbg, d), append(fr, d/n)
	}
	frac := median(fr)
	tw := newTable(o.out)
	fmt.Fprintln(tw, "round\tnative: work units/s of threads 1-7\tubpdbg, thread 0 stopped\tdebugged / native\t")
	for i := range fr {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.1f%%\t\n", i+1, nat[i], dbg[i], 100*fr[i])
	}
	fmt.Fprintf(tw, "median\t\t\t%.1f%%\t\n", 100*frac)
	tw.Flush()
	sum.nonstop, sum.nonstopDone = frac, true
	return nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
