package main

import (
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/ubpdbg/ubpdbg/dap"
)

func init() {
	register("dap", "Debug Adapter Protocol server (stdio, or --listen ADDR)", runDAP)
}

// runDAP serves DAP over stdio, or over TCP with --listen. Its flags are
// dlv dap's, so launch configurations written for dlv carry over.
func runDAP(args []string) int {
	fs := flag.NewFlagSet("dap", flag.ContinueOnError)
	listen := fs.String("listen", "", "serve TCP at `HOST:PORT` (e.g. 127.0.0.1:0) instead of stdio; loopback only unless --allow-remote")
	allowRemote := fs.Bool("allow-remote", false, "let --listen take a non-loopback address (anyone who reaches it can run programs as you)")
	multi := fs.Bool("accept-multiclient", false, "keep serving new clients after a session ends")
	keep := fs.Bool("keep-serving", false, "same as --accept-multiclient")
	var log logFlags
	log.define(fs, "dap (the protocol traffic, the default), debugger (the engine's decisions)")
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, "usage: ubpdbg dap [--listen HOST:PORT [--allow-remote]] [--accept-multiclient] [--log] [--log-output=dap,debugger] [--log-dest FILE]\n\n"+
			"Without --listen, DAP is spoken over stdin and stdout.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cfg := dap.Config{KeepServing: *multi || *keep, LogOutput: log.output, AllowRemote: *allowRemote}
	w, err := log.writer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
		return 1
	}
	if w != nil {
		cfg.Log = w
		if f, ok := w.(*os.File); ok && f != os.Stderr {
			defer f.Close()
		}
	}
	srv, err := dap.NewServer(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
		return 2
	}
	if *listen == "" {
		if cfg.KeepServing {
			fmt.Fprintln(os.Stderr, "ubpdbg dap: --accept-multiclient needs --listen")
			return 2
		}
		// Over stdio our stdout is the protocol: nothing else may write
		// there (the program's output comes as output events).
		if err := srv.ServeConn(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
			return 1
		}
		return 0
	}
	if err := checkListenAddr(*listen, *allowRemote); err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
		return 1
	}
	fmt.Printf("DAP server listening at: %s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintf(os.Stderr, "ubpdbg dap: %v\n", err)
		return 1
	}
	return 0
}

// checkListenAddr refuses to serve other machines unless the user asked for
// it: a DAP client can launch any program with any environment, so a
// listener reachable from the network runs code for whoever reaches it.
// With --allow-remote it only warns.
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v (want HOST:PORT, e.g. 127.0.0.1:0)", addr, err)
	}
	if isLoopbackHost(host) {
		return nil
	}
	if !allowRemote {
		return fmt.Errorf("--listen %s is reachable from other machines, and any client can run programs as you through it; "+
			"listen on 127.0.0.1:PORT and reach it from the other machine through SSH port forwarding "+
			"(ssh -L PORT:127.0.0.1:PORT THIS-HOST), or pass --allow-remote if you really mean it", addr)
	}
	fmt.Fprintf(os.Stderr, "ubpdbg dap: warning: --listen %s with --allow-remote: anyone who can reach it can run programs as you; "+
		"clients on other machines cannot be identified and are accepted\n", addr)
	return nil
}

// isLoopbackHost reports whether host names only loopback addresses: a
// loopback IP, or "localhost". An empty host (":PORT") is every interface.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
