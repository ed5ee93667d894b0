//go:build race

package debugger

// raceEnabled: the race detector slows the ptrace thread several times,
// so tests that measure pace lower their bars (they still check progress).
const raceEnabled = true
