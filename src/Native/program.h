/* Reading case programs (docs/agent-protocol.md §3). The serving agent validates a whole program
 * once before running it; executors then read the same bytes with the same cursor. */
#ifndef AGENT_PROGRAM_H
#define AGENT_PROGRAM_H
#include "types.h"

#define PROGRAM_MAGIC 0x31504643u    /* "CFP1" */

/* SYSCALL's abi byte: bit 0 the compat ABI (int $0x80), bit 1 record at most the call's
 * non-negative return value in bytes (read-like calls). */
#define SYSCALL_COMPAT 1u
#define SYSCALL_CLIP_RECORD 2u

enum {
    OP_SYSCALL = 0x01, OP_STORE, OP_LOAD, OP_FORK, OP_THREAD, OP_JOIN, OP_EXEC, OP_SIGACTION,
    OP_SIGMASK, OP_EXIT, OP_SET_FLAG, OP_WAIT_FLAG, OP_READ_FILE, OP_TRACE_LOOP, OP_MARK, OP_SET,
    OP_REPEAT, OP_SLEEP, OP_FUZZ,
};
enum {
    OPND_IMM, OPND_REG, OPND_SHARED, OPND_BLOB, OPND_FPROG, OPND_BADPTR, OPND_PID, OPND_TID,
    OPND_PPID, OPND_SCRATCH, OPND_REG_PLUS, OPND_NULL,
};
#define DEST_NONE 0xff

/* FUZZ's flags and limits (docs/agent-protocol.md §3, FUZZ). */
#define FUZZ_DETAIL 1u                /* a FUZZ_INPUT record for every input */
#define FUZZ_PRCTL 2u                 /* install with prctl(PR_SET_SECCOMP) instead of seccomp() */
#define FUZZ_SET_JIT 4u               /* write net.core.bpf_jit_enable before the stacks */
#define FUZZ_JIT_ON 8u                /* ... with 1 (else 0) */
#define FUZZ_LISTENER 16u             /* each stack's last filter gets a listener the worker answers */
#define FUZZ_TRACER 32u               /* the driver is the worker's seccomp tracer and resumes every stop */
#define FUZZ_MAX_NRS 256
#define FUZZ_MAX_ARGS 1024
#define FUZZ_MAX_SLOTS 7              /* placed call sites; slot 0 is always there besides */
#define FUZZ_MAX_STACKS 4096
#define FUZZ_MAX_FILTERS 8            /* per stack */
#define FUZZ_MAX_SEEDED 65536         /* inputs of a seeded stack */
#define FUZZ_MAX_EXPLICIT 4096        /* inputs of an explicit stack */
#define FUZZ_EXPLICIT_INPUT 53        /* u32 nr, 6 x u64 args, u8 slot */

struct cursor {
    const u8 *base, *p, *end;
    const char *err;      /* first problem found, or NULL */
    u32 err_off;          /* its byte offset from base */
};

u8 cur_u8(struct cursor *c);
u16 cur_u16(struct cursor *c);
u32 cur_u32(struct cursor *c);
u64 cur_u64(struct cursor *c);
void cur_fail(struct cursor *c, const char *why);

/* The parts of a program header. */
struct program_layout {
    u32 filter_count, blob_count;
    const u8 *filters;     /* first filter's u16 len */
    const u8 *blobs;       /* first blob's u32 len */
    const u8 *body;
    u32 body_len;
};

/* Parses the header; returns 0 or -1 with c->err set. */
int program_layout(struct cursor *c, struct program_layout *out);
/* Checks every step of a body (recursively), the operands and the field ranges. */
int program_validate(const u8 *program, u32 len, const char **err, u32 *err_off);

#endif
