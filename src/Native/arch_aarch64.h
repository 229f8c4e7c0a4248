/* aarch64: the native agent on arm64 kernels. Layouts from arch/arm64/include/uapi/asm/
 * {ptrace,sigcontext,ucontext}.h. */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H
#include <asm/unistd.h>
#include "types.h"

#define ARCH_MACHINE "aarch64"
#define ARCH_IS_HELPER 0
#define ARCH_HELPER_ABI "arm"
#define ARCH_HAS_COMPAT_SYSCALL 0     /* an AArch64 task cannot make AArch32 calls */
#define ARCH_HAS_TRACER 1
#define ARCH_MAP_LOW 0

#define SYS_MMAP __NR_mmap
#define MMAP_OFFSET(off) (off)

/* ucontext: uc_flags, uc_link, stack_t (24), sigset_t (8), 120 unused bytes, then the
 * 16-byte aligned struct sigcontext { fault_address; regs[31]; sp; pc; pstate; ... } at 176. */
#define UC_MCONTEXT 176
#define UC_RET_OFF (UC_MCONTEXT + 8 + 0 * 8)    /* x0 */
#define UC_NR_OFF (UC_MCONTEXT + 8 + 8 * 8)     /* x8 */
#define UC_IP_OFF (UC_MCONTEXT + 8 + 32 * 8)    /* pc */
#define UC_REG_SIZE 8

#define SI_UNION 16

/* struct user_pt_regs: regs[31], sp, pc, pstate. */
#define PT_REGS_WORDS 34
#define PT_PC 32
/* A 32-bit tracee's NT_PRSTATUS is compat_elf_gregset_t: r0..r15, cpsr, orig_r0 (u32 each). */
#define PT_COMPAT_WORDS 18
#define NT_PRSTATUS 1
#define NT_ARM_SYSTEM_CALL 0x404

/* FUZZ call sites (arch_aarch64.S): the stub is "svc #0; ret" (little-endian words), and the
 * kernel reports the address after the svc. Instructions are 4-byte aligned. */
#define ARCH_HAS_FUZZ 1
#define FUZZ_STUB_BYTES { 0x01, 0x00, 0x00, 0xd4, 0xc0, 0x03, 0x5f, 0xd6 }
#define FUZZ_STUB_LEN 8
#define FUZZ_CALL_LEN 4
#define FUZZ_STUB_ALIGN 4
long arch_fuzz_call(long nr, const u64 *args, const void *entry);
extern const u8 fuzz_stub[], fuzz_stub_ip[];

#endif
