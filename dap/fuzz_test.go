package dap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
)

// FuzzServer feeds a session random bytes (it starts no programs) and
// checks that it never panics (a recovered panic shows as an "internal
// error" response), answers every message it could read, and ends when
// the input does.
func FuzzServer(f *testing.F) {
	seeds := []string{
		`{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"x"}}`,
		`{"seq":2,"type":"request","command":"threads"}`,
		`{"seq":3,"type":"request","command":"launch","arguments":{"program":"/bin/true"}}`,
		`{"seq":4,"type":"request","command":"stackTrace","arguments":{"threadId":"x"}}`,
		`{"seq":5,"type":"request","command":"frobnicate"}`,
		`{"seq":6,"type":"request","command":"setBreakpoints","arguments":{"source":{"path":"a.c"},"breakpoints":[{"line":1}]}}`,
		`{"seq":7,"type":"request","command":"variables","arguments":{"variablesReference":1,"start":-5,"count":-1}}`,
		`{"seq":8,"type":"request","command":"disassemble","arguments":{"memoryReference":"0x0","instructionOffset":-3,"instructionCount":5}}`,
		`{"seq":9,"type":"request","command":"readMemory","arguments":{"memoryReference":"0x1000","count":99999999}}`,
		`{"seq":10,"type":"response","command":"runInTerminal","success":true}`,
		`{"seq":11,"type":"request","command":"disconnect"}`,
		`{"seq":`,
		`null`,
	}
	for _, s := range seeds {
		f.Add(frame(s))
	}
	f.Add(append(frame(seeds[0]), frame(seeds[1])...))
	f.Add([]byte("Content-Length: 5\r\n\r\n{}{}{Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: -1\r\n\r\n"))
	f.Add([]byte("\r\n\r\nContent-Length: 2\r\nContent-Type: x\r\n\r\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		srv, err := NewServer(Config{})
		if err != nil {
			t.Fatal(err)
		}
		srv.noPrograms = true
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- srv.ServeConn(bytes.NewReader(data), &out) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("session: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the session did not end at the end of its input")
		}
		want := expectedAnswers(data)
		got := 0
		br := bufio.NewReader(&out)
		for {
			b, err := dap.ReadBaseMessage(br)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the server wrote a damaged message: %v", err)
			}
			m, err := dap.DecodeProtocolMessage(b)
			if err != nil {
				t.Fatalf("the server wrote an undecodable message: %v: %s", err, b)
			}
			if r, ok := m.(dap.ResponseMessage); ok {
				got++
				if strings.Contains(r.GetResponse().Message, "internal error") {
					t.Fatalf("a handler panicked: %s", b)
				}
			}
		}
		if got != want {
			t.Fatalf("%d answers to %d messages; output:\n%s", got, want, out.String())
		}
	})
}

// expectedAnswers counts the messages in data that deserve an answer: all
// that the framing delivers, except responses (we await none), up to a
// disconnect that ends the session.
func expectedAnswers(data []byte) int {
	rd := newReader(bytes.NewReader(data))
	n := 0
	for {
		body, err := rd.next()
		var fe *errFraming
		if err != nil && !errors.As(err, &fe) {
			return n
		}
		var env envelope
		if json.Valid(body) {
			json.Unmarshal(body, &env)
			if env.Type == "response" {
				continue
			}
		}
		n++
		if m, err := dap.DecodeProtocolMessage(body); err == nil {
			if _, ok := m.(*dap.DisconnectRequest); ok {
				return n
			}
		}
	}
}
