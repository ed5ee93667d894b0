package target

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReadMemory reads the process's memory at addr into buf and returns how
// many bytes it read; fewer than len(buf) with an error when the range runs
// into unmapped memory. Safe from any goroutine, whether threads run or not.
func (p *Process) ReadMemory(addr uint64, buf []byte) (int, error) {
	return readMemory(p.pid, addr, buf)
}

func readMemory(pid int, addr uint64, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	n, err := unix.ProcessVMReadv(pid, local, remote, 0)
	if err == nil && n == len(buf) {
		return n, nil
	}
	if err == unix.ENOSYS || err == unix.EPERM {
		// process_vm_readv is refused by some sandboxes; /proc/PID/mem works
		// for a tracer.
		return readProcMem(pid, addr, buf)
	}
	if n < 0 {
		n = 0
	}
	if err == nil || err == unix.EFAULT {
		// A partial read: process_vm_readv stops at the first unmapped page.
		if n < len(buf) {
			m, err2 := readProcMem(pid, addr+uint64(n), buf[n:])
			n += m
			if err2 != nil {
				return n, &MemoryError{Addr: addr + uint64(n), Err: err2}
			}
		}
		return n, nil
	}
	if err == unix.ESRCH {
		return 0, ErrExited
	}
	return 0, &MemoryError{Addr: addr, Err: err}
}

func readProcMem(pid int, addr uint64, buf []byte) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := preadFull(f, buf, addr)
	if err != nil {
		return n, &MemoryError{Addr: addr + uint64(n), Err: err}
	}
	return n, nil
}

// preadFull reads at a 64-bit address: addresses above 2^63 do not fit
// os.File.ReadAt's int64 offset, so it uses pread64 with the raw bits.
func preadFull(f *os.File, buf []byte, addr uint64) (int, error) {
	done := 0
	for done < len(buf) {
		n, err := pread(int(f.Fd()), buf[done:], addr+uint64(done))
		if n <= 0 {
			if err == nil {
				err = unix.EIO
			}
			return done, err
		}
		done += n
	}
	return done, nil
}

func pread(fd int, b []byte, off uint64) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_PREAD64, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(off), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func pwrite(fd int, b []byte, off uint64) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_PWRITE64, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(off), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// MemoryError says which address could not be read or written.
type MemoryError struct {
	Addr uint64
	Err  error
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("memory at %#x: %v", e.Addr, e.Err)
}

func (e *MemoryError) Unwrap() error { return e.Err }

// WriteMemory writes data at addr, through read-only mappings too (program
// text), as the kernel lets a tracer do via /proc/PID/mem. Safe from any
// goroutine. Changing code that other threads run is the caller's business.
func (p *Process) WriteMemory(addr uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	p.memMu.RLock()
	f := p.mem
	var err error
	if f == nil {
		err = p.goneErr()
	} else {
		var n int
		n, err = pwrite(int(f.Fd()), data, addr)
		if err == nil && n != len(data) {
			err = unix.EIO
		}
	}
	p.memMu.RUnlock()
	if err != nil {
		return &MemoryError{Addr: addr, Err: err}
	}
	return nil
}

// WriteMemory on the ptrace thread also works where the kernel allows
// forced writes through /proc/PID/mem only to the tracing thread itself
// (proc_mem.force_override=ptrace), and falls back to PTRACE_POKEDATA.
func (c *Ctl) WriteMemory(addr uint64, data []byte) error {
	err := c.p.WriteMemory(addr, data)
	if err == nil {
		return nil
	}
	var tid int
	for _, t := range c.p.threads {
		if t.state == tsStopped && t.pid == c.p.pid {
			tid = t.tid
			break
		}
	}
	if tid == 0 {
		return err
	}
	if _, perr := unix.PtracePokeData(tid, uintptr(addr), data); perr != nil {
		return errors.Join(err, &MemoryError{Addr: addr, Err: perr})
	}
	return nil
}

// WriteChildMemory writes into the memory of a fork child while a Handler
// handles its EventFork (to take breakpoints out of the copy). Ptrace thread
// only.
func (c *Ctl) WriteChildMemory(child int, addr uint64, data []byte) error {
	t := c.p.threads[child]
	if t == nil || t.pid != child {
		return fmt.Errorf("process %d: not a child being handled: %w", child, ErrNoThread)
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", child), os.O_RDWR, 0)
	if err == nil {
		_, err = pwrite(int(f.Fd()), data, addr)
		f.Close()
	}
	if err != nil {
		if _, perr := unix.PtracePokeData(child, uintptr(addr), data); perr != nil {
			return &MemoryError{Addr: addr, Err: perr}
		}
	}
	return nil
}

// ReadChildMemory reads a fork child's memory.
func (c *Ctl) ReadChildMemory(child int, addr uint64, buf []byte) (int, error) {
	return readMemory(child, addr, buf)
}

func (p *Process) openMem() error {
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", p.pid), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	p.memMu.Lock()
	p.mem = f
	p.memMu.Unlock()
	return nil
}

// reopenMem is needed after an exec: an open /proc/PID/mem keeps pointing to
// the old image's memory.
func (p *Process) reopenMem() {
	p.closeMem()
	_ = p.openMem()
	p.guardExec()
}

func (p *Process) closeMem() {
	p.memMu.Lock()
	if p.mem != nil {
		p.mem.Close()
		p.mem = nil
	}
	p.memMu.Unlock()
}
