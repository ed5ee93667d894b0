package dap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-dap"
)

// maxContent bounds one message body. go-dap's own reader allows 4 MiB; a
// writeMemory or setBreakpoints over a large file can be bigger, so we allow
// more, but still refuse a header that would make us allocate without end.
const maxContent = 64 << 20

// maxHeaderLine bounds one header line, so that a client that sends bytes
// without a newline cannot make us buffer them all.
const maxHeaderLine = 4096

// errFraming is a damaged header: the reader skipped what it could not
// read and goes on with the next header it finds. It is reported to the
// client, but does not end the session.
type errFraming struct{ msg string }

func (e *errFraming) Error() string { return e.msg }

// reader reads base-protocol messages. go-dap's ReadBaseMessage gives up
// the whole stream on one bad header (and has no way to resynchronise); we
// read headers ourselves so that garbage costs one error, not the session.
type reader struct {
	r *bufio.Reader
}

func newReader(r io.Reader) *reader { return &reader{r: bufio.NewReaderSize(r, 64<<10)} }

// line reads one header line without its line end. A line longer than
// maxHeaderLine is returned cut, with long set; the rest is discarded.
func (rd *reader) line() (s string, long bool, err error) {
	var b []byte
	for {
		chunk, err := rd.r.ReadSlice('\n')
		if len(b)+len(chunk) <= maxHeaderLine {
			b = append(b, chunk...)
		} else {
			long = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if len(b) > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", long, err
		}
		return strings.TrimRight(string(b), "\r\n"), long, nil
	}
}

// next returns the body of the next message. Errors of type *errFraming
// mean some input was skipped and reading may go on; any other error
// (io.EOF: the client closed; io.ErrUnexpectedEOF: it closed in the middle
// of a message) ends the connection.
func (rd *reader) next() ([]byte, error) {
	var skipped []string
	length := -1
	for {
		l, long, err := rd.line()
		if err != nil {
			return nil, err
		}
		if long {
			skipped = append(skipped, "an over-long header line")
			length = -1
			continue
		}
		if l == "" {
			if length >= 0 {
				break
			}
			continue // blank lines between messages are harmless
		}
		// A message whose Content-Length was too small leaves the rest of
		// its body in front of the next header, on the same line: pick the
		// header out of it.
		if i := indexASCIIFold(l, "content-length:"); i > 0 {
			skipped = append(skipped, fmt.Sprintf("%d bytes before a header", i))
			l = l[i:]
		}
		name, val, ok := strings.Cut(l, ":")
		if !ok {
			skipped = append(skipped, fmt.Sprintf("a line that is no header: %.40q", l))
			length = -1
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 0 || n > maxContent {
				skipped = append(skipped, fmt.Sprintf("a bad Content-Length %.40q", strings.TrimSpace(val)))
				length = -1
				continue
			}
			length = n
		}
		// Other headers (Content-Type) are allowed by the protocol and
		// ignored.
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(rd.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if len(skipped) > 0 {
		// Deliver the message still; the framing note goes out first.
		return body, &errFraming{"skipped " + strings.Join(skipped, ", ")}
	}
	return body, nil
}

// indexASCIIFold finds sub (lower-case ASCII) in s ignoring ASCII case.
// strings.ToLower would not do: it changes the length of invalid UTF-8,
// so its indexes would not be s's.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

// writer sends messages to the client. go-dap's WriteProtocolMessage writes
// the header and the body in two writes, so two goroutines (the request
// loop and the event pump) could interleave them: every message goes out
// under one mutex, in one write, and gets its seq there so seqs are in
// the order the client receives them.
type writer struct {
	mu     sync.Mutex
	w      io.Writer
	seq    int
	log    *logger
	broken error
}

func newWriter(w io.Writer, log *logger) *writer { return &writer{w: w, log: log} }

// send sets the message's seq, encodes it and writes it. After a write
// error every later send fails at once (the client is gone).
func (w *writer) send(m dap.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.broken != nil {
		return w.broken
	}
	w.seq++
	setSeq(m, w.seq)
	body, err := jsonMarshal(m)
	if err != nil {
		return err
	}
	w.log.dap("-> %s", body)
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	if _, err := w.w.Write(b.Bytes()); err != nil {
		w.broken = err
		return err
	}
	return nil
}

// setSeq sets the seq of anything we send: go-dap's responses and events,
// and our own event structs, which embed dap.Event for this reason.
func setSeq(m dap.Message, seq int) {
	switch m := m.(type) {
	case dap.ResponseMessage:
		m.GetResponse().Seq = seq
	case dap.EventMessage:
		m.GetEvent().Seq = seq
	case dap.RequestMessage:
		m.GetRequest().Seq = seq
	}
}
