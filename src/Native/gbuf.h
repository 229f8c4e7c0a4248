/* A growable byte buffer backed by anonymous mmap (the agent has no malloc). Used by the serve
 * loop only, never inside a case: its memory is not inherited by forks (MADV_DONTFORK). */
#ifndef AGENT_GBUF_H
#define AGENT_GBUF_H
#include "types.h"

struct gbuf { u8 *p; usize len, cap; };

/* Makes room for n more bytes; returns a pointer to them or NULL if memory ran out. */
u8 *gbuf_reserve(struct gbuf *b, usize n);
int gbuf_put(struct gbuf *b, const void *d, usize n);
int gbuf_u8(struct gbuf *b, u8 v);
int gbuf_u16(struct gbuf *b, u16 v);
int gbuf_u32(struct gbuf *b, u32 v);
int gbuf_u64(struct gbuf *b, u64 v);
/* The protocol's str: u16 length + bytes (truncated to 65535). */
int gbuf_str(struct gbuf *b, const char *s);
/* Drops the first n bytes. */
void gbuf_consume(struct gbuf *b, usize n);

#endif
