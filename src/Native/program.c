#include "program.h"
#include "arch.h"
#include "case.h"
#include "obs.h"

void cur_fail(struct cursor *c, const char *why)
{
    if (!c->err) {
        c->err = why;
        c->err_off = (u32)(c->p - c->base);
    }
    c->p = c->end;
}

static int need(struct cursor *c, usize n)
{
    if ((usize)(c->end - c->p) < n) { cur_fail(c, "truncated"); return 0; }
    return 1;
}

u8 cur_u8(struct cursor *c) { if (!need(c, 1)) return 0; return *c->p++; }
u16 cur_u16(struct cursor *c) { u16 v; if (!need(c, 2)) return 0; v = ld16(c->p); c->p += 2; return v; }
u32 cur_u32(struct cursor *c) { u32 v; if (!need(c, 4)) return 0; v = ld32(c->p); c->p += 4; return v; }
u64 cur_u64(struct cursor *c) { u64 v; if (!need(c, 8)) return 0; v = ld64(c->p); c->p += 8; return v; }

int program_layout(struct cursor *c, struct program_layout *o)
{
    u32 i;
    if (cur_u32(c) != PROGRAM_MAGIC) { c->p -= 4; cur_fail(c, "bad program magic"); return -1; }
    o->filter_count = cur_u16(c);
    if (o->filter_count > MAX_FILTERS) { cur_fail(c, "too many filters"); return -1; }
    o->filters = c->p;
    for (i = 0; i < o->filter_count && !c->err; i++) {
        u16 n = cur_u16(c);
        if (need(c, (usize)n * 8)) c->p += (usize)n * 8;
    }
    o->blob_count = cur_u16(c);
    if (o->blob_count > MAX_BLOBS) { cur_fail(c, "too many blobs"); return -1; }
    o->blobs = c->p;
    for (i = 0; i < o->blob_count && !c->err; i++) {
        u32 n = cur_u32(c);
        if (need(c, n)) c->p += n;
    }
    o->body_len = cur_u32(c);
    o->body = c->p;
    if (!c->err && (usize)(c->end - c->p) < o->body_len) cur_fail(c, "body longer than program");
    if (!c->err && (usize)(c->end - c->p) > o->body_len) {
        c->p += o->body_len;
        cur_fail(c, "bytes after the root body");
    }
    return c->err ? -1 : 0;
}

struct validator {
    struct cursor c;
    u32 filters, blobs;
    const u8 *blob_lens;   /* to check BLOB offsets */
    int depth;
};

static u32 blob_length(struct validator *v, u32 i)
{
    const u8 *p = v->blob_lens;
    while (i--) p += 4 + ld32(p);
    return ld32(p);
}

static void check_reg(struct validator *v, u8 i)
{
    if (i >= 16) { v->c.p--; cur_fail(&v->c, "register index out of range"); }
}

static void check_operand(struct validator *v)
{
    struct cursor *c = &v->c;
    u8 kind = cur_u8(c);
    switch (kind) {
    case OPND_IMM: cur_u64(c); break;
    case OPND_REG: case OPND_SHARED: check_reg(v, cur_u8(c)); break;
    case OPND_BLOB: {
        u16 b = cur_u16(c);
        u32 off = cur_u32(c);
        if (c->err) break;
        if (b >= v->blobs) { c->p -= 6; cur_fail(c, "blob index out of range"); break; }
        if (off > blob_length(v, b)) { c->p -= 4; cur_fail(c, "blob offset past the blob"); }
        break;
    }
    case OPND_FPROG: {
        u16 f = cur_u16(c);
        u8 mode = cur_u8(c);
        cur_u32(c);
        if (c->err) break;
        if (f >= v->filters) { c->p -= 7; cur_fail(c, "filter index out of range"); break; }
        if (mode > 2) { c->p -= 5; cur_fail(c, "bad FPROG pointer mode"); }
        break;
    }
    case OPND_BADPTR: case OPND_PID: case OPND_TID: case OPND_PPID: case OPND_NULL: break;
    case OPND_SCRATCH:
        if (cur_u32(c) > SCRATCH_SIZE) { c->p -= 4; cur_fail(c, "scratch offset past scratch"); }
        break;
    case OPND_REG_PLUS: check_reg(v, cur_u8(c)); cur_u64(c); break;
    default: c->p--; cur_fail(c, "unknown operand kind");
    }
}

static void check_dest(struct validator *v)
{
    u8 d = cur_u8(&v->c);
    if (d != DEST_NONE && d >= 0x20) { v->c.p--; cur_fail(&v->c, "bad destination"); }
}

static void check_range(struct validator *v, u32 value, u32 max, usize width, const char *why)
{
    if (value > max) { v->c.p -= width; cur_fail(&v->c, why); }
}

/* A count field of `width` bytes just read must lie in [min, max]. */
static int check_count(struct validator *v, u32 value, u32 min, u32 max, usize width, const char *why)
{
    if (v->c.err) return 0;
    if (value < min || value > max) { v->c.p -= width; cur_fail(&v->c, why); return 0; }
    return 1;
}

static void skip(struct cursor *c, usize n)
{
    if (need(c, n)) c->p += n;
}

/* FUZZ: pools, call sites, then the stacks, each checked against the program's filters and
 * the step's slot count. */
static void check_fuzz(struct validator *v)
{
    struct cursor *c = &v->c;
    u32 n, i, k;
    u8 slots;
    check_range(v, cur_u8(c), FUZZ_DETAIL | FUZZ_PRCTL | FUZZ_SET_JIT | FUZZ_JIT_ON | FUZZ_LISTENER | FUZZ_TRACER, 1, "bad FUZZ flags");
    n = cur_u16(c);
    if (!check_count(v, n, 1, FUZZ_MAX_NRS, 2, "FUZZ nr_count must be 1..256")) return;
    skip(c, (usize)n * 4);
    n = cur_u16(c);
    if (!check_count(v, n, 1, FUZZ_MAX_ARGS, 2, "FUZZ arg_count must be 1..1024")) return;
    skip(c, (usize)n * 8);
    slots = cur_u8(c);
    if (!check_count(v, slots, 0, FUZZ_MAX_SLOTS, 1, "FUZZ slot_count must be 0..7")) return;
    skip(c, (usize)slots * 8);
    n = cur_u16(c);
    if (!check_count(v, n, 1, FUZZ_MAX_STACKS, 2, "FUZZ stack_count must be 1..4096")) return;
    for (i = 0; i < n && !c->err; i++) {
        u8 filters = cur_u8(c), mode;
        if (!check_count(v, filters, 1, FUZZ_MAX_FILTERS, 1, "FUZZ filter_count must be 1..8")) return;
        for (k = 0; k < filters && !c->err; k++) {
            u16 f = cur_u16(c);
            if (!c->err && f >= v->filters) { c->p -= 2; cur_fail(c, "filter index out of range"); }
        }
        mode = cur_u8(c);
        if (!check_count(v, mode, 0, 1, 1, "bad FUZZ input_mode")) return;
        if (mode == 0) {
            cur_u64(c);
            check_count(v, cur_u32(c), 1, FUZZ_MAX_SEEDED, 4, "FUZZ seeded input_count must be 1..65536");
            continue;
        }
        k = cur_u16(c);
        if (!check_count(v, k, 1, FUZZ_MAX_EXPLICIT, 2, "FUZZ explicit input_count must be 1..4096")) return;
        while (k-- && !c->err) {
            skip(c, FUZZ_EXPLICIT_INPUT - 1);
            check_count(v, cur_u8(c), 0, slots, 1, "FUZZ input slot past the slot count");
        }
    }
}

static void check_body(struct validator *v, u32 len);

static void check_nested(struct validator *v)
{
    u32 len = cur_u32(&v->c);
    if (v->c.err) return;
    if ((usize)(v->c.end - v->c.p) < len) { v->c.p -= 4; cur_fail(&v->c, "nested body longer than its parent"); return; }
    if (++v->depth > 64) { cur_fail(&v->c, "bodies nested too deeply"); return; }
    check_body(v, len);
    v->depth--;
}

static void check_step(struct validator *v)
{
    struct cursor *c = &v->c;
    u8 op = cur_u8(c);
    int i;
    cur_u16(c);
    switch (op) {
    case OP_SYSCALL: {
        u8 abi = cur_u8(c);
        u16 rec;
        if ((abi & ~(SYSCALL_COMPAT | SYSCALL_CLIP_RECORD))
            || ((abi & SYSCALL_COMPAT) && !ARCH_HAS_COMPAT_SYSCALL && !ARCH_IS_HELPER)) {
            c->p--; cur_fail(c, "bad or unsupported system call ABI");
            return;
        }
        cur_u32(c);
        for (i = 0; i < 6; i++) check_operand(v);
        check_dest(v);
        rec = cur_u16(c);
        check_range(v, rec, OBS_MAX_PAYLOAD - 10, 2, "record_len too large");
        if (rec) check_operand(v);
        break;
    }
    case OP_STORE: case OP_LOAD: {
        u8 w = cur_u8(c);
        if (w != 1 && w != 2 && w != 4 && w != 8) { c->p--; cur_fail(c, "bad width"); return; }
        check_operand(v);
        if (op == OP_STORE) { check_operand(v); break; }
        check_dest(v);
        check_range(v, cur_u8(c), 1, 1, "bad sign_extend");
        break;
    }
    case OP_FORK: case OP_THREAD: check_dest(v); check_nested(v); break;
    case OP_JOIN: check_operand(v); cur_u32(c); break;
    case OP_EXEC: check_range(v, cur_u8(c), 1, 1, "bad image"); check_nested(v); break;
    case OP_SIGACTION: {
        u8 s = cur_u8(c);
        if (s == 0 || s > 64) { c->p--; cur_fail(c, "bad signal number"); return; }
        check_range(v, cur_u8(c), 2, 1, "bad disposition");
        cur_u32(c);
        break;
    }
    case OP_SIGMASK: check_range(v, cur_u8(c), 2, 1, "bad sigprocmask how"); cur_u64(c); break;
    case OP_EXIT: check_range(v, cur_u8(c), 1, 1, "bad exit kind"); cur_u32(c); break;
    case OP_SET_FLAG: check_range(v, cur_u8(c), 31, 1, "flag index out of range"); break;
    case OP_WAIT_FLAG: check_range(v, cur_u8(c), 31, 1, "flag index out of range"); cur_u32(c); break;
    case OP_READ_FILE: check_operand(v); cur_u32(c); check_range(v, cur_u8(c), 1, 1, "bad nonblock"); break;
    case OP_TRACE_LOOP: {
        u8 n, m, j;
        check_operand(v);
        check_range(v, cur_u8(c), 1, 1, "bad resume request");
        cur_u16(c);
        n = cur_u8(c);
        for (j = 0; j < n && !c->err; j++) {
            m = cur_u8(c);
            for (i = 0; i < m && !c->err; i++) {
                u8 what = cur_u8(c);
                if (what < 1 || what > 8) { c->p--; cur_fail(c, "bad register modification"); return; }
                cur_u64(c);
            }
            check_range(v, cur_u8(c), 2, 1, "bad response action");
        }
        break;
    }
    case OP_MARK: cur_u32(c); break;
    case OP_SET: check_dest(v); check_operand(v); break;
    case OP_REPEAT: cur_u16(c); check_nested(v); break;
    case OP_SLEEP: cur_u32(c); break;
    case OP_FUZZ: check_fuzz(v); break;
    default: c->p -= 3; cur_fail(c, "unknown step op");
    }
}

static void check_body(struct validator *v, u32 len)
{
    const u8 *end = v->c.p + len, *outer = v->c.end;
    v->c.end = end;
    while (v->c.p < end && !v->c.err) check_step(v);
    if (!v->c.err) v->c.end = outer;
}

int program_validate(const u8 *program, u32 len, const char **err, u32 *err_off)
{
    struct validator v;
    struct program_layout l;
    v.c.base = v.c.p = program;
    v.c.end = program + len;
    v.c.err = NULL;
    v.depth = 0;
    if (program_layout(&v.c, &l) == 0) {
        v.filters = l.filter_count;
        v.blobs = l.blob_count;
        v.blob_lens = l.blobs;
        v.c.p = l.body;
        check_body(&v, l.body_len);
    }
    *err = v.c.err;
    *err_off = v.c.err_off;
    return v.c.err ? -1 : 0;
}
