/* CRC-32 (IEEE 802.3, zlib's crc32) and standard base64 with padding, as the frame format
 * (docs/agent-protocol.md §1) requires. */
#ifndef AGENT_CODEC_H
#define AGENT_CODEC_H
#include "types.h"

u32 crc32(const u8 *p, usize n);
usize base64_encoded_len(usize n);
/* Writes base64_encoded_len(n) bytes. */
void base64_encode(const u8 *src, usize n, char *out);
/* Decodes strict padded base64; returns the decoded length or -1 if malformed. */
isize base64_decode(const char *src, usize n, u8 *out);

#endif
