package dap

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Loopback TCP has no SO_PEERCRED, so anyone on the machine can connect to
// a debugger that listens on 127.0.0.1 and, through it, read and write our
// programs' memory. As Delve's --only-same-user does, we find the client's
// socket in /proc/net/tcp(6) (its local address is our peer's address) and
// compare the uid that owns it with ours.

// peerUID returns the uid owning the client end of a TCP connection, and
// whether the client end was found on this machine at all.
func peerUID(c net.Conn) (uid int, found bool, err error) {
	ra, ok1 := c.RemoteAddr().(*net.TCPAddr)
	la, ok2 := c.LocalAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return 0, false, fmt.Errorf("not a TCP connection: %T", c.RemoteAddr())
	}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		uid, found, err := findSocket(f, ra, la)
		if err != nil {
			return 0, false, err
		}
		if found {
			return uid, true, nil
		}
	}
	return 0, false, nil
}

// findSocket looks for the socket whose local end is local and whose
// remote end is remote in one /proc/net/tcp* table.
func findSocket(path string, local, remote *net.TCPAddr) (int, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, false, nil // no IPv6 in this kernel
		}
		return 0, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the column titles
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 {
			continue
		}
		l, err1 := parseProcAddr(fs[1])
		r, err2 := parseProcAddr(fs[2])
		if err1 != nil || err2 != nil {
			continue
		}
		if sameAddr(l, local) && sameAddr(r, remote) {
			uid, err := strconv.Atoi(fs[7])
			if err != nil {
				return 0, false, fmt.Errorf("%s: bad uid %q", path, fs[7])
			}
			return uid, true, nil
		}
	}
	return 0, false, sc.Err()
}

func sameAddr(a, b *net.TCPAddr) bool {
	return a.Port == b.Port && a.IP.Equal(b.IP)
}

// parseProcAddr parses "0100007F:1F90": the address as the kernel keeps it
// (32-bit words in host byte order, little-endian here), then the port in
// big-endian hex.
func parseProcAddr(s string) (*net.TCPAddr, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return nil, fmt.Errorf("bad address %q", s)
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, fmt.Errorf("bad port in %q", s)
	}
	return &net.TCPAddr{IP: net.IP(raw), Port: int(port)}, nil
}

// checkPeer refuses a connection that is not identified as our own user's.
// A peer whose socket is not in our tables is on another machine (or hidden
// from us): it cannot be identified, so it is accepted only when the user
// passed --allow-remote (allowRemote), never by default.
func checkPeer(c net.Conn, allowRemote bool) error {
	uid, found, err := peerUID(c)
	if err != nil {
		return fmt.Errorf("cannot check who connected: %w", err)
	}
	if !found {
		ra, ok := c.RemoteAddr().(*net.TCPAddr)
		if allowRemote && ok && !ra.IP.IsLoopback() {
			return nil
		}
		return fmt.Errorf("cannot tell which user %s is (its socket is not in /proc/net/tcp*); refused", c.RemoteAddr())
	}
	if uid != os.Getuid() {
		return fmt.Errorf("connection from %s belongs to uid %d, not to us (uid %d)", c.RemoteAddr(), uid, os.Getuid())
	}
	return nil
}
