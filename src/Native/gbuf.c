#include "gbuf.h"
#include "sys.h"
#include "util.h"

u8 *gbuf_reserve(struct gbuf *b, usize n)
{
    if (b->len + n > b->cap) {
        usize cap = b->cap ? b->cap : 65536;
        long p;
        while (cap < b->len + n) cap *= 2;
        if (b->p)
            p = SC4(__NR_mremap, b->p, b->cap, cap, MREMAP_MAYMOVE);
        else
            p = sys_mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p < 0 && p > -4096) return NULL;
        /* Case roots are forked from the serve loop and never touch its buffers: keeping them
         * out of every fork spares copying their page tables and the copy-on-write faults after
         * (a batch and its inflated copy are a MiB or more). mremap keeps the flag. */
        if (!b->p) SC3(__NR_madvise, p, cap, MADV_DONTFORK);
        b->p = (u8 *)p;
        b->cap = cap;
    }
    return b->p + b->len;
}

int gbuf_put(struct gbuf *b, const void *d, usize n)
{
    u8 *dst = gbuf_reserve(b, n);
    if (!dst) return -1;
    memcpy(dst, d, n);
    b->len += n;
    return 0;
}

int gbuf_u8(struct gbuf *b, u8 v) { return gbuf_put(b, &v, 1); }
int gbuf_u16(struct gbuf *b, u16 v) { u8 t[2]; st16(t, v); return gbuf_put(b, t, 2); }
int gbuf_u32(struct gbuf *b, u32 v) { u8 t[4]; st32(t, v); return gbuf_put(b, t, 4); }
int gbuf_u64(struct gbuf *b, u64 v) { u8 t[8]; st64(t, v); return gbuf_put(b, t, 8); }

int gbuf_str(struct gbuf *b, const char *s)
{
    usize n = str_len(s);
    if (n > 65535) n = 65535;
    if (gbuf_u16(b, (u16)n)) return -1;
    return gbuf_put(b, s, n);
}

void gbuf_consume(struct gbuf *b, usize n)
{
    if (n >= b->len) { b->len = 0; return; }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}
