/* Raw DEFLATE (RFC 1951) decoding, for batches the host sends compressed (RUNZ): case programs are
 * repetitive (filters of repeated instructions, similar step lists), and every byte that crosses
 * the emulated serial line costs tens of microseconds of guest time. */
#ifndef AGENT_INFLATE_H
#define AGENT_INFLATE_H
#include "types.h"

/* Decodes in[0..in_len) into out[0..out_cap); returns the number of bytes written, or -1 when the
 * data is not valid DEFLATE or would not fit. */
long inflate_raw(const u8 *in, usize in_len, u8 *out, usize out_cap);

#endif
