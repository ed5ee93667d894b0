/*
 * runner: executes machine code for the xol tests ("run for real").
 *
 * The Go test sends cases on stdin. For each case the runner maps the given
 * regions at their fixed addresses (written while RW, then mprotect'ed to
 * the requested protection: code is never writable and executable at once),
 * writes "pads" (jmp [rip+0] to a stub of the runner that records the pad's
 * id and lands), loads every general register, rflags, the vector registers
 * (zmm0-31 and k0-7 with AVX-512, else ymm0-15 with AVX) from the case, jumps to the
 * entry, and when a pad is reached stores the registers back. A fault
 * (SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGFPE) is caught and reported with its
 * pc and fault address. Results go to stdout; the Go side compares them.
 *
 * Input, little endian: "XOLR", u32 ncases, then per case:
 *   u32 nregions; per region: u64 addr, u64 len, u32 prot, u32 dump, len bytes
 *   u32 npads; per pad: u64 addr, u32 id
 *   u64 entry
 *   struct state
 * Output per case: u32 signal (0: a pad was reached), u64 fault pc,
 *   u64 fault addr, u32 pad id, struct state, then the bytes of every
 *   region with dump != 0, in order.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

struct state {
	uint64_t gpr[16]; /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15: encoding order */
	uint64_t rflags;
	uint8_t vec[32][64];
	uint64_t k[8];
};

_Static_assert(sizeof(struct state) == 136 + 2048 + 64, "state layout");

/* Shared with the assembly below. */
uint64_t xr_host_rsp, xr_entry, xr_scratch;
struct state *xr_out;
uint8_t xr_avx, xr_avx512, xr_pad;

void xr_run(struct state *in, struct state *out, uint64_t entry);
extern char xr_pads[];	/* NPADS stubs of PADSTUB bytes each */
#define NPADS 4
#define PADSTUB 16

__asm__(
	".intel_syntax noprefix\n"
	".text\n"
	".globl xr_run\n"
	"xr_run:\n"
	"	push rbx; push rbp; push r12; push r13; push r14; push r15\n"
	"	mov [rip+xr_host_rsp], rsp\n"
	"	mov [rip+xr_out], rsi\n"
	"	mov [rip+xr_entry], rdx\n"
	"	mov rax, rdi\n"
	"	cmp byte ptr [rip+xr_avx512], 0\n"
	"	je 1f\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 zmm\\n, [rax+136+\\n*64]\n"
	"	.endr\n"
	"	.irp n, 0,1,2,3,4,5,6,7\n"
	"	kmovq k\\n, [rax+2184+\\n*8]\n"
	"	.endr\n"
	"	jmp 2f\n"
	"1:\n"
	"	cmp byte ptr [rip+xr_avx], 0\n"
	"	je 2f\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu ymm\\n, [rax+136+\\n*64]\n"
	"	.endr\n"
	"2:\n"
	"	push qword ptr [rax+128]\n"
	"	popfq\n"
	"	mov rcx, [rax+8]; mov rdx, [rax+16]; mov rbx, [rax+24]\n"
	"	mov rbp, [rax+40]; mov rsi, [rax+48]; mov rdi, [rax+56]\n"
	"	mov r8, [rax+64]; mov r9, [rax+72]; mov r10, [rax+80]; mov r11, [rax+88]\n"
	"	mov r12, [rax+96]; mov r13, [rax+104]; mov r14, [rax+112]; mov r15, [rax+120]\n"
	"	mov rsp, [rax+32]\n"
	"	mov rax, [rax]\n"
	"	jmp qword ptr [rip+xr_entry]\n"
	"\n"
	"xr_landing:\n"
	"	mov [rip+xr_scratch], rax\n"
	"	mov rax, [rip+xr_out]\n"
	"	mov [rax+8], rcx; mov [rax+16], rdx; mov [rax+24], rbx; mov [rax+32], rsp\n"
	"	mov [rax+40], rbp; mov [rax+48], rsi; mov [rax+56], rdi\n"
	"	mov [rax+64], r8; mov [rax+72], r9; mov [rax+80], r10; mov [rax+88], r11\n"
	"	mov [rax+96], r12; mov [rax+104], r13; mov [rax+112], r14; mov [rax+120], r15\n"
	"	mov rcx, [rip+xr_scratch]\n"
	"	mov [rax], rcx\n"
	"	mov rsp, [rip+xr_host_rsp]\n"
	"	pushfq\n"
	"	pop qword ptr [rax+128]\n"
	"	cmp byte ptr [rip+xr_avx512], 0\n"
	"	je 1f\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 [rax+136+\\n*64], zmm\\n\n"
	"	.endr\n"
	"	.irp n, 0,1,2,3,4,5,6,7\n"
	"	kmovq [rax+2184+\\n*8], k\\n\n"
	"	.endr\n"
	"	vzeroupper\n"
	"	jmp 2f\n"
	"1:\n"
	"	cmp byte ptr [rip+xr_avx], 0\n"
	"	je 2f\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu [rax+136+\\n*64], ymm\\n\n"
	"	.endr\n"
	"	vzeroupper\n"
	"2:\n"
	"	cld\n"
	"	pop r15; pop r14; pop r13; pop r12; pop rbp; pop rbx\n"
	"	ret\n"
	"\n"
	/* Pad stubs: record which pad was reached without touching flags or
	 * registers (mov leaves flags alone), then land. */
	"	.balign 16\n"
	".globl xr_pads\n"
	"xr_pads:\n"
	"	.irp n, 0,1,2,3\n"
	"	.balign 16\n"
	"	mov byte ptr [rip+xr_pad], \\n\n"
	"	jmp xr_landing\n"
	"	.endr\n"
	".att_syntax prefix\n");

static sigjmp_buf fault_env;
static volatile uint64_t fault_pc, fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	fault_pc = uc->uc_mcontext.gregs[REG_RIP];
	fault_addr = (uint64_t)si->si_addr;
	siglongjmp(fault_env, sig);
}

static void rd(void *p, size_t n)
{
	if (fread(p, 1, n, stdin) != n) {
		fprintf(stderr, "runner: short input\n");
		exit(2);
	}
}

static uint32_t rd32(void) { uint32_t v; rd(&v, 4); return v; }
static uint64_t rd64(void) { uint64_t v; rd(&v, 8); return v; }
static void wr(const void *p, size_t n) { fwrite(p, 1, n, stdout); }

struct region {
	uint64_t addr, len;
	uint32_t prot, dump;
	uint8_t *mem;
};

int main(void)
{
	__builtin_cpu_init();
	xr_avx = __builtin_cpu_supports("avx");
	xr_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");

	static uint8_t altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
	int sigs[] = {SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGFPE};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);

	char magic[4];
	rd(magic, 4);
	if (memcmp(magic, "XOLR", 4) != 0) {
		fprintf(stderr, "runner: bad magic\n");
		return 2;
	}
	uint32_t ncases = rd32();
	for (uint32_t c = 0; c < ncases; c++) {
		uint32_t nreg = rd32();
		struct region *regs = calloc(nreg, sizeof *regs);
		for (uint32_t i = 0; i < nreg; i++) {
			struct region *r = &regs[i];
			r->addr = rd64();
			r->len = rd64();
			r->prot = rd32();
			r->dump = rd32();
			r->mem = mmap((void *)r->addr, r->len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (r->mem != (void *)r->addr) {
				fprintf(stderr, "runner: cannot map %#lx\n", (unsigned long)r->addr);
				return 2;
			}
			rd(r->mem, r->len);
		}
		uint32_t npads = rd32();
		for (uint32_t i = 0; i < npads; i++) {
			uint64_t at = rd64();
			uint32_t id = rd32();
			uint64_t stub = (uint64_t)xr_pads + (uint64_t)id * PADSTUB;
			if (id >= NPADS) {
				fprintf(stderr, "runner: pad id %u\n", id);
				return 2;
			}
			/* jmp [rip+0]; .quad stub */
			static const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
			memcpy((void *)at, jmp, 6);
			memcpy((void *)(at + 6), &stub, 8);
		}
		uint64_t entry = rd64();
		static struct state in, out;
		rd(&in, sizeof in);
		for (uint32_t i = 0; i < nreg; i++)
			mprotect(regs[i].mem, regs[i].len, regs[i].prot);

		memset(&out, 0, sizeof out);
		xr_pad = 0xff;
		fault_pc = fault_addr = 0;
		uint32_t sig = sigsetjmp(fault_env, 1);
		if (sig == 0)
			xr_run(&in, &out, entry);
		uint32_t pad = xr_pad;
		wr(&sig, 4);
		wr((const void *)&fault_pc, 8);
		wr((const void *)&fault_addr, 8);
		wr(&pad, 4);
		wr(&out, sizeof out);
		for (uint32_t i = 0; i < nreg; i++) {
			if (regs[i].dump) {
				mprotect(regs[i].mem, regs[i].len, PROT_READ);
				wr(regs[i].mem, regs[i].len);
			}
			munmap(regs[i].mem, regs[i].len);
		}
		free(regs);
	}
	fflush(stdout);
	return 0;
}
