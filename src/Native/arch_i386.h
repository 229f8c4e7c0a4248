/* i386: the compat helper on x86_64 kernels (also runs on native i386 kernels). Layouts from
 * arch/x86/include/uapi/asm/sigcontext.h (sigcontext_32). */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H
#include <asm/unistd.h>

#define ARCH_MACHINE "i686"
#define ARCH_IS_HELPER 1
#define ARCH_HELPER_ABI ""
#define ARCH_HAS_COMPAT_SYSCALL 0     /* abi=1 is the native int $0x80 here */
#define ARCH_HAS_TRACER 0
#define ARCH_MAP_LOW 0

#define SYS_MMAP __NR_mmap2
#define MMAP_OFFSET(off) ((off) >> 12)

/* ucontext: uc_flags, uc_link, stack_t (12 bytes), then struct sigcontext_32
 * (gs fs es ds as 4-byte slots, di si bp sp bx dx cx ax trapno err ip ...). */
#define UC_MCONTEXT 20
#define UC_RET_OFF (UC_MCONTEXT + 11 * 4)   /* ax */
#define UC_NR_OFF UC_RET_OFF                 /* no orig_ax in sigcontext_32 */
#define UC_IP_OFF (UC_MCONTEXT + 14 * 4)    /* ip */
#define UC_REG_SIZE 4

#define SI_UNION 12

#define ARCH_HAS_FUZZ 0               /* a FUZZ step in the helper records ERROR */

#endif
