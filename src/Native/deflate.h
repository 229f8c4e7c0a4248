/* Raw DEFLATE (RFC 1951) encoding, for results sent compressed (RSLZ): observation records are
 * padded to 8 bytes and repeat their headers, and every byte the guest writes to an emulated
 * serial line costs it several microseconds (BENCHMARKS.md), so results shrink several-fold. */
#ifndef AGENT_DEFLATE_H
#define AGENT_DEFLATE_H
#include "gbuf.h"
#include "types.h"

/* Appends in[0..len) to out as one final fixed-Huffman block; returns 0, or -1 when out of memory. */
int deflate_raw(const u8 *in, usize len, struct gbuf *out);

#endif
