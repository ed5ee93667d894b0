package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

//go:embed testdata/*.c
var sources embed.FS

// env holds the built target programs.
type env struct {
	dir       string
	hit       string // testdata/hit.c
	rawptrace string // testdata/rawptrace.c
	progress  string // testdata/progress.c
	soak      string // testdata/soak.c
	fAddr     uint64 // f's entry (its one-byte nop)
	fOff      uint64 // f's entry as a file offset
	counters  uint64 // progress's counters array
}

// Flags of the targets: -O0 so that GDB and Delve find x where the
// condition reads it; no PIE so that addresses are the same in every run.
var cflags = []string{"-g", "-O0", "-no-pie", "-pthread"}

func setup(o *options) (*env, error) {
	if _, err := exec.LookPath("gcc"); err != nil {
		return nil, fmt.Errorf("gcc is needed to build the target programs: %w", err)
	}
	dir, err := os.MkdirTemp("", "ubpdbg-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	for _, b := range []struct {
		src   string
		out   *string
		flags []string
	}{
		{"hit.c", &e.hit, cflags},
		{"rawptrace.c", &e.rawptrace, []string{"-O2"}},
		{"progress.c", &e.progress, cflags},
		{"soak.c", &e.soak, cflags},
	} {
		p, err := buildC(dir, b.src, b.flags)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		*b.out = p
	}
	if e.fAddr, e.fOff, err = symbol(e.hit, "f"); err != nil {
		return nil, err
	}
	if e.counters, _, err = symbol(e.progress, "counters"); err != nil {
		return nil, err
	}
	return e, nil
}

// buildC compiles one embedded source (or a file already in dir) with gcc.
func buildC(dir, src string, flags []string, extra ...string) (string, error) {
	path := filepath.Join(dir, src)
	if _, err := os.Stat(path); err != nil {
		b, err := sources.ReadFile("testdata/" + src)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return "", err
		}
	}
	out := filepath.Join(dir, strings.TrimSuffix(src, filepath.Ext(src)))
	args := append(append([]string{}, flags...), "-o", out, path)
	args = append(args, extra...)
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("gcc %s: %v\n%s", src, err, b)
	}
	return out, nil
}

// symbol returns a symbol's address and its file offset.
func symbol(path, name string) (addr, off uint64, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range syms {
		if s.Name == name {
			off, err := fileOffset(f, s.Value)
			return s.Value, off, err
		}
	}
	return 0, 0, fmt.Errorf("%s: no symbol %s", path, name)
}

// fileOffset converts an address of a non-PIE executable to a file offset.
func fileOffset(f *elf.File, addr uint64) (uint64, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("%#x is in no loaded segment", addr)
}

// timeCmd runs a command to completion and returns its wall time and output.
func timeCmd(name string, args ...string) (time.Duration, string, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Stdin = nil
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, out.String(), fmt.Errorf("%s: %v\n%s", name, err, lastLines(out.String(), 10))
	}
	return d, out.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// printMachine says what the figures were measured on.
func printMachine(w io.Writer) {
	model := "?"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	kernel := "?"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	virt := ""
	if b, err := exec.Command("systemd-detect-virt", "--vm").Output(); err == nil {
		virt = ", virtualization " + strings.TrimSpace(string(b))
	} else if b, err := os.ReadFile("/proc/cpuinfo"); err == nil && bytes.Contains(b, []byte(" hypervisor")) {
		virt = ", under a hypervisor"
	}
	fmt.Fprintf(w, "machine: %d CPUs (%s)%s, kernel %s, %s, %s\n",
		runtime.NumCPU(), model, virt, kernel, runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "load average: %s (other work on the machine makes every figure noisier)\n", loadavg())
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// nsPer formats a duration per unit in ns or µs.
func nsPer(ns float64) string {
	switch {
	case ns < 0:
		return "-"
	case ns >= 10000:
		return fmt.Sprintf("%.1f µs", ns/1000)
	case ns >= 1000:
		return fmt.Sprintf("%.2f µs", ns/1000)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
