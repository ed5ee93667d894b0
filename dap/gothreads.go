package dap

import (
	"errors"
	"fmt"
	"sort"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// Goroutines as threads. In a Go program the client's threads are the
// program's goroutines, as Delve shows them: the thread ID is the
// goroutine's ID, the name "[Go N] pkg.func" with its user frame. A
// request that acts on a thread acts on the OS thread the goroutine runs
// on; a parked goroutine (waiting, runnable) has none: its stack is
// unwound from the context the runtime saved, its values can be read, and
// a pause stops it when it is next scheduled. An OS thread that runs no
// goroutine (C code, the runtime's own stack) and is stopped is listed as
// threadIDBase + its TID. C programs keep their OS threads.

// threadIDBase starts the IDs of OS threads without a goroutine in a Go
// program, above any goroutine's ID a program reaches.
const threadIDBase = 1 << 30

// maxGoroutineThreads bounds the threads list of a program with very many
// goroutines; those on a thread (the stopped ones among them) always come.
const maxGoroutineThreads = 1000

// goProgram reports whether the threads are goroutines (start found out;
// before it there is no program, and no request gets this far).
func (s *session) goProgram() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.goIs
}

// clientThread is the client's ID for OS thread tid, at a stop of it: its
// goroutine's ID in a Go program, remembered for the continue that follows.
func (s *session) clientThread(dbg *debugger.Session, tid int) int {
	if !s.goProgram() {
		return tid
	}
	if g := dbg.GoroutineOfThread(tid); g != 0 {
		s.mu.Lock()
		s.lastGo[tid] = g
		s.mu.Unlock()
		return int(g)
	}
	return threadIDBase + tid
}

// clientThreadAgain is clientThread for an event about a thread that runs
// again: the goroutine it was stopped with, as the client knows it.
func (s *session) clientThreadAgain(tid int) int {
	if !s.goProgram() {
		return tid
	}
	s.mu.Lock()
	g, ok := s.lastGo[tid]
	s.mu.Unlock()
	if ok {
		return int(g)
	}
	return threadIDBase + tid
}

// osThread is the OS thread behind a client's thread ID, and the
// goroutine if it is one; tid 0 for a goroutine no thread runs now.
func (s *session) osThread(dbg *debugger.Session, id int) (tid int, goid int64, err error) {
	if !s.goProgram() {
		return id, 0, nil
	}
	if id >= threadIDBase {
		return id - threadIDBase, 0, nil
	}
	gi, err := dbg.Goroutine(int64(id))
	if err != nil {
		return 0, 0, fmt.Errorf("no goroutine %d (it has ended, or the ID is not one threads gave)", id)
	}
	return gi.Tid, gi.ID, nil
}

// threadOf is osThread for requests that need a thread: a parked
// goroutine is an error that says so.
func (s *session) threadOf(dbg *debugger.Session, id int, what string) (int, error) {
	tid, goid, err := s.osThread(dbg, id)
	if err != nil {
		return 0, err
	}
	if tid == 0 {
		gi, _ := dbg.Goroutine(goid)
		why := gi.Status
		if gi.WaitReason != "" {
			why += ": " + gi.WaitReason
		}
		return 0, fmt.Errorf("goroutine %d is not on a thread now (%s): there is nothing to %s until it runs", goid, why, what)
	}
	return tid, nil
}

// goroutineThreads is the threads list of a Go program.
func (s *session) goroutineThreads(dbg *debugger.Session) ([]dap.Thread, error) {
	gs, err := dbg.Goroutines()
	if err != nil {
		return nil, err
	}
	sort.SliceStable(gs, func(i, j int) bool {
		// Those on a thread first when the list must be cut; then by ID.
		if len(gs) > maxGoroutineThreads && (gs[i].Tid != 0) != (gs[j].Tid != 0) {
			return gs[i].Tid != 0
		}
		return gs[i].ID < gs[j].ID
	})
	shown := gs
	if len(gs) > maxGoroutineThreads {
		shown = gs[:maxGoroutineThreads]
		sort.Slice(shown, func(i, j int) bool { return shown[i].ID < shown[j].ID })
		s.mu.Lock()
		told := s.toldGoLimit
		s.toldGoLimit = true
		s.mu.Unlock()
		if !told {
			s.out.send(&dap.OutputEvent{Event: newEvent("output"), Body: dap.OutputEventBody{Category: "console",
				Output: fmt.Sprintf("ubpdbg: %d goroutines; the threads list shows %d of them (all those on a thread). `-exec goroutines` in the Debug Console lists every one.\n", len(gs), maxGoroutineThreads)}})
		}
	}
	onThread := map[int]bool{}
	out := make([]dap.Thread, 0, len(shown)+1)
	for _, g := range shown {
		if g.Tid != 0 {
			onThread[g.Tid] = true
		}
		out = append(out, dap.Thread{Id: int(g.ID), Name: g.Name()})
	}
	// A stopped thread that runs no goroutine must be there too: the
	// client shows its stop.
	ts, err := dbg.Threads()
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Stopped && !onThread[t.Tid] {
			out = append(out, dap.Thread{Id: threadIDBase + t.Tid, Name: fmt.Sprintf("thread %d (no goroutine)", t.Tid)})
		}
	}
	return out, nil
}

// goroutineStack unwinds the goroutine id for stackTrace: the key its
// frame handles live under (its thread's TID if a stop holds the thread,
// else -id: dropped when any thread runs, since a parked goroutine may
// be woken by any of them), and the frames.
func (s *session) goroutineStack(dbg *debugger.Session, id, want int) (key int, err error) {
	frames, tid, err := dbg.GoroutineFrames(int64(id), want)
	if err != nil {
		if errors.Is(err, debugger.ErrNotStopped) {
			return 0, fmt.Errorf("goroutine %d is running on thread %d: pause it to see its stack", id, tid)
		}
		return 0, fmt.Errorf("stack of goroutine %d: %w", id, err)
	}
	key = -id
	if tid != 0 {
		key = tid
	}
	s.handles.setStack(key, frames)
	return key, nil
}
