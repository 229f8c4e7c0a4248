/* Fixed-width types and the few compiler helpers the agent needs. The agent is freestanding
 * (no libc): the same code must run as a static binary on any kernel from 3.2 on, inside cases
 * whose filters may deny arbitrary system calls, and after execve without any runtime set up. */
#ifndef AGENT_TYPES_H
#define AGENT_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef unsigned long ulong;   /* register width of this ABI */
typedef unsigned long usize;
typedef long isize;

#define NULL ((void *)0)
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PACKED __attribute__((packed))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))

/* Unaligned little-endian accessors: program bytes have no alignment, and ARM faults on some
 * unaligned doubleword accesses. */
struct PACKED un16 { u16 v; };
struct PACKED un32 { u32 v; };
struct PACKED un64 { u64 v; };
static inline u16 ld16(const void *p) { return ((const struct un16 *)p)->v; }
static inline u32 ld32(const void *p) { return ((const struct un32 *)p)->v; }
static inline u64 ld64(const void *p) { return ((const struct un64 *)p)->v; }
static inline void st16(void *p, u16 v) { ((struct un16 *)p)->v = v; }
static inline void st32(void *p, u32 v) { ((struct un32 *)p)->v = v; }
static inline void st64(void *p, u64 v) { ((struct un64 *)p)->v = v; }

#endif
