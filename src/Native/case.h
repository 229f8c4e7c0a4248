/* The case area (shared by every process of a case, docs/agent-protocol.md §2), the per-process
 * private region, and the actor state. */
#ifndef AGENT_CASE_H
#define AGENT_CASE_H
#include "types.h"

#define CASE_AREA_SIZE (2u << 20)
#define CASE_MAGIC 0x45534143u          /* "CASE" */
#define PROGRAM_OFFSET 4096u
#define PROGRAM_MAX (1u << 20)
#define SCRATCH_SIZE (64u << 10)
#define MAX_FILTERS 1024
#define MAX_BLOBS 4096
#define THREAD_SLOTS 32
#define THREAD_STACK (64u << 10)
#define ROOT_STEP 0xffffu               /* step id of the case root's START and END */
#define BAD_ADDRESS 0x1000ul            /* never mapped: below every mmap_min_addr default */

struct case_header {
    u32 magic;
    u32 program_len;
    u32 log_off, log_cap;
    volatile u32 log_hint;               /* offset where the next record probably goes */
    volatile u32 log_full;               /* a record did not fit; later ones are dropped */
    volatile u32 now_ms;                 /* ms since the case started, kept by the serving agent */
    u32 pretend_filters;                 /* test-only: filter installs are checked, never attached */
    volatile i64 shared[16];
    volatile u32 flags[32];
    char agent_path[512];
    char helper_path[512];
};

/* An actor: a process or thread running a step list. */
struct actor {
    i64 r[16];
    i32 pid, tid, ppid;
    volatile u16 step;                   /* step being executed, read by the signal handler */
    u8 abi;                              /* 0 native agent, 1 compat helper */
};

/* struct sock_fprog in this ABI's layout. */
struct sock_fprog { u16 len; void *filter; };

extern struct case_header *case_hdr;
extern u8 *case_program;                 /* the program copy inside the case area */
extern int case_fd;

/* The private region, rebuilt by every image from the program (in .bss: no mmap needed). */
extern u8 data_area[];
extern u32 blob_off[MAX_BLOBS], blob_len[MAX_BLOBS];
extern u32 blob_count, scratch_off;
extern struct sock_fprog fprogs[MAX_FILTERS];
extern u32 filter_count;

extern struct actor *main_actor;         /* the process's main-thread actor */
extern struct actor thread_actors[THREAD_SLOTS];
extern volatile i32 thread_ctid[THREAD_SLOTS];
extern i32 thread_tid[THREAD_SLOTS];
extern u8 thread_stacks[THREAD_SLOTS][THREAD_STACK];

/* Copies blobs and filters of the program into this process's private region. The region of
 * the previous case may be dirty up to *high_water; it is cleaned so scratch reads as zero. */
void private_region_build(const u8 *program, u32 len, u32 *high_water);
/* A sock_fprog for a FPROG operand. */
void *fprog_for(u32 filter, u8 ptr_mode, u32 len);
/* Unmaps the guard page after the FPROG staging buffer (once per image). */
void fprog_guard_init(void);

#endif
