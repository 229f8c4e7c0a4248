/* Freestanding string and number helpers. gcc may emit calls to memcpy/memset/memmove/memcmp
 * on its own, so util.c defines those under their standard names. */
#ifndef AGENT_UTIL_H
#define AGENT_UTIL_H
#include "types.h"

void *memcpy(void *d, const void *s, usize n);
void *memmove(void *d, const void *s, usize n);
void *memset(void *d, int c, usize n);
int memcmp(const void *a, const void *b, usize n);
usize str_len(const char *s);
int str_eq(const char *a, const char *b);
int str_starts(const char *s, const char *prefix);
/* Copies at most cap-1 bytes and NUL-terminates; returns the length copied. */
usize str_copy(char *d, usize cap, const char *s);
/* Decimal/hex formatting into buf (no NUL); returns the length. */
usize fmt_u64(char *buf, u64 v);
usize fmt_i64(char *buf, i64 v);
usize fmt_hex64(char *buf, u64 v);
/* Parses a decimal (optionally negative) or 0x-hex number; returns 0 on success. */
int parse_i64(const char *s, usize n, i64 *out);
int parse_u64_dec(const char *s, usize n, u64 *out);

#endif
