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

/* long arch_fuzz_call(long nr, const u64 *args, const void *entry)
 * FUZZ's call: the number in x8, six arguments in x0..x5, then a call to a stub
 * "svc #0; ret" (fuzz_stub, or a copy placed elsewhere), so the pc the kernel reports is the
 * stub's. blr overwrites x30, so the frame keeps it. */
	.globl arch_fuzz_call
arch_fuzz_call:
	stp x29, x30, [sp, #-16]!
	mov x29, sp
	mov x9, x2
	mov x8, x0
	mov x10, x1
	ldp x2, x3, [x10, #16]
	ldp x4, x5, [x10, #32]
	ldp x0, x1, [x10]
	blr x9
	ldp x29, x30, [sp], #16
	ret

/* FUZZ's slot 0: the call stub inside the agent (words d4000001 d65f03c0). fuzz_stub_ip is the
 * address just after the svc, the pc the kernel reports for a call made here. */
	.globl fuzz_stub, fuzz_stub_ip
	.balign 4
fuzz_stub:
	svc #0
fuzz_stub_ip:
	ret

	.section .note.GNU-stack,"",@progbits
