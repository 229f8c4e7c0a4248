#include <asm/unistd.h>
/* x86_64 entry, raw system calls, thread clone and signal return. */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	mov %rsp, %rdi            /* argc, argv..., envp..., auxv */
	and $-16, %rsp
	call start_c
	hlt

/* long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) */
	.globl raw_syscall6
raw_syscall6:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret

/* long raw_compat_syscall6(long nr, long a0..a5): the i386 ABI from 64-bit code
 * (int $0x80: eax nr; ebx ecx edx esi edi ebp). Old kernels clobber r8-r11 here. */
	.globl raw_compat_syscall6
raw_compat_syscall6:
	push %rbx
	push %rbp
	push %r12
	mov %rdi, %rax
	mov %rsi, %rbx
	mov %rdx, %r12            /* ecx is needed for a1 below */
	mov %rcx, %rdx
	mov %r12, %rcx
	mov %r8, %rsi
	mov %r9, %rdi
	mov 32(%rsp), %rbp
	int $0x80
	movslq %eax, %rax
	pop %r12
	pop %rbp
	pop %rbx
	ret

/* long clone_thread(ulong flags, void *stack_top, int *ptid, int *ctid, void (*fn)(void *), void *arg)
 * The child starts on the new stack with fn and arg popped from it and never returns. */
	.globl clone_thread
clone_thread:
	and $-16, %rsi
	sub $16, %rsi
	mov %r8, 0(%rsi)
	mov %r9, 8(%rsi)
	mov %rcx, %r10            /* child_tid */
	xor %r8d, %r8d            /* tls */
	mov $__NR_clone, %eax
	syscall
	test %rax, %rax
	jnz 1f
	xor %ebp, %ebp
	pop %rax
	pop %rdi
	call *%rax
	xor %edi, %edi
	mov $__NR_exit, %eax
	syscall
	hlt
1:	ret

	.globl signal_restorer
signal_restorer:
	mov $__NR_rt_sigreturn, %eax
	syscall
	hlt

/* long arch_fuzz_call(long nr, const u64 *args, const void *entry)
 * FUZZ's call: the number and six arguments in the syscall registers, then a call to a stub
 * "syscall; ret" (fuzz_stub, or a copy placed elsewhere), so the ip the kernel reports is the
 * stub's, not this function's. rcx and r11 are the syscall's to clobber. */
	.globl arch_fuzz_call
arch_fuzz_call:
	mov %rdx, %r11
	mov %rdi, %rax
	mov 0(%rsi), %rdi
	mov 16(%rsi), %rdx
	mov 24(%rsi), %r10
	mov 32(%rsi), %r8
	mov 40(%rsi), %r9
	mov 8(%rsi), %rsi
	call *%r11
	ret

/* FUZZ's slot 0: the call stub inside the agent (bytes 0f 05 c3). fuzz_stub_ip is the address
 * just after the syscall instruction, the ip the kernel reports for a call made here. */
	.globl fuzz_stub, fuzz_stub_ip
fuzz_stub:
	syscall
fuzz_stub_ip:
	ret

	.section .note.GNU-stack,"",@progbits
