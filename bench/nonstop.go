package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
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

// rate measures the work per second of threads 1..n-1 over the window.
func rate(read func(uint64, []byte) (int, error), base uint64, window time.Duration) (float64, error) {
	c0, err := readCounters(read, base, progressThreads)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	time.Sleep(window)
	c1, err := readCounters(read, base, progressThreads)
	if err != nil {
		return 0, err
	}
	d := time.Since(t0)
	var sum uint64
	for i := 1; i < progressThreads; i++ {
		sum += c1[i] - c0[i]
	}
	return float64(sum) / d.Seconds(), nil
}

// nativeRate runs progress without a debugger; thread 0 blocks in pause().
func nativeRate(o *options, e *env) (float64, error) {
	cmd := exec.Command(e.progress, strconv.Itoa(progressThreads))
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	read := func(addr uint64, buf []byte) (int, error) {
		return unix.ProcessVMReadv(pid, []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}},
			[]unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}, 0)
	}
	time.Sleep(300 * time.Millisecond) // threads started and warm
	return rate(read, e.counters, o.window)
}

// debuggedRate runs progress under ubpdbg (stop mode thread) and measures
// while thread 0 sits stopped at a breakpoint on stopper().
func debuggedRate(o *options, e *env) (float64, error) {
	s, err := debugger.Launch(debugger.LaunchConfig{
		Config:  debugger.Config{StopMode: debugger.StopThread, Evaluator: &debugger.HitEvaluator{}},
		Program: e.progress, Args: []string{strconv.Itoa(progressThreads)},
		Stdout: io.Discard, Stderr: io.Discard,
	})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	bp, err := s.SetBreakpoint(breakpoints.Spec{Location: "stopper"})
	if err != nil || !bp.Verified {
		return 0, fmt.Errorf("breakpoint on stopper: %v %s", err, bp.Message)
	}
	if err := s.ContinueAll(); err != nil {
		return 0, err
	}
	timeout := time.After(30 * time.Second)
	stopped := 0
	for stopped == 0 {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				return 0, errors.New("process ended")
			}
			if ev.Kind == debugger.Stopped {
				if ev.Reason != debugger.ReasonBreakpoint || ev.AllStopped {
					return 0, fmt.Errorf("unexpected stop: %+v", ev)
				}
				stopped = ev.Tid
			}
		case <-timeout:
			return 0, errors.New("no stop at stopper")
		}
	}
	// Drain events meanwhile (thread starts): the queue is unbounded, but
	// be a fair front end.
	go func() {
		for range s.Events() {
		}
	}()
	time.Sleep(300 * time.Millisecond)
	if !s.Stopped(stopped) {
		return 0, errors.New("thread 0 is not held at the breakpoint")
	}
	r, err := rate(s.ReadMemory, e.counters, o.window)
	if err == nil && !s.Stopped(stopped) {
		err = errors.New("thread 0 did not stay stopped")
	}
	return r, err
}

// sectionNonstop: the other threads' speed while one is stopped.
func sectionNonstop(o *options, e *env, sum *summary) error {
	section(o.out, "3. non-stop: 7 threads run while 1 sits stopped at a breakpoint")
	fmt.Fprintf(o.out, "target: testdata/progress.c, %d threads; thread 0 stopped at stopper() (ubpdbg, stop mode thread) or blocked in pause() (native); window %v\n",
		progressThreads, o.window)
	// Alternate the two, round after round, so that load from elsewhere
	// weighs on both alike; compare the medians.
	rounds := max(o.rounds, 2)
	var nat, dbg []float64
	for i := 0; i < rounds; i++ {
		n, err := nativeRate(o, e)
		if err != nil {
			return err
		}
		d, err := debuggedRate(o, e)
		if err != nil {
			return err
		}
		nat, dbg = append(nat, n), append(dbg, d)
	}
	mn, md := median(nat), median(dbg)
	frac := md / mn
	tw := newTable(o.out)
	fmt.Fprintln(tw, "run\twork units/s of threads 1-7, each round\tmedian\tof native\t")
	fmt.Fprintf(tw, "native, thread 0 in pause()\t%s\t%.0f\t100%%\t\n", floats(nat), mn)
	fmt.Fprintf(tw, "ubpdbg, thread 0 stopped at a breakpoint\t%s\t%.0f\t%.1f%%\t\n", floats(dbg), md, 100*frac)
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

func floats(xs []float64) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%.0f", x)
	}
	return b.String()
}
