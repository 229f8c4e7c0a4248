/* Entry points of the agent's modes (main.c dispatches on argv and on being PID 1). */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H
#include "types.h"

#define AGENT_VERSION "conformance-agent 1"
/* 2: ERRR carries a numeric code before its text (docs/agent-protocol.md §1). */
#define PROTOCOL_VERSION 2

/* ERRR codes: the host decides on these, never on the text. */
enum agent_error {
    ERR_CORRUPT_FRAME = 1,      /* an input frame failed its checks: the host sends it again */
    ERR_FRAME_NOT_HELD = 2,     /* RSND for a frame the agent no longer holds */
    ERR_MALFORMED_FRAME = 3,    /* a PING or RSND with the wrong payload size */
    ERR_UNEXPECTED_FRAME = 4,   /* a frame type the agent does not take */
    ERR_BATCH_REJECTED = 5,     /* a RUNB/RUNZ whose framing is wrong or that exceeds the agent's limit */
    ERR_OUT_OF_MEMORY = 6,      /* the agent could not allocate room for a batch */
};

/* HELO flags: bit 0, serving as a VM's init; bit 1, understands RUNZ (compressed batches). */
#define HELO_INIT 1u
#define HELO_RUNZ 2u
#define HELO_RSLZ 4u   /* results may come as RSLZ (compressed RSLT) */
#define HELO_PORT 8u   /* the agent speaks on the virtio serial port, not the console */

/* The largest batch the agent takes, compressed or not. */
#define BATCH_MAX (4u << 20)

/* Serves the protocol on stdin/stdout until QUIT or end of input. */
NORETURN void serve(int is_init, const char *self_path, const char *helper_path, char **envp);
/* PID 1 duties before serving: mounts, console log level, raw console. */
void init_duties(void);
/* The virtio serial port the agent speaks on in a VM (conformance.port=1), or -1: the console. */
extern int agent_channel_fd;
/* Reports a fatal problem; as PID 1 it then reboots instead of exiting (init must not die). */
NORETURN void fatal(const char *what, long err);
/* QUIT: exit on the host, sync and reboot in a VM. */
NORETURN void quit_agent(int is_init);
/* The EXEC entry: map the case area, rebuild the private region, run the body as the actor. */
NORETURN void resume(int argc, char **argv);
/* Kills every remaining child of the agent found in /proc (strays a case left behind). */
int kill_children_from_proc(int self_pid);

#endif
