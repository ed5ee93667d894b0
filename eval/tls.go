package eval

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ubpdbg/ubpdbg/symbols"
)

// Thread-locals. DW_OP_form_tls_address (GNU_push_tls_address) turns the
// offset of a variable inside its module's TLS block into an address.
// glibc on x86-64 keeps, at fs_base, a tcbhead_t whose second word is the
// thread's dtv: dtv[m].val is the address of module m's block in this
// thread (16-byte entries; static TLS of the executable and of the
// libraries loaded at startup is allocated when the thread starts). A
// module's ID is its rank among the modules with a PT_TLS segment in the
// dynamic linker's link_map list (the executable is 1), which is the order
// in which ld.so assigns IDs at startup; libraries dlopen'ed later and IDs
// reused after a dlclose may not follow it.

const (
	dtUnallocated = ^uint64(0) // glibc's TLS_DTV_UNALLOCATED
	dtDebug       = 21         // DT_DEBUG: the dynamic linker's r_debug
)

func (c *Context) tlsAddr(im *symbols.Image, off uint64) (uint64, error) {
	if c.cfg.ThreadRegs == nil {
		return 0, errors.New("thread-local: the thread's fs_base is not known")
	}
	if im == nil {
		return 0, errors.New("thread-local outside any image")
	}
	mod, err := c.tlsModule(im)
	if err != nil {
		return 0, err
	}
	tp := c.cfg.ThreadRegs.Fs_base
	dtv, err := c.read64(tp + 8)
	if err != nil {
		return 0, fmt.Errorf("thread-local: reading the thread's dtv: %w", err)
	}
	block, err := c.read64(dtv + 16*mod)
	if err != nil {
		return 0, fmt.Errorf("thread-local: reading dtv[%d]: %w", mod, err)
	}
	if block == 0 || block == dtUnallocated {
		return 0, fmt.Errorf("thread-local storage of %s is not allocated in this thread yet", im.Path)
	}
	return block + off, nil
}

func (c *Context) read64(addr uint64) (uint64, error) {
	var b [8]byte
	if err := c.readFull(addr, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func hasTLS(f *elf.File) bool {
	for _, p := range f.Progs {
		if p.Type == elf.PT_TLS {
			return true
		}
	}
	return false
}

func dynamicAddr(f *elf.File) (uint64, bool) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC {
			return p.Vaddr, true
		}
	}
	return 0, false
}

// tlsModule finds the TLS module ID of im by walking the link_map list.
func (c *Context) tlsModule(im *symbols.Image) (uint64, error) {
	if !hasTLS(im.ELF()) {
		return 0, fmt.Errorf("%s has no TLS segment", im.Path)
	}
	var images []*symbols.Image
	if c.cfg.Table != nil {
		images = c.cfg.Table.Images()
	}
	rdebug := uint64(0)
	for _, x := range images {
		if x.ELF().Type != elf.ET_EXEC && x.ELF().Type != elf.ET_DYN {
			continue
		}
		if a, err := c.dtDebug(x); err == nil && a != 0 {
			rdebug = a
			break
		}
	}
	if rdebug == 0 {
		// A static executable has no dynamic linker and one module.
		return 1, nil
	}
	want, ok := dynamicAddr(im.ELF())
	if !ok {
		return 0, fmt.Errorf("%s has no dynamic section", im.Path)
	}
	want += im.Bias
	lm, err := c.read64(rdebug + 8) // r_debug.r_map
	if err != nil {
		return 0, err
	}
	var id uint64
	for i := 0; lm != 0 && i < 4096; i++ {
		var l [40]byte // l_addr, l_name, l_ld, l_next, l_prev
		if err := c.readFull(lm, l[:]); err != nil {
			return 0, err
		}
		ld := binary.LittleEndian.Uint64(l[16:])
		var owner *symbols.Image
		for _, x := range images {
			if a, ok := dynamicAddr(x.ELF()); ok && a+x.Bias == ld {
				owner = x
			}
		}
		if owner != nil && hasTLS(owner.ELF()) {
			id++
		}
		if ld == want {
			return id, nil
		}
		lm = binary.LittleEndian.Uint64(l[24:])
	}
	return 0, fmt.Errorf("%s is not in the dynamic linker's list", im.Path)
}

// dtDebug reads the run-time value of DT_DEBUG from x's dynamic section.
func (c *Context) dtDebug(x *symbols.Image) (uint64, error) {
	a, ok := dynamicAddr(x.ELF())
	if !ok {
		return 0, nil
	}
	a += x.Bias
	for i := 0; i < 512; i++ {
		var e [16]byte
		if err := c.readFull(a+uint64(16*i), e[:]); err != nil {
			return 0, err
		}
		tag := binary.LittleEndian.Uint64(e[:])
		if tag == 0 {
			break
		}
		if tag == dtDebug {
			return binary.LittleEndian.Uint64(e[8:]), nil
		}
	}
	return 0, nil
}
