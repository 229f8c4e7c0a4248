#include <asm/unistd.h>
/* i386 entry, raw system calls (int $0x80), thread clone and signal return. */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	mov %esp, %eax
	and $-16, %esp
	sub $12, %esp
	push %eax
	call start_c
	hlt

/* long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) */
	.globl raw_syscall6
raw_syscall6:
	push %ebx
	push %esi
	push %edi
	push %ebp
	mov 20(%esp), %eax
	mov 24(%esp), %ebx
	mov 28(%esp), %ecx
	mov 32(%esp), %edx
	mov 36(%esp), %esi
	mov 40(%esp), %edi
	mov 44(%esp), %ebp
	int $0x80
	pop %ebp
	pop %edi
	pop %esi
	pop %ebx
	ret

/* long clone_thread(ulong flags, void *stack_top, int *ptid, int *ctid, void (*fn)(void *), void *arg)
 * i386 clone order: ebx flags, ecx stack, edx ptid, esi tls, edi ctid. */
	.globl clone_thread
clone_thread:
	push %ebx
	push %esi
	push %edi
	mov 16(%esp), %ebx
	mov 20(%esp), %ecx
	and $-16, %ecx
	sub $16, %ecx
	mov 36(%esp), %eax        /* arg: first cdecl argument slot of the child's call */
	mov %eax, 0(%ecx)
	mov 32(%esp), %eax        /* fn */
	mov %eax, 4(%ecx)
	mov 24(%esp), %edx
	mov 28(%esp), %edi
	xor %esi, %esi
	mov $__NR_clone, %eax
	int $0x80
	test %eax, %eax
	jnz 1f
	xor %ebp, %ebp
	mov 4(%esp), %eax
	call *%eax
	xor %ebx, %ebx
	mov $__NR_exit, %eax
	int $0x80
	hlt
1:	pop %edi
	pop %esi
	pop %ebx
	ret

	.globl signal_restorer
signal_restorer:
	mov $__NR_rt_sigreturn, %eax
	int $0x80
	hlt

	.section .note.GNU-stack,"",@progbits
