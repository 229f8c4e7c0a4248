#include "inflate.h"
#include "util.h"

/* A canonical Huffman code as counts per length and symbols in code order (as RFC 1951 §3.2.2
 * builds it), decoded one bit at a time: the codes are short and the data small. */
struct huffman {
    u16 count[16];
    u16 symbol[288];
};

struct bits {
    const u8 *p, *end;
    u32 buf;
    int n;
    int bad;
};

static u32 take(struct bits *b, int k)
{
    u32 v;
    while (b->n < k) {
        if (b->p == b->end) { b->bad = 1; return 0; }
        b->buf |= (u32)*b->p++ << b->n;
        b->n += 8;
    }
    v = b->buf & ((1u << k) - 1);
    b->buf >>= k;
    b->n -= k;
    return v;
}

/* Returns < 0 for an over-subscribed set of lengths; incomplete codes are allowed (an unused code
 * simply fails to decode). */
static int build(struct huffman *h, const u8 *length, int n)
{
    u16 offs[16];
    int len, sym, left = 1;
    memset(h->count, 0, sizeof h->count);
    for (sym = 0; sym < n; sym++) h->count[length[sym]]++;
    h->count[0] = 0;
    for (len = 1; len < 16; len++) {
        left <<= 1;
        left -= h->count[len];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    for (len = 1; len < 15; len++) offs[len + 1] = (u16)(offs[len] + h->count[len]);
    for (sym = 0; sym < n; sym++)
        if (length[sym]) h->symbol[offs[length[sym]]++] = (u16)sym;
    return left;
}

static int decode(struct bits *b, const struct huffman *h)
{
    int code = 0, first = 0, index = 0, len;
    for (len = 1; len < 16; len++) {
        int count;
        code |= (int)take(b, 1);
        if (b->bad) return -1;
        count = h->count[len];
        if (code - count < first) return h->symbol[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

static const u16 length_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const u8 length_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                     3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const u16 dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                   513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const u8 dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                   8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

struct output { u8 *p; usize len, cap; };

static int codes(struct bits *b, struct output *o, const struct huffman *lit, const struct huffman *dist)
{
    for (;;) {
        int sym = decode(b, lit);
        if (sym < 0) return -1;
        if (sym < 256) {
            if (o->len == o->cap) return -1;
            o->p[o->len++] = (u8)sym;
        } else if (sym == 256) {
            return 0;
        } else {
            usize len, d;
            sym -= 257;
            if (sym >= 29) return -1;
            len = length_base[sym] + take(b, length_extra[sym]);
            sym = decode(b, dist);
            if (sym < 0 || sym >= 30) return -1;
            d = dist_base[sym] + take(b, dist_extra[sym]);
            if (b->bad || d > o->len || len > o->cap - o->len) return -1;
            /* Byte by byte: a match may overlap the bytes it is producing. */
            while (len--) { o->p[o->len] = o->p[o->len - d]; o->len++; }
        }
    }
}

static int stored(struct bits *b, struct output *o)
{
    u32 len, nlen;
    b->buf = 0;   /* what is left of the current byte is padding */
    b->n = 0;
    if (b->end - b->p < 4) return -1;
    len = b->p[0] | (u32)b->p[1] << 8;
    nlen = b->p[2] | (u32)b->p[3] << 8;
    b->p += 4;
    if (len != (~nlen & 0xffff) || (usize)(b->end - b->p) < len || len > o->cap - o->len) return -1;
    memcpy(o->p + o->len, b->p, len);
    b->p += len;
    o->len += len;
    return 0;
}

static int fixed(struct bits *b, struct output *o)
{
    struct huffman lit, dist;
    u8 length[288];
    int sym;
    for (sym = 0; sym < 144; sym++) length[sym] = 8;
    for (; sym < 256; sym++) length[sym] = 9;
    for (; sym < 280; sym++) length[sym] = 7;
    for (; sym < 288; sym++) length[sym] = 8;
    build(&lit, length, 288);
    for (sym = 0; sym < 30; sym++) length[sym] = 5;
    build(&dist, length, 30);
    return codes(b, o, &lit, &dist);
}

static int dynamic(struct bits *b, struct output *o)
{
    static const u8 order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
    struct huffman lencode, lit, dist;
    u8 length[320];
    int nlit, ndist, ncode, index;
    nlit = (int)take(b, 5) + 257;
    ndist = (int)take(b, 5) + 1;
    ncode = (int)take(b, 4) + 4;
    if (b->bad || nlit > 286 || ndist > 30) return -1;
    for (index = 0; index < ncode; index++) length[order[index]] = (u8)take(b, 3);
    for (; index < 19; index++) length[order[index]] = 0;
    if (build(&lencode, length, 19) != 0) return -1;   /* the code-length code must be complete */
    index = 0;
    while (index < nlit + ndist) {
        int sym = decode(b, &lencode), repeat;
        u8 value = 0;
        if (sym < 0) return -1;
        if (sym < 16) { length[index++] = (u8)sym; continue; }
        if (sym == 16) {
            if (index == 0) return -1;
            value = length[index - 1];
            repeat = 3 + (int)take(b, 2);
        } else if (sym == 17) {
            repeat = 3 + (int)take(b, 3);
        } else {
            repeat = 11 + (int)take(b, 7);
        }
        if (b->bad || index + repeat > nlit + ndist) return -1;
        while (repeat--) length[index++] = value;
    }
    if (length[256] == 0) return -1;   /* no end-of-block code */
    if (build(&lit, length, nlit) < 0 || build(&dist, length + nlit, ndist) < 0) return -1;
    return codes(b, o, &lit, &dist);
}

long inflate_raw(const u8 *in, usize in_len, u8 *out, usize out_cap)
{
    struct bits b = { in, in + in_len, 0, 0, 0 };
    struct output o = { out, 0, out_cap };
    int last;
    do {
        int type, r;
        last = (int)take(&b, 1);
        type = (int)take(&b, 2);
        if (b.bad) return -1;
        r = type == 0 ? stored(&b, &o) : type == 1 ? fixed(&b, &o) : type == 2 ? dynamic(&b, &o) : -1;
        if (r != 0 || b.bad) return -1;
    } while (!last);
    return (long)o.len;
}
