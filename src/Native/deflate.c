/* Greedy LZ77 with one hash candidate per position and the fixed Huffman code: no tables to send,
 * little code, and results are short (a few hundred bytes), where a dynamic code would not pay
 * for its own header. */
#include "deflate.h"
#include "util.h"

#define HASH_BITS 13
#define WINDOW 32768u
#define MIN_MATCH 3
#define MAX_MATCH 258

struct bits { struct gbuf *out; u32 acc; int n; int failed; };

/* DEFLATE packs bits LSB first; Huffman codes are sent most significant bit first. */
static void put_bits(struct bits *b, u32 v, int n)
{
    b->acc |= v << b->n;
    b->n += n;
    while (b->n >= 8) {
        if (gbuf_u8(b->out, (u8)b->acc)) b->failed = 1;
        b->acc >>= 8;
        b->n -= 8;
    }
}

static void put_code(struct bits *b, u32 code, int n)
{
    u32 r = 0;
    int i;
    for (i = 0; i < n; i++) r |= ((code >> i) & 1u) << (n - 1 - i);
    put_bits(b, r, n);
}

/* RFC 1951 3.2.6: the fixed literal/length code. */
static void put_symbol(struct bits *b, u32 sym)
{
    if (sym < 144) put_code(b, 0x30 + sym, 8);
    else if (sym < 256) put_code(b, 0x190 + (sym - 144), 9);
    else if (sym < 280) put_code(b, sym - 256, 7);
    else put_code(b, 0xc0 + (sym - 280), 8);
}

static const u16 len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                  67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const u8 len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const u16 dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                   1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const u8 dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                   11, 11, 12, 12, 13, 13 };

static void put_match(struct bits *b, u32 len, u32 dist)
{
    int i = 28, d = 29;
    while (len_base[i] > len) i--;
    put_symbol(b, 257 + (u32)i);
    put_bits(b, len - len_base[i], len_extra[i]);
    while (dist_base[d] > dist) d--;
    put_code(b, (u32)d, 5);
    put_bits(b, dist - dist_base[d], dist_extra[d]);
}

/* Positions + 1 of the last place each 3-byte hash was seen (0: never). */
static u32 head[1u << HASH_BITS];

static u32 hash3(const u8 *p)
{
    return ((u32)p[0] << 16 | (u32)p[1] << 8 | p[2]) * 2654435761u >> (32 - HASH_BITS);
}

int deflate_raw(const u8 *in, usize len, struct gbuf *out)
{
    struct bits b = { out, 0, 0, 0 };
    usize i = 0;
    memset(head, 0, sizeof head);
    put_bits(&b, 1, 1);   /* BFINAL */
    put_bits(&b, 1, 2);   /* BTYPE 01: fixed Huffman */
    while (i < len) {
        u32 best = 0, dist = 0;
        if (i + MIN_MATCH <= len) {
            u32 h = hash3(in + i), cand = head[h];
            head[h] = (u32)i + 1;
            if (cand && i - (cand - 1) <= WINDOW) {
                usize c = cand - 1, max = len - i < MAX_MATCH ? len - i : MAX_MATCH, n = 0;
                while (n < max && in[c + n] == in[i + n]) n++;
                if (n >= MIN_MATCH) { best = (u32)n; dist = (u32)(i - c); }
            }
        }
        if (best) {
            usize end = i + best;
            put_match(&b, best, dist);
            /* Index the positions the match covers, so later data can refer back into it. */
            for (i++; i < end; i++)
                if (i + MIN_MATCH <= len) head[hash3(in + i)] = (u32)i + 1;
        } else {
            put_symbol(&b, in[i]);
            i++;
        }
    }
    put_symbol(&b, 256);
    if (b.n) put_bits(&b, 0, 8 - b.n);
    return b.failed ? -1 : 0;
}
