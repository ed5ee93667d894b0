package dap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// shortSession launches "mt ticker 3" and runs it to its end.
func shortSession(t *testing.T, c *client, prog string) {
	t.Helper()
	c.start("launch", map[string]any{"program": prog, "args": []string{"ticker", "3"}})
	c.ok("configurationDone", nil)
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if out := strings.Join(c.outputs("stdout"), ""); out != "ticker 3 sum 5\n" {
		t.Errorf("output %q", out)
	}
	c.ok("disconnect", nil)
}

func dialClient(t *testing.T, addr string) *client {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return newClient(t, conn, conn, func() { conn.Close() })
}

// TestTCP serves sessions over TCP: one, then (keep serving) two in a
// row; the same-user check passes for our own connections.
func TestTCP(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("keep=", keep), func(t *testing.T) {
			srv, err := NewServer(Config{KeepServing: keep})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			shortSession(t, dialClient(t, ln.Addr().String()), prog)
			if keep {
				shortSession(t, dialClient(t, ln.Addr().String()), prog)
				ln.Close()
			}
			if err := testharness.Receive(t, served, "return from Serve", nil); err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
}

func TestPeerUID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			time.Sleep(time.Second)
			c.Close()
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	uid, found, err := peerUID(c)
	if err != nil || !found || uid != os.Getuid() {
		t.Fatalf("peerUID: %d %v %v", uid, found, err)
	}
	if err := checkPeer(c, false); err != nil {
		t.Fatal(err)
	}
}

// TestOtherUserRefused connects as another user (needs root to become
// one): the server says why and closes, and goes on serving.
func TestOtherUserRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to connect as another user")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	srv, _ := NewServer(Config{KeepServing: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cmd := exec.Command(bash, "-c", fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d; cat <&3", port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	done := make(chan struct{})
	var out []byte
	go func() { out, _ = cmd.Output(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitFor):
		cmd.Process.Kill()
		t.Fatal("the other user's connection was not closed")
	}
	if !bytes.Contains(out, []byte("uid 65534")) {
		t.Errorf("refusal: %q", out)
	}
	// Our own client is still served.
	c := dialClient(t, ln.Addr().String())
	c.initialize()
	c.ok("disconnect", nil)
}

// buildBinary builds ubpdbg itself.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ubpdbg")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/ubpdbg").CombinedOutput()
	if err != nil {
		t.Fatalf("build ubpdbg: %v\n%s", err, out)
	}
	return bin
}

// TestBinary runs the built ubpdbg: "ubpdbg dap" over stdio, and
// "ubpdbg dap --listen" with a log of DAP traffic.
func TestBinary(t *testing.T) {
	requireLinux(t)
	if testing.Short() {
		t.Skip("builds the binary")
	}
	prog := buildMT(t)
	bin := buildBinary(t)

	t.Run("stdio", func(t *testing.T) {
		cmd := exec.Command(bin, "dap")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var stderr testprog.Output
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, stdout, stdin, func() { stdin.Close() })
		shortSession(t, c, prog)
		waitCmd(t, cmd)
		if stderr.String() != "" {
			t.Errorf("stderr without --log: %q", stderr.String())
		}
	})

	t.Run("listen", func(t *testing.T) {
		logFile := filepath.Join(t.TempDir(), "log")
		cmd := exec.Command(bin, "dap", "--listen", "127.0.0.1:0", "--log", "--log-output=dap,debugger", "--log-dest", logFile)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		line, err := bufio.NewReader(stdout).ReadString('\n')
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "DAP server listening at: ")
		if err != nil || !ok {
			t.Fatalf("first line %q: %v", line, err)
		}
		go io.Copy(io.Discard, stdout)
		shortSession(t, dialClient(t, addr), prog)
		waitCmd(t, cmd)
		log, _ := os.ReadFile(logFile)
		if !bytes.Contains(log, []byte(` dap <- {"arguments":{"adapterID":"ubpdbg"`)) || !bytes.Contains(log, []byte(` dap -> {"seq":1,"type":"response","request_seq":1,"success":true,"command":"initialize"`)) {
			t.Errorf("log:\n%s", log)
		}
	})

	t.Run("flags", func(t *testing.T) {
		out, err := exec.Command(bin, "dap", "--log-output=nonsense", "--log").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "nonsense") {
			t.Errorf("bad --log-output: %v %s", err, out)
		}
		out, err = exec.Command(bin, "dap", "--accept-multiclient").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "--listen") {
			t.Errorf("--accept-multiclient without --listen: %v %s", err, out)
		}
	})
}

// waitCmd waits for ubpdbg to exit by itself after its session.
func waitCmd(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ubpdbg: %v", err)
		}
	case <-time.After(waitFor):
		cmd.Process.Kill()
		t.Fatal("ubpdbg did not exit after its session")
	}
}
