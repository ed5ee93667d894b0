/*
 * Functions whose every instruction gets a breakpoint in TestEveryInstruction.
 * Each one is a plain SysV function f(ctx *c, uint64_t x) returning a value
 * that depends only on x, the constants below and c (which belongs to the
 * caller), so that the checksums in mix.c prove each instruction ran right.
 * f_riprel and f_stack store to globals: mix.c calls them under a lock.
 * Built with -no-pie (jmp *jtab(,%rax,8) takes an absolute table address).
 */
#include "mix.h"

#define FUNC(name) .globl name; .type name,@function; .p2align 4; name: endbr64
#define END(name) .size name, .-name

	.text

/* Legacy RIP-relative operands, immediates after the displacement. */
FUNC(f_riprel)
	cmpl	$0x12345678, k32(%rip)
	jne	.Lrr_bad
	addq	$0x55, gacc(%rip)
	movq	gacc(%rip), %rax
	addq	$-0x55, gacc(%rip)
	testb	$1, kbyte(%rip)
	jz	.Lrr_bad
	movl	$0xabcdef01, gtmp32(%rip)
	addl	gtmp32(%rip), %eax
	imulq	$3, k64(%rip), %rdx
	addq	%rdx, %rax
	leaq	k64(%rip), %rcx
	cmpq	$k64, %rcx
	jne	.Lrr_bad
	addq	%rsi, %rax
	ret
.Lrr_bad:
	movq	$-1, %rax
	ret
END(f_riprel)

/* VEX RIP-relative loads, one with an immediate after the displacement. */
FUNC(f_vex)
	vmovdqu	vc1(%rip), %ymm0
	vmovd	%esi, %xmm1
	vpbroadcastd %xmm1, %ymm1
	vpaddd	vc2(%rip), %ymm1, %ymm2
	vpaddd	%ymm0, %ymm2, %ymm2
	vpshufd	$0x1b, vc1(%rip), %ymm3
	vpxor	%ymm3, %ymm2, %ymm2
	vpblendd $0xa5, vc2(%rip), %ymm2, %ymm2
	vmovdqu	%ymm2, CTX_V(%rdi)
	vzeroupper
	ret
END(f_vex)

/* EVEX (AVX-512F): called only when the CPU has it. */
FUNC(f_evex)
	vmovdqu64 zc1(%rip), %zmm0
	vpbroadcastd %esi, %zmm1
	vpaddd	zc2(%rip), %zmm1, %zmm2
	vpaddd	%zmm0, %zmm2, %zmm2
	vpternlogd $0x96, zc1(%rip), %zmm1, %zmm2
	vpaddd	k32(%rip){1to16}, %zmm2, %zmm2
	vmovdqu64 %zmm2, CTX_Z(%rdi)
	vzeroupper
	ret
END(f_evex)

/* Relative branches: jcc/jmp rel8 and rel32, loop, loopne, jrcxz. */
FUNC(f_branch)
	xorl	%eax, %eax
	testl	$1, %esi
	jz	1f
	addq	$3, %rax
1:	testl	$2, %esi
	{disp32} jnz 2f
	addq	$5, %rax
2:	movq	%rsi, %rcx
	andq	$7, %rcx
	jrcxz	3f
4:	addq	$7, %rax
	loop	4b
3:	xorl	%ecx, %ecx
	jrcxz	5f
	addq	$1000, %rax
5:	{disp32} jmp 6f
	addq	$2000, %rax
6:	jmp	7f
	addq	$4000, %rax
7:	testl	$4, %esi
	{disp32} jz 8f
	addq	$11, %rax
	{disp32} jmp 9f
8:	addq	$13, %rax
9:	movq	$3, %rcx
10:	addq	$1, %rax
	cmpq	$40, %rax
	loopne	10b
	{disp32} jl 11f
	addq	$17, %rax
11:	ret
END(f_branch)

/* Helpers called by f_call: rel32, through a register, through memory. */
FUNC(h_add)
	leaq	(%rdi,%rsi), %rax
	ret
END(h_add)

FUNC(h_mul)
	movq	%rdi, %rax
	imulq	%rsi, %rax
	ret
END(h_mul)

FUNC(h_sub)
	movq	%rdi, %rax
	subq	%rsi, %rax
	ret
END(h_sub)

/* call rel32, call *reg, call *fp(%rip), call *8(reg). */
FUNC(f_call)
	pushq	%rbx
	pushq	%r12
	subq	$8, %rsp
	movq	%rsi, %rbx
	movq	%rsi, %rdi
	movq	$7, %rsi
	call	h_add
	movq	%rax, %r12
	movq	%rbx, %rdi
	movq	$5, %rsi
	leaq	h_mul(%rip), %rax
	call	*%rax
	addq	%rax, %r12
	movq	%r12, %rdi
	movq	%rbx, %rsi
	call	*fp_sub(%rip)
	addq	%rax, %r12
	leaq	fp_tab(%rip), %rcx
	movq	%rbx, %rdi
	movq	$9, %rsi
	call	*8(%rcx)
	addq	%r12, %rax
	addq	$8, %rsp
	popq	%r12
	popq	%rbx
	ret
END(f_call)

/* jmp *tbl(,%rax,8), jmp *reg, jmp *(reg), jmp *ptr(%rip). */
FUNC(f_jmp)
	movq	%rsi, %rax
	andq	$3, %rax
	jmp	*jtab(,%rax,8)
.Lj0:	movq	$100, %rax
	jmp	.Lj4
.Lj1:	movq	$200, %rax
	jmp	.Lj4
.Lj2:	movq	$300, %rax
	jmp	.Lj4
.Lj3:	movq	$400, %rax
.Lj4:	leaq	.Lj5(%rip), %rdx
	jmp	*%rdx
	movq	$-1, %rax
.Lj5:	leaq	jtab2(%rip), %rcx
	jmp	*(%rcx)
	ud2
.Lj6:	jmp	*jptr(%rip)
	ud2
.Lj7:	addq	%rsi, %rax
	ret
END(f_jmp)

/* push/pop of memory (RIP-relative too), push imm, leave. */
FUNC(f_stack)
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	k64(%rip)
	popq	gtmp64(%rip)
	movq	gtmp64(%rip), %rax
	pushq	%rsi
	popq	CTX_C(%rdi)
	addq	CTX_C(%rdi), %rax
	pushq	$0x1234
	pushq	$-3
	popq	%rcx
	popq	%rdx
	addq	%rcx, %rax
	addq	%rdx, %rax
	pushq	CTX_C(%rdi)
	popq	%rdx
	xorq	%rdx, %rax
	leave
	ret
END(f_stack)

/* pushf/popf: a TF leaking into the pushed flags changes the result. */
FUNC(f_flags)
	movq	$5, %rax
	cmpq	$3, %rax
	stc
	pushfq
	popq	%rax
	andq	$0xdd5, %rax
	movq	%rsi, %rdx
	andq	$0x8c1, %rdx
	orq	$0x202, %rdx
	pushq	%rdx
	popfq
	setc	%cl
	setz	%dl
	pushfq
	popq	%r8
	andq	$0xdd5, %r8
	shlq	$16, %r8
	orq	%r8, %rax
	movzbl	%cl, %ecx
	movzbl	%dl, %edx
	leaq	(%rax,%rcx,2), %rax
	leaq	(%rax,%rdx,4), %rax
	ret
END(f_flags)

/* rep stosb, rep movsb, repe cmpsb, repne scasb over 150 bytes. */
FUNC(f_rep)
	pushq	%rdi
	movq	%rsi, %r8
	movq	%rsi, %rax
	leaq	CTX_SRC(%rdi), %rdi
	movl	$150, %ecx
	rep stosb
	movq	(%rsp), %rdi
	movq	%r8, %rdx
	andq	$127, %rdx
	movb	$0xa5, CTX_SRC(%rdi,%rdx)
	leaq	CTX_SRC(%rdi), %rsi
	leaq	CTX_DST(%rdi), %rdi
	movl	$150, %ecx
	rep movsb
	movq	(%rsp), %rdi
	leaq	CTX_SRC(%rdi), %rsi
	leaq	CTX_DST(%rdi), %rdi
	movl	$150, %ecx
	repe cmpsb
	movq	%rcx, %r9
	movq	(%rsp), %rdi
	leaq	CTX_DST(%rdi), %rdi
	movb	$0xa5, %al
	movl	$150, %ecx
	repne scasb
	movq	%rcx, %rax
	popq	%rdi
	movzbl	CTX_DST+149(%rdi), %edx
	shlq	$8, %rdx
	addq	%rdx, %rax
	shlq	$16, %r9
	addq	%r9, %rax
	ret
END(f_rep)

/* lock xadd, lock cmpxchg (success and failure), xchg, lock inc/bts. */
FUNC(f_lock)
	movq	%rsi, %rax
	lock xaddq %rax, CTX_A(%rdi)
	movq	%rax, %r8
	movq	CTX_B(%rdi), %rax
	leaq	1(%rax), %rdx
	lock cmpxchgq %rdx, CTX_B(%rdi)
	movq	$-7, %rax
	lock cmpxchgq %rsi, CTX_B(%rdi)
	addq	%rax, %r8
	movq	%rsi, %rcx
	xchgq	%rcx, CTX_C(%rdi)
	addq	%rcx, %r8
	lock incq gcount(%rip)
	lock btsq $3, CTX_A(%rdi)
	movq	%r8, %rax
	ret
END(f_lock)

/* fs-relative loads and stores: %fs:0 and a __thread variable. */
FUNC(f_tls)
	movq	%fs:0, %rax
	movq	%fs:tv@tpoff, %rdx
	addq	$3, %fs:tv@tpoff
	movq	%fs:tv@tpoff, %rcx
	subq	$3, %fs:tv@tpoff
	movq	tv@tpoff(%rax), %r8
	subq	%rdx, %rcx
	xorl	%eax, %eax
	cmpq	%rdx, %r8
	sete	%al
	addq	%rcx, %rax
	addq	%rdx, %rax
	addq	%rsi, %rax
	ret
END(f_tls)

/* getpid by the syscall instruction itself. */
FUNC(f_syscall)
	movq	%rdi, %r8
	movl	$39, %eax
	syscall
	xorl	%edx, %edx
	cmpq	CTX_PID(%r8), %rax
	sete	%dl
	leaq	(%rdx,%rsi), %rax
	ret
END(f_syscall)

/* vzeroupper, long nops, movabs, bswap, cmov, rotate. */
FUNC(f_misc)
	vzeroupper
	nopw	0(%rax,%rax,1)
	movabsq	$0x0123456789abcdef, %rax
	bswapq	%rax
	xorq	%rsi, %rax
	cmpq	$1000, %rsi
	cmovbq	%rsi, %rax
	rolq	$13, %rax
	xchgq	%rax, %rdx
	movq	%rdx, %rax
	ret
END(f_misc)

	.section .rodata
	.p2align 6
k32:	.long	0x12345678
kbyte:	.byte	0x81
	.p2align 3
k64:	.quad	0x1122334455667788
	.p2align 5
vc1:	.long	1, 2, 3, 4, 5, 6, 7, 8
vc2:	.long	0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800
	.p2align 6
zc1:	.long	11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26
zc2:	.long	0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0x8000
	.long	0x9000, 0xa000, 0xb000, 0xc000, 0xd000, 0xe000, 0xf000, 0x10000
	.p2align 3
jtab:	.quad	.Lj0, .Lj1, .Lj2, .Lj3
jtab2:	.quad	.Lj6
jptr:	.quad	.Lj7
fp_sub:	.quad	h_sub
fp_tab:	.quad	h_add, h_mul

	.data
	.p2align 3
gacc:	.quad	1000
gtmp64:	.quad	0
gtmp32:	.long	0
	.p2align 3
	.globl	gcount
gcount:	.quad	0

	.section .note.GNU-stack,"",@progbits
