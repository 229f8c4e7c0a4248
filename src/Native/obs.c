#include "obs.h"
#include "util.h"

u8 *obs_begin(const struct actor *a, u16 step, usize payload)
{
    struct case_header *h = case_hdr;
    u8 *log = (u8 *)h + h->log_off;
    u32 len = (u32)ALIGN_UP(OBS_HEADER + payload, 8);
    u32 off;
    if (payload > OBS_MAX_PAYLOAD) return NULL;
    for (;;) {
        u32 expected = 0;
        if (__atomic_load_n(&h->log_full, __ATOMIC_ACQUIRE)) return NULL;
        off = __atomic_load_n(&h->log_hint, __ATOMIC_ACQUIRE);
        /* Keep 8 bytes free so the reader can always append its OVERFLOW record. */
        if (off + len + 8 > h->log_cap) {
            __atomic_store_n(&h->log_full, 1, __ATOMIC_RELEASE);
            return NULL;
        }
        if (__atomic_compare_exchange_n((u32 *)(log + off), &expected, len, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            u32 hint = off;
            /* Help the hint forward; a writer killed here leaves it behind, which only costs
             * the next writer a few failed claims. */
            __atomic_compare_exchange_n(&h->log_hint, &hint, off + len, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
            break;
        }
        /* Someone claimed off: move the hint past their record and try again. */
        {
            u32 theirs = expected & 0xffff, hint = off;
            if (theirs == 0) theirs = 8;
            __atomic_compare_exchange_n(&h->log_hint, &hint, off + theirs, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
        }
    }
    {
        u8 *rec = log + off;
        st16(rec + 4, step);
        st16(rec + 6, 0);
        st32(rec + 8, (u32)a->pid);
        st32(rec + 12, (u32)a->tid);
        return rec + OBS_HEADER;
    }
}

void obs_commit(u8 *payload, u8 kind, u8 flags)
{
    u8 *rec = payload - OBS_HEADER;
    u32 first = ld16(rec) | ((u32)kind << 16) | ((u32)flags << 24);
    __atomic_store_n((u32 *)rec, first, __ATOMIC_RELEASE);
}

static void obs_empty(const struct actor *a, u16 step, u8 kind)
{
    u8 *p = obs_begin(a, step, 0);
    if (p) obs_commit(p, kind, 0);
}

void obs_start(const struct actor *a, u16 step)
{
    u8 *p = obs_begin(a, step, 5);
    if (!p) return;
    st32(p, (u32)a->ppid);
    p[4] = a->abi;
    obs_commit(p, OBS_START, 0);
}

void obs_end(const struct actor *a, u16 step) { obs_empty(a, step, OBS_END); }

void obs_syscall(const struct actor *a, u16 step, i64 ret, const void *rec, u16 n)
{
    u8 *p = obs_begin(a, step, 10 + (usize)n);
    if (!p) return;
    st64(p, (u64)ret);
    st16(p + 8, n);
    if (n) memcpy(p + 10, rec, n);
    obs_commit(p, OBS_SYSCALL, 0);
}

void obs_join(const struct actor *a, u16 step, i32 tid, u8 done)
{
    u8 *p = obs_begin(a, step, 5);
    if (!p) return;
    st32(p, (u32)tid);
    p[4] = done;
    obs_commit(p, OBS_JOIN, 0);
}

void obs_mark(const struct actor *a, u16 step, u32 value)
{
    u8 *p = obs_begin(a, step, 4);
    if (!p) return;
    st32(p, value);
    obs_commit(p, OBS_MARK, 0);
}

void obs_timeout(const struct actor *a, u16 step, u8 what)
{
    u8 *p = obs_begin(a, step, 1);
    if (!p) return;
    p[0] = what;
    obs_commit(p, OBS_TIMEOUT, 0);
}

void obs_trace_end(const struct actor *a, u16 step, i32 status)
{
    u8 *p = obs_begin(a, step, 4);
    if (!p) return;
    st32(p, (u32)status);
    obs_commit(p, OBS_TRACE_END, 0);
}

void obs_error(const struct actor *a, u16 step, const char *msg)
{
    usize n = str_len(msg);
    u8 *p;
    if (n > 1024) n = 1024;
    p = obs_begin(a, step, 2 + n);
    if (!p) return;
    st16(p, (u16)n);
    memcpy(p + 2, msg, n);
    obs_commit(p, OBS_ERROR, 0);
}

u32 obs_walk(void (*emit)(const u8 *rec, u32 len, void *ctx), void *ctx)
{
    struct case_header *h = case_hdr;
    u8 *log = (u8 *)h + h->log_off;
    u32 off = 0;
    while (off + OBS_HEADER <= h->log_cap) {
        u32 first = __atomic_load_n((u32 *)(log + off), __ATOMIC_ACQUIRE);
        u32 len = first & 0xffff;
        if (len == 0) break;
        if (len < OBS_HEADER || (len & 7) || off + len > h->log_cap) break;   /* cannot happen */
        if ((first >> 16) & 0xff) emit(log + off, len, ctx);
        off += len;
    }
    return off;
}
