/* The step executor: runs a body for an actor using raw system calls only. */
#ifndef AGENT_EXEC_H
#define AGENT_EXEC_H
#include "case.h"

/* Runs the steps in [body, body + len) for actor a; returns at the end of the body. */
void run_body(struct actor *a, const u8 *body, u32 len);
/* Runs a body as a whole actor life: START, the body, END, then exit_group(0). */
NORETURN void run_actor(struct actor *a, u16 start_step, const u8 *body, u32 len);

/* The recording signal handler (signals.c). */
void signal_handler(int sig, void *info, void *uc);
/* TRACE_LOOP (tracer.c); c is positioned after the pid operand. */
struct cursor;
void trace_loop(struct actor *a, u16 step, i32 pid, struct cursor *c);
/* READ_FILE (files.c). */
void read_file(struct actor *a, u16 step, const char *path, u32 max_len, u8 nonblock);
/* FUZZ (fuzz.c); c is positioned after the step id. */
void fuzz_step(struct actor *a, u16 step, struct cursor *c);
/* clone(SIGCHLD | CLONE_CHILD_SETTID): the child finds its pid in *ctid. */
long fork_child(volatile i32 *ctid);

#endif
