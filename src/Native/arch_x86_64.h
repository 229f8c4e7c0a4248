/* x86_64: the native agent on x86_64 kernels. Layouts from the 6.1 uapi headers
 * (arch/x86/include/uapi/asm/{ptrace,sigcontext,ucontext}.h). */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H
#include <asm/unistd.h>
#include "types.h"

#define ARCH_MACHINE "x86_64"
#define ARCH_IS_HELPER 0
#define ARCH_HELPER_ABI "i386"        /* what the compat helper next to this agent runs */
#define ARCH_HAS_COMPAT_SYSCALL 1     /* SYSCALL abi=1 means int $0x80 */
#define ARCH_HAS_TRACER 1
#define ARCH_MAP_LOW 0x40             /* MAP_32BIT: int $0x80 truncates pointers to 32 bits */

/* mmap takes a byte offset here; 32-bit ABIs use mmap2 with a page offset. */
#define SYS_MMAP __NR_mmap
#define MMAP_OFFSET(off) (off)

/* ucontext: uc_flags, uc_link, stack_t (24 bytes), then struct sigcontext_64. */
#define UC_MCONTEXT 40
#define UC_RET_OFF (UC_MCONTEXT + 13 * 8)   /* ax */
#define UC_NR_OFF UC_RET_OFF                 /* sigcontext has no orig_ax */
#define UC_IP_OFF (UC_MCONTEXT + 16 * 8)    /* ip */
#define UC_REG_SIZE 8

/* siginfo: the union starts at 16 on 64-bit ABIs (pointer alignment). */
#define SI_UNION 16

/* struct user_regs_struct, in u64 slots. */
enum {
    UR_R15, UR_R14, UR_R13, UR_R12, UR_RBP, UR_RBX, UR_R11, UR_R10, UR_R9, UR_R8,
    UR_RAX, UR_RCX, UR_RDX, UR_RSI, UR_RDI, UR_ORIG_RAX, UR_RIP, UR_CS, UR_EFLAGS,
    UR_RSP, UR_SS, UR_FS_BASE, UR_GS_BASE, UR_DS, UR_ES, UR_FS, UR_GS, UR_COUNT
};
#define X86_COMPAT_CS 0x23   /* __USER32_CS: the tracee runs 32-bit code */

long raw_compat_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* FUZZ call sites (arch_x86_64.S): the stub is "syscall; ret", and the kernel reports the
 * address after the 2-byte syscall instruction. */
#define ARCH_HAS_FUZZ 1
#define FUZZ_STUB_BYTES { 0x0f, 0x05, 0xc3 }
#define FUZZ_STUB_LEN 3
#define FUZZ_CALL_LEN 2
#define FUZZ_STUB_ALIGN 1
long arch_fuzz_call(long nr, const u64 *args, const void *entry);
extern const u8 fuzz_stub[], fuzz_stub_ip[];

#endif
