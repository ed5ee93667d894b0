/* raw_fork: fork(2) by the syscall instruction itself. */
	.text
	.globl	raw_fork
	.type	raw_fork, @function
raw_fork:
	endbr64
	movl	$57, %eax
	syscall
	ret
	.size	raw_fork, .-raw_fork
	.section .note.GNU-stack,"",@progbits
