#include <asm/unistd.h>
/* aarch64 entry, raw system calls (svc 0, x8 = nr), thread clone and signal return. */
	.text
	.globl _start
_start:
	mov x29, #0
	mov x30, #0
	mov x0, sp
	bl start_c
	brk #0

/* long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) */
	.globl raw_syscall6
raw_syscall6:
	mov x8, x0
	mov x0, x1
	mov x1, x2
	mov x2, x3
	mov x3, x4
	mov x4, x5
	mov x5, x6
	svc #0
	ret

/* long clone_thread(ulong flags, void *stack_top, int *ptid, int *ctid, void (*fn)(void *), void *arg)
 * arm64 clone order: flags, stack, ptid, tls, ctid. */
	.globl clone_thread
clone_thread:
	and x1, x1, #~15
	stp x4, x5, [x1, #-16]!
	mov x4, x3
	mov x3, xzr
	mov x8, #__NR_clone
	svc #0
	cbnz x0, 1f
	mov x29, #0
	ldp x1, x0, [sp], #16
	blr x1
	mov x0, #0
	mov x8, #__NR_exit
	svc #0
	brk #0
1:	ret

	.globl signal_restorer
signal_restorer:
	mov x8, #__NR_rt_sigreturn
	svc #0
	brk #0

	.section .note.GNU-stack,"",@progbits
