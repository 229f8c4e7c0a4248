#include "util.h"

void *memcpy(void *d, const void *s, usize n)
{
    u8 *dp = d;
    const u8 *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, usize n)
{
    u8 *dp = d;
    const u8 *sp = s;
    if (dp < sp) {
        while (n--) *dp++ = *sp++;
    } else {
        dp += n;
        sp += n;
        while (n--) *--dp = *--sp;
    }
    return d;
}

void *memset(void *d, int c, usize n)
{
    u8 *dp = d;
    while (n--) *dp++ = (u8)c;
    return d;
}

int memcmp(const void *a, const void *b, usize n)
{
    const u8 *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}

usize str_len(const char *s)
{
    usize n = 0;
    while (s[n]) n++;
    return n;
}

int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

int str_starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}

usize str_copy(char *d, usize cap, const char *s)
{
    usize n = 0;
    if (!cap) return 0;
    while (s[n] && n + 1 < cap) { d[n] = s[n]; n++; }
    d[n] = 0;
    return n;
}

usize fmt_u64(char *buf, u64 v)
{
    char tmp[20];
    usize n = 0, i;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

usize fmt_i64(char *buf, i64 v)
{
    if (v < 0) { buf[0] = '-'; return 1 + fmt_u64(buf + 1, (u64)0 - (u64)v); }
    return fmt_u64(buf, (u64)v);
}

usize fmt_hex64(char *buf, u64 v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    usize n = 0, i;
    do { tmp[n++] = digits[v & 15]; v >>= 4; } while (v);
    for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

int parse_u64_dec(const char *s, usize n, u64 *out)
{
    u64 v = 0;
    usize i;
    if (n == 0 || n > 20) return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (u64)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int parse_i64(const char *s, usize n, i64 *out)
{
    int neg = 0;
    u64 v = 0;
    usize i;
    if (n && s[0] == '-') { neg = 1; s++; n--; }
    if (n > 2 && s[0] == '0' && s[1] == 'x') {
        if (n > 18) return -1;
        for (i = 2; i < n; i++) {
            char c = s[i];
            u64 d;
            if (c >= '0' && c <= '9') d = (u64)(c - '0');
            else if (c >= 'a' && c <= 'f') d = (u64)(c - 'a' + 10);
            else return -1;
            v = (v << 4) | d;
        }
    } else if (parse_u64_dec(s, n, &v)) {
        return -1;
    }
    *out = neg ? (i64)((u64)0 - v) : (i64)v;
    return 0;
}

#if defined(__arm__)
#include "sys.h"
/* libgcc's ARM division routines call raise() on division by zero. */
int raise(int sig);
int raise(int sig) { return (int)sys_kill((int)sys_getpid(), sig); }
#endif
