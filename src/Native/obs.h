/* Appending observations to the case area's log (docs/agent-protocol.md §3, Observations).
 * Any actor may be killed at any instruction, so a record is claimed by a compare-and-swap on
 * its first word (length, kind 0 = incomplete) and published by storing its kind last; the
 * reader skips incomplete records by their length. No system calls. */
#ifndef AGENT_OBS_H
#define AGENT_OBS_H
#include "types.h"
#include "case.h"

enum {
    OBS_START = 1, OBS_SYSCALL = 2, OBS_SIGINFO = 3, OBS_JOIN = 4, OBS_FILE = 5,
    OBS_TRACE_STOP = 6, OBS_TRACE_END = 7, OBS_MARK = 8, OBS_END = 9, OBS_TIMEOUT = 10,
    OBS_ERROR = 11, OBS_OVERFLOW = 12, OBS_FUZZ_SETUP = 13, OBS_FUZZ_STACK = 14, OBS_FUZZ_INPUT = 15,
};
#define OBS_HEADER 16
#define OBS_MAX_PAYLOAD (65528u - OBS_HEADER)
#define OBS_FLAG_IN_HANDLER 1

/* Claims a record with room for `payload` bytes; returns its payload pointer or NULL when the
 * log is full. Fill the payload, then obs_commit. */
u8 *obs_begin(const struct actor *a, u16 step, usize payload);
void obs_commit(u8 *payload, u8 kind, u8 flags);

void obs_start(const struct actor *a, u16 step);
void obs_end(const struct actor *a, u16 step);
void obs_syscall(const struct actor *a, u16 step, i64 ret, const void *rec, u16 n);
void obs_join(const struct actor *a, u16 step, i32 tid, u8 done);
void obs_mark(const struct actor *a, u16 step, u32 value);
void obs_timeout(const struct actor *a, u16 step, u8 what);
void obs_trace_end(const struct actor *a, u16 step, i32 status);
void obs_error(const struct actor *a, u16 step, const char *msg);

/* Walks the log as the serving agent does after a case: calls emit for each complete record and
 * returns the offset just past the last claimed one. */
u32 obs_walk(void (*emit)(const u8 *rec, u32 len, void *ctx), void *ctx);

#endif
