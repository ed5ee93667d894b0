package testprog

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// Output collects a debugged program's output: the copier goroutine writes
// while the test reads.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns what was written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// WaitFor waits up to d until what was written holds s, and says
// whether it did.
func (o *Output) WaitFor(s string, d time.Duration) bool {
	for end := time.Now().Add(d); ; time.Sleep(5 * time.Millisecond) {
		if strings.Contains(o.String(), s) {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}
