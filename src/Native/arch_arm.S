#include <asm/unistd.h>
/* arm (EABI) entry, raw system calls (svc 0, r7 = nr), thread clone and signal return.
 * Assembled as ARM code: r7 is the Thumb frame pointer and the signal restorer must be ARM. */
	.syntax unified
	.arm
	.text
	.globl _start
_start:
	mov fp, #0
	mov lr, #0
	mov r0, sp
	bic sp, sp, #7
	bl start_c
	udf #0

/* long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) */
	.globl raw_syscall6
	.type raw_syscall6, %function
raw_syscall6:
	mov ip, sp
	push {r4, r5, r6, r7}
	mov r7, r0
	mov r0, r1
	mov r1, r2
	mov r2, r3
	ldmia ip, {r3, r4, r5}
	svc #0
	pop {r4, r5, r6, r7}
	bx lr

/* long clone_thread(ulong flags, void *stack_top, int *ptid, int *ctid, void (*fn)(void *), void *arg)
 * arm clone order: r0 flags, r1 stack, r2 ptid, r3 tls, r4 ctid. */
	.globl clone_thread
	.type clone_thread, %function
clone_thread:
	push {r4, r7}
	bic r1, r1, #7
	sub r1, r1, #8
	ldr ip, [sp, #8]          /* fn */
	str ip, [r1]
	ldr ip, [sp, #12]         /* arg */
	str ip, [r1, #4]
	mov r4, r3
	mov r3, #0
	mov r7, #__NR_clone
	svc #0
	cmp r0, #0
	bne 1f
	mov fp, #0
	ldr r1, [sp]
	ldr r0, [sp, #4]
	add sp, sp, #8
	blx r1
	mov r0, #0
	mov r7, #__NR_exit
	svc #0
	udf #0
1:	pop {r4, r7}
	bx lr

	.globl signal_restorer
	.type signal_restorer, %function
signal_restorer:
	mov r7, #__NR_rt_sigreturn
	svc #0
	udf #0

	.section .note.GNU-stack,"",%progbits
