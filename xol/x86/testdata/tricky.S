/*
 * tricky.S: encodings chosen to stress the xol length walk and its
 * RIP-relative displacement offsets. The test assembles it with gcc -c and
 * compares every instruction's length with objdump's. It is never run.
 */
	.intel_syntax noprefix
	.text
	.globl	tricky
tricky:
	/* immediates after a RIP-relative disp32 */
	mov	eax, [rip+data]
	cmp	dword ptr [rip+data], 0x12345678
	cmp	word ptr [rip+data], 0x1234
	cmp	byte ptr [rip+data], 0x12
	cmp	qword ptr [rip+data], 0x12
	test	dword ptr [rip+data], 0x12345678
	test	word ptr [rip+data], 0x1234
	test	byte ptr [rip+data], 1
	not	dword ptr [rip+data]
	neg	word ptr [rip+data]
	imul	eax, [rip+data], 0x12345678
	imul	ax, [rip+data], 0x1234
	imul	eax, [rip+data], 3
	mov	qword ptr [rip+data], -1
	mov	word ptr [rip+data], 0x1234
	mov	byte ptr [rip+data], 0x12
	shl	dword ptr [rip+data], 3
	bt	dword ptr [rip+data], 3
	shld	[rip+data], ebx, 3
	shrd	[rip+data], ebx, cl
	movsxd	rax, dword ptr [rip+data]
	xchg	rax, [rip+data]
	lock add dword ptr [rip+data], 1
	lock cmpxchg16b [rip+data]
	mov	rax, fs:[rip+data]
	mov	rax, gs:[rip+data]
	lea	rax, [rip+data]
	/* moffs and wide immediates */
	movabs	rax, [0x1122334455667788]
	movabs	[0x1122334455667788], al
	movabs	ax, [0x1122334455667788]
	.byte	0x67, 0xa1, 0x44, 0x33, 0x22, 0x11		/* addr32 mov eax, moffs32 */
	movabs	rax, 0x1122334455667788
	mov	ax, 0x1234
	mov	eax, 0x12345678
	.byte	0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8	/* REX.W beats 66: imm64 */
	.byte	0x66, 0x48, 0x81, 0xc0, 1, 2, 3, 4		/* REX.W beats 66: imm32 */
	.byte	0x66, 0x48, 0x05, 1, 2, 3, 4
	.byte	0x66, 0x05, 1, 2
	add	ax, 0x1234
	enter	0x10, 1
	ret	8
	ret
	push	0x12345678
	push	0x12
	pushw	0x1234
	push	qword ptr [rip+data]
	pop	qword ptr [rip+data]
	pushf
	popf
	/* control transfers */
	call	qword ptr [rip+data]
	jmp	qword ptr [rip+data]
	call	rax
	jmp	rax
	call	qword ptr [rax+rbx*8+0x10]
	jmp	qword ptr [rax+rbx*8]
	.byte	0xf2, 0xff, 0x25, 0, 0, 0, 0			/* bnd jmp [rip+0] */
	.byte	0x3e, 0xff, 0xe0				/* notrack jmp rax */
	.byte	0xf2, 0xe8, 0, 0, 0, 0				/* bnd call */
	.byte	0xf2, 0xc3					/* bnd ret */
	.byte	0x2e, 0x74, 0				/* je with a hint */
	.byte	0x48, 0xe8, 0, 0, 0, 0				/* rex.W call */
	call	1f
1:	jmp	1f
1:	jmp	near_target
	je	1f
1:	je	near_target
	jrcxz	1f
1:	jecxz	1f
1:	loop	1f
1:	loope	1f
1:	loopne	1f
1:	xbegin	1f
1:	xabort	1
	xend
	xtest
	syscall
	/* SSE, 0F38, 0F3A, SSE4a */
	pextrw	eax, xmm0, 1
	pinsrw	xmm0, [rip+data], 1
	shufps	xmm0, [rip+data], 1
	cmpps	xmm0, [rip+data], 1
	pshufd	xmm0, [rip+data], 1
	psrlw	xmm0, 3
	roundps	xmm0, [rip+data], 1
	pshufb	xmm0, [rip+data]
	pclmulqdq xmm0, [rip+data], 1
	sha1rnds4 xmm0, [rip+data], 1
	aesenc	xmm0, [rip+data]
	crc32	eax, byte ptr [rip+data]
	movbe	eax, [rip+data]
	extrq	xmm0, 1, 2
	extrq	xmm0, xmm1
	insertq	xmm0, xmm1, 1, 2
	insertq	xmm0, xmm1
	adcx	eax, [rip+data]
	adox	rax, rbx
	endbr64
	endbr32
	popcnt	eax, [rip+data]
	tzcnt	eax, [rip+data]
	rdrand	eax
	rdseed	eax
	rdpid	rax
	rdfsbase rax
	clflush	[rip+data]
	clflushopt [rip+data]
	clwb	[rip+data]
	prefetcht0 [rip+data]
	prefetchw [rip+data]
	movnti	[rip+data], eax
	cmpxchg8b [rip+data]
	fxsave	[rip+data]
	xsave	[rip+data]
	xsavec	[rip+data]
	ldmxcsr	[rip+data]
	rdtsc
	rdtscp
	cpuid
	xgetbv
	rdpkru
	wrpkru
	/* x87; fstcw is fwait + fnstcw, which objdump shows as one line */
	fstcw	[rsp+0xe]
	fstsw	[rip+data]
	fnstcw	[rip+data]
	fld	tbyte ptr [rip+data]
	fadd	st, st(1)
	xlat
	/* a REX cancelled by a later prefix: objdump prints it on its own line */
	.byte	0x48, 0x66, 0x89, 0xc0
	.byte	0x41, 0xf3, 0xa4
	/* addressing forms */
	nop	dword ptr [rax+rax*1+0x0]
	.byte	0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	mov	eax, [rbp+0]
	mov	eax, [r13+0]
	mov	eax, [rsp]
	mov	eax, [r12+0x12345678]
	mov	eax, [rax*4+0x1234]
	mov	eax, [0x1234]
	mov	eax, [rbp+rax*2+0x12]
	lea	eax, [eip+data]
	mov	eax, [eax+ebx]
	/* VEX */
	vzeroupper
	vzeroall
	vmovdqu	ymm0, [rip+data]
	vmovdqu	ymm8, [rip+data]
	vpermq	ymm0, [rip+data], 0x1b
	vpshufd	xmm0, [rip+data], 1
	vpsrlw	xmm0, xmm1, 3
	vcmpps	ymm0, ymm1, [rip+data], 1
	vblendvps xmm0, xmm1, [rip+data], xmm2
	vpextrw	eax, xmm0, 1
	vpinsrw	xmm0, xmm0, [rip+data], 1
	vshufps	ymm0, ymm1, [rip+data], 1
	vgatherdps ymm0, [rax+ymm1*4], ymm2
	vfmadd231pd ymm0, ymm1, [rip+data]
	andn	eax, ebx, [rip+data]
	rorx	eax, [rip+data], 3
	shlx	rax, [rip+data], rbx
	kmovw	k1, [rip+data]
	ldtilecfg [rip+data]
	tileloadd tmm0, [rax+rbx*4]
	tdpbssd	tmm0, tmm1, tmm2
	/* EVEX */
	vmovdqu64 zmm0, [rip+data]
	vmovdqu64 zmm16, [rip+data]
	vpaddd	xmm16, xmm17, [rip+data]
	vpaddd	zmm0{k1}{z}, zmm1, [rip+data]{1to16}
	vpaddd	zmm0, zmm1, [rax+0x40]
	vpternlogd zmm0, zmm1, [rip+data], 0x55
	vpcmpd	k1, zmm0, [rip+data], 1
	vpshufd	zmm0, [rip+data], 1
	vpsrld	zmm0, [rip+data], 3
	vcmpps	k1, zmm0, [rip+data], 1
	vpinsrw	xmm16, xmm16, [rip+data], 1
	vcmpph	k1, zmm0, [rip+data], 1
	vaddph	zmm0, zmm1, [rip+data]
	vfmadd132ph zmm0, zmm1, [rip+data]
	vpgatherdd zmm0{k1}, [rax+zmm1*4]
	vaddps	zmm0, zmm1, zmm2, {rn-sae}
	/* classified Refuse, still sized */
	in	al, 0x12
	out	dx, eax
	insb
	int	0x80
	int3
	int1
	ud2
	ud1	eax, [rip+data]
	ud0	eax, [rip+data]
	hlt
	iretq
	retf
	cli
	mov	rax, cr0
	.byte	0x0f, 0x20, 0x00				/* mov rax, cr0 with mod=00: still no disp */
	wrmsr
	sysenter
	vmcall
	swapgs
	lgdt	[rip+data]
	invlpg	[rip+data]
	invpcid	rax, [rip+data]
	call	fword ptr [rip+data]
	.byte	0x66, 0xe8, 0, 0				/* callw rel16 (AMD) */
	.byte	0x66, 0x0f, 0x84, 0, 0				/* jcc rel16 (AMD) */
	.byte	0x66, 0xeb, 0
	.byte	0x66, 0xc3
near_target:
	nop
	.balign	16
data:
	.quad	0, 0, 0, 0, 0, 0, 0, 0
