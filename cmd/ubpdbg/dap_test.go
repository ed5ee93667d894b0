package main

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDAPListenRefusesRemote: an address other machines can reach is
// refused without --allow-remote, with a message that says how to reach a
// server safely; with the flag the server listens and warns.
func TestDAPListenRefusesRemote(t *testing.T) {
	bin := ubpdbgBin(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0"} {
		out, err := exec.Command(bin, "dap", "--listen", addr).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("--listen %s: %v, want exit status 2\n%s", addr, err, out)
		}
		for _, want := range []string{"reachable from other machines", "ssh -L", "--allow-remote"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("--listen %s: message lacks %q:\n%s", addr, want, out)
			}
		}
		if strings.Contains(string(out), "listening at") {
			t.Errorf("--listen %s listened:\n%s", addr, out)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := listenBriefly(bin, addr); err != nil {
			t.Errorf("--listen %s: %v", addr, err)
		}
	}

	cmd := exec.Command(bin, "dap", "--listen", "0.0.0.0:0", "--allow-remote")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "DAP server listening at: ") {
		t.Errorf("--allow-remote: first line %q", line)
	}
	warn, _ := bufio.NewReader(stderr).ReadString('\n')
	if !strings.Contains(warn, "warning") || !strings.Contains(warn, "anyone who can reach it") {
		t.Errorf("--allow-remote: no warning, stderr %q", warn)
	}
}

// listenBriefly starts ubpdbg dap --listen addr and checks that it listens.
func listenBriefly(bin, addr string) error {
	cmd := exec.Command(bin, "dap", "--listen", addr)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	got := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		got <- l
	}()
	select {
	case l := <-got:
		if !strings.HasPrefix(l, "DAP server listening at: ") {
			return &listenError{l + stderr.String()}
		}
	case <-time.After(10 * time.Second):
		return &listenError{"no answer in 10 s"}
	}
	if stderr.Len() > 0 {
		return &listenError{"warned on a loopback address: " + stderr.String()}
	}
	return nil
}

type listenError struct{ s string }

func (e *listenError) Error() string { return e.s }
