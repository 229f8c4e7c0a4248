/* Frames on the agent's byte streams (docs/agent-protocol.md §1): one line each,
 * "@@CF1 TYPE SEQ LEN CRC BASE64\n". Outgoing frames of the current batch are kept so the host
 * can ask for any of them again (RSND). */
#ifndef AGENT_FRAME_H
#define AGENT_FRAME_H
#include "types.h"

#define FRAME_MAGIC "@@CF1 "

struct in_frame {
    char type[5];
    u32 seq;
    const u8 *payload;   /* valid until the next frame_read */
    u32 len;
};

enum { FRAME_NONE = 0, FRAME_OK = 1, FRAME_CORRUPT = 2, FRAME_EOF = -1 };

void frame_init(int in_fd, int out_fd);
/* Sends a frame with the next sequence number and keeps it for resending. 0 or -1. */
int frame_send(const char *type, const u8 *payload, u32 len);
/* Forgets every kept frame (the host has all of them: a new batch started). */
void frame_forget(void);
/* Sends a kept frame again; -1 if it is not held. */
int frame_resend(u32 seq);
/* Reads the next input frame. With block == 0 returns FRAME_NONE when no complete line is
 * available. FRAME_CORRUPT sets *why. Lines without the magic are skipped. */
int frame_read(struct in_frame *f, int block, const char **why);
/* Writes raw text to the output stream (fatal messages before the protocol is up). */
void out_text(const char *s);

#endif
