/* arm (EABI, hard float): the AArch32 compat helper on arm64 kernels. Layouts from
 * arch/arm/include/asm/ucontext.h and arch/arm/include/uapi/asm/sigcontext.h. */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H
#include <asm/unistd.h>

#define ARCH_MACHINE "armv7l"
#define ARCH_IS_HELPER 1
#define ARCH_HELPER_ABI ""
#define ARCH_HAS_COMPAT_SYSCALL 0
#define ARCH_HAS_TRACER 0
#define ARCH_MAP_LOW 0

#define SYS_MMAP __NR_mmap2
#define MMAP_OFFSET(off) ((off) >> 12)

/* ucontext: uc_flags, uc_link, stack_t (12), then struct sigcontext { trap_no, error_code,
 * oldmask, arm_r0 .. arm_r10, fp, ip, sp, lr, pc, cpsr, fault_address }. */
#define UC_MCONTEXT 20
#define UC_RET_OFF (UC_MCONTEXT + 3 * 4)     /* r0 */
#define UC_NR_OFF (UC_MCONTEXT + 10 * 4)     /* r7 */
#define UC_IP_OFF (UC_MCONTEXT + 18 * 4)     /* pc */
#define UC_REG_SIZE 4

#define SI_UNION 12

#define ARCH_HAS_FUZZ 0               /* a FUZZ step in the helper records ERROR */

#endif
