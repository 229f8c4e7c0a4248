#include "frame.h"
#include "codec.h"
#include "gbuf.h"
#include "sys.h"
#include "util.h"

static int in_fd = 0, out_fd = 1;
static u32 out_seq;
static struct gbuf kept;        /* the encoded lines of kept frames, back to back */
static struct gbuf kept_index;  /* per kept frame: u32 seq, u32 offset, u32 length */
static struct gbuf in_buf;      /* bytes read but not yet parsed */
static struct gbuf decoded;     /* payload of the last frame read */

void frame_init(int in, int out)
{
    in_fd = in;
    out_fd = out;
}

static int write_all(const u8 *p, usize n)
{
    while (n) {
        long w = sys_write(out_fd, p, n);
        if (w == -EINTR || w == -EAGAIN) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (usize)w;
    }
    return 0;
}

void out_text(const char *s) { write_all((const u8 *)s, str_len(s)); }

int frame_send(const char *type, const u8 *payload, u32 len)
{
    char head[64];
    usize h = 0, total, b64 = len ? base64_encoded_len(len) : 1;
    u32 seq = out_seq++;
    u8 *line;
    memcpy(head, FRAME_MAGIC, 6); h = 6;
    memcpy(head + h, type, 4); h += 4;
    head[h++] = ' ';
    h += fmt_u64(head + h, seq);
    head[h++] = ' ';
    h += fmt_u64(head + h, len);
    head[h++] = ' ';
    {
        u32 crc = crc32(payload, len);
        int i;
        for (i = 7; i >= 0; i--) head[h++] = "0123456789abcdef"[(crc >> (i * 4)) & 15];
    }
    head[h++] = ' ';
    total = h + b64 + 1;
    line = gbuf_reserve(&kept, total);
    if (!line || gbuf_u32(&kept_index, seq) || gbuf_u32(&kept_index, (u32)kept.len) ||
        gbuf_u32(&kept_index, (u32)total))
        return -1;
    memcpy(line, head, h);
    if (len) base64_encode(payload, len, (char *)line + h);
    else line[h] = '-';
    line[total - 1] = '\n';
    kept.len += total;
    return write_all(line, total);
}

void frame_forget(void)
{
    kept.len = 0;
    kept_index.len = 0;
}

int frame_resend(u32 seq)
{
    usize i;
    for (i = 0; i + 12 <= kept_index.len; i += 12) {
        if (ld32(kept_index.p + i) == seq)
            return write_all(kept.p + ld32(kept_index.p + i + 4), ld32(kept_index.p + i + 8));
    }
    return -1;
}

/* Parses a decimal field ending at a space; advances *pos past the space. */
static int field_u32(const char *l, usize n, usize *pos, u32 *out)
{
    usize start = *pos;
    u64 v;
    while (*pos < n && l[*pos] != ' ') (*pos)++;
    if (*pos >= n || parse_u64_dec(l + start, *pos - start, &v) || v > 0xffffffffu) return -1;
    (*pos)++;
    *out = (u32)v;
    return 0;
}

static int parse_line(const char *l, usize n, struct in_frame *f, const char **why)
{
    usize pos = 0, i;
    u32 len, crc = 0;
    while (n && (l[n - 1] == '\r' || l[n - 1] == ' ')) n--;
    for (i = 0; i + 6 <= n; i++)
        if (!memcmp(l + i, FRAME_MAGIC, 6)) break;
    if (i + 6 > n) return FRAME_NONE;
    l += i + 6;
    n -= i + 6;
    *why = "malformed header";
    if (n < 5 || l[4] != ' ') return FRAME_CORRUPT;
    memcpy(f->type, l, 4);
    f->type[4] = 0;
    pos = 5;
    if (field_u32(l, n, &pos, &f->seq) || field_u32(l, n, &pos, &len)) return FRAME_CORRUPT;
    if (pos + 9 > n || l[pos + 8] != ' ') return FRAME_CORRUPT;
    for (i = 0; i < 8; i++) {
        char c = l[pos + i];
        u32 d;
        if (c >= '0' && c <= '9') d = (u32)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (u32)(c - 'a' + 10);
        else return FRAME_CORRUPT;
        crc = (crc << 4) | d;
    }
    pos += 9;
    decoded.len = 0;
    if (n - pos == 1 && l[pos] == '-') {
        f->len = 0;
    } else {
        isize d;
        u8 *out = gbuf_reserve(&decoded, (n - pos) / 4 * 3 + 3);
        if (!out) { *why = "out of memory"; return FRAME_CORRUPT; }
        d = base64_decode(l + pos, n - pos, out);
        if (d < 0) { *why = "bad base64"; return FRAME_CORRUPT; }
        f->len = (u32)d;
    }
    f->payload = decoded.p;
    if (f->len != len) { *why = "length mismatch"; return FRAME_CORRUPT; }
    if (crc32(decoded.p, f->len) != crc) { *why = "crc mismatch"; return FRAME_CORRUPT; }
    return FRAME_OK;
}

static int input_ready(void)
{
    struct k_pollfd p = { in_fd, POLLIN, 0 };
    struct k_timespec zero = { 0, 0 };
    return SC5(__NR_ppoll, &p, 1, &zero, 0, 0) > 0;
}

int frame_read(struct in_frame *f, int block, const char **why)
{
    for (;;) {
        usize i;
        for (i = 0; i < in_buf.len; i++) {
            if (in_buf.p[i] == '\n') {
                int r = parse_line((const char *)in_buf.p, i, f, why);
                /* The payload was decoded into its own buffer, so the line can go. */
                gbuf_consume(&in_buf, i + 1);
                if (r != FRAME_NONE) return r;
                i = (usize)-1;
            }
        }
        if (!block && !input_ready()) return FRAME_NONE;
        {
            u8 *dst = gbuf_reserve(&in_buf, 65536);
            long r;
            if (!dst) return FRAME_EOF;
            r = sys_read(in_fd, dst, 65536);
            if (r == -EINTR || r == -EAGAIN) continue;
            if (r <= 0) return FRAME_EOF;
            in_buf.len += (usize)r;
        }
    }
}
