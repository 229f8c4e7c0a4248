#include "codec.h"

static u32 crc_table[256];
static int crc_ready;

static void crc_init(void)
{
    u32 i, j, c;
    for (i = 0; i < 256; i++) {
        c = i;
        for (j = 0; j < 8; j++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1;
}

u32 crc32(const u8 *p, usize n)
{
    u32 c = 0xffffffffu;
    if (!crc_ready) crc_init();
    while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

usize base64_encoded_len(usize n) { return (n + 2) / 3 * 4; }

void base64_encode(const u8 *s, usize n, char *o)
{
    usize i = 0;
    for (; i + 3 <= n; i += 3, o += 4) {
        u32 v = ((u32)s[i] << 16) | ((u32)s[i + 1] << 8) | s[i + 2];
        o[0] = b64[v >> 18]; o[1] = b64[(v >> 12) & 63]; o[2] = b64[(v >> 6) & 63]; o[3] = b64[v & 63];
    }
    if (n - i == 1) {
        u32 v = (u32)s[i] << 16;
        o[0] = b64[v >> 18]; o[1] = b64[(v >> 12) & 63]; o[2] = '='; o[3] = '=';
    } else if (n - i == 2) {
        u32 v = ((u32)s[i] << 16) | ((u32)s[i + 1] << 8);
        o[0] = b64[v >> 18]; o[1] = b64[(v >> 12) & 63]; o[2] = b64[(v >> 6) & 63]; o[3] = '=';
    }
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

isize base64_decode(const char *s, usize n, u8 *o)
{
    usize i, out = 0;
    if (n % 4) return -1;
    for (i = 0; i < n; i += 4) {
        int a = b64_value(s[i]), b = b64_value(s[i + 1]), c, d;
        int last = i + 4 == n;
        if (a < 0 || b < 0) return -1;
        o[out++] = (u8)((a << 2) | (b >> 4));
        if (last && s[i + 2] == '=') {
            if (s[i + 3] != '=' || (b & 15)) return -1;
            break;
        }
        c = b64_value(s[i + 2]);
        if (c < 0) return -1;
        o[out++] = (u8)(((b & 15) << 4) | (c >> 2));
        if (last && s[i + 3] == '=') {
            if (c & 3) return -1;
            break;
        }
        d = b64_value(s[i + 3]);
        if (d < 0) return -1;
        o[out++] = (u8)(((c & 3) << 6) | d);
    }
    return (isize)out;
}
