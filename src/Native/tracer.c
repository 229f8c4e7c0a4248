/* TRACE_LOOP (docs/agent-protocol.md §3): wait for the tracee, record each stop with its
 * registers, apply the scripted responses to seccomp stops, resume. */
#include "arch.h"
#include "exec.h"
#include "obs.h"
#include "program.h"
#include "sys.h"
#include "util.h"

enum { MOD_NR = 1, MOD_RET = 2, MOD_ARG0 = 3 };
enum { THEN_RESUME = 0, THEN_KILL = 1, THEN_DETACH = 2 };

/* The syscall view of a stopped tracee's registers. */
struct regs_view {
    i64 nr, ret;
    u64 args[6], ip;
    u8 abi;
};

#if ARCH_HAS_TRACER
static long ptrace4(long req, i32 pid, long addr, long data) { return SC4(__NR_ptrace, req, pid, addr, data); }

#if defined(__x86_64__)
struct tracee_regs { u64 r[UR_COUNT]; };
static const int native_args[6] = { UR_RDI, UR_RSI, UR_RDX, UR_R10, UR_R8, UR_R9 };
static const int compat_args[6] = { UR_RBX, UR_RCX, UR_RDX, UR_RSI, UR_RDI, UR_RBP };

static long regs_get(i32 pid, struct tracee_regs *t, struct regs_view *v)
{
    long r = ptrace4(PTRACE_GETREGS, pid, 0, (long)t->r);
    const int *args;
    int i;
    if (r < 0) return r;
    v->abi = t->r[UR_CS] == X86_COMPAT_CS;
    args = v->abi ? compat_args : native_args;
    v->nr = (i64)t->r[UR_ORIG_RAX];
    v->ret = (i64)t->r[UR_RAX];
    for (i = 0; i < 6; i++) v->args[i] = t->r[args[i]];
    v->ip = t->r[UR_RIP];
    return 0;
}

static long regs_apply(i32 pid, struct tracee_regs *t, const struct regs_view *v, u8 what, i64 value)
{
    const int *args = v->abi ? compat_args : native_args;
    if (what == MOD_NR) t->r[UR_ORIG_RAX] = (u64)value;
    else if (what == MOD_RET) t->r[UR_RAX] = (u64)value;
    else t->r[args[what - MOD_ARG0]] = (u64)value;
    (void)pid;
    return 0;
}

static long regs_put(i32 pid, struct tracee_regs *t, int nr_changed, i64 nr)
{
    (void)nr_changed; (void)nr;
    return ptrace4(PTRACE_SETREGS, pid, 0, (long)t->r);
}
#else /* aarch64 */
struct tracee_regs { u64 r[PT_REGS_WORDS]; usize size; };
struct iovec_k { void *base; usize len; };

static long regs_get(i32 pid, struct tracee_regs *t, struct regs_view *v)
{
    struct iovec_k io = { t->r, sizeof t->r };
    long r = ptrace4(PTRACE_GETREGSET, pid, NT_PRSTATUS, (long)&io);
    int i;
    if (r < 0) return r;
    t->size = io.len;
    if (io.len == PT_COMPAT_WORDS * 4) {
        /* An AArch32 tracee: r0..r15, cpsr, orig_r0 as 32-bit words; r7 holds the number. */
        const u32 *w = (const u32 *)t->r;
        v->abi = 1;
        v->nr = (i32)w[7];
        v->ret = (i32)w[0];
        for (i = 0; i < 6; i++) v->args[i] = w[i];
        v->ip = w[15];
    } else {
        v->abi = 0;
        v->nr = (i64)t->r[8];
        v->ret = (i64)t->r[0];
        for (i = 0; i < 6; i++) v->args[i] = t->r[i];
        v->ip = t->r[PT_PC];
    }
    return 0;
}

static long regs_apply(i32 pid, struct tracee_regs *t, const struct regs_view *v, u8 what, i64 value)
{
    int reg = what == MOD_RET ? 0 : what - MOD_ARG0;
    (void)pid;
    if (what == MOD_NR) return 0;   /* written through NT_ARM_SYSTEM_CALL in regs_put */
    if (v->abi) ((u32 *)t->r)[reg] = (u32)value;
    else t->r[reg] = (u64)value;
    return 0;
}

static long regs_put(i32 pid, struct tracee_regs *t, int nr_changed, i64 nr)
{
    struct iovec_k io = { t->r, t->size };
    long r = ptrace4(PTRACE_SETREGSET, pid, NT_PRSTATUS, (long)&io);
    if (r < 0 || !nr_changed) return r;
    {
        i32 n = (i32)nr;
        struct iovec_k sc = { &n, sizeof n };
        return ptrace4(PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, (long)&sc);
    }
}
#endif

/* Applies one response at c; returns the first failing ptrace result (0 if none) and the
 * action to take afterwards in *then. */
static long apply_response(struct cursor *c, i32 pid, struct tracee_regs *t, const struct regs_view *v, u8 *then)
{
    u8 mods = cur_u8(c), i;
    long err = 0;
    int nr_changed = 0;
    i64 nr = 0;
    for (i = 0; i < mods; i++) {
        u8 what = cur_u8(c);
        i64 value = (i64)cur_u64(c);
        if (what == MOD_NR) { nr_changed = 1; nr = value; }
        regs_apply(pid, t, v, what, value);
    }
    *then = cur_u8(c);
    if (mods) err = regs_put(pid, t, nr_changed, nr);
    return err < 0 ? err : 0;
}

static void skip_response(struct cursor *c)
{
    u8 mods = cur_u8(c);
    c->p += (usize)mods * 9 + 1;
}

void trace_loop(struct actor *a, u16 step, i32 pid, struct cursor *c)
{
    u8 resume = cur_u8(c);
    u16 max_stops = cur_u16(c);
    u8 count = cur_u8(c), next = 0, i;
    const u8 *responses = c->p;
    u32 stops = 0;
    for (i = 0; i < count; i++) skip_response(c);   /* leave the cursor after the step */

    while (!max_stops || stops < max_stops) {
        int status = 0, sig, event;
        long r = sys_wait4(pid, &status, WALL);
        struct tracee_regs t;
        struct regs_view v;
        u64 msg = 0;
        long rerr = 0, rs;
        i16 index = -1;
        u8 then = THEN_RESUME;
        int resume_sig = 0;
        u8 *p;
        if (r == -EINTR) continue;
        if (r < 0) { obs_error(a, step, "TRACE_LOOP: wait4 failed"); return; }
        if ((status & 0x7f) == 0 || ((status & 0x7f) != 0x7f)) { obs_trace_end(a, step, status); return; }
        stops++;
        sig = (status >> 8) & 0xff;
        event = (status >> 16) & 0xff;
        memset(&v, 0, sizeof v);
        memset(&t, 0, sizeof t);
        rs = regs_get(pid, &t, &v);
        if (event) ptrace4(PTRACE_GETEVENTMSG, pid, 0, (long)&msg);
        if (event == PTRACE_EVENT_SECCOMP && next < count && rs == 0) {
            struct cursor rc = { case_program, responses, c->p, NULL, 0 };
            for (i = 0; i < next; i++) skip_response(&rc);
            rerr = apply_response(&rc, pid, &t, &v, &then);
            index = (i16)next++;
        } else if (!event && sig != SIGSTOP && sig != SIGTRAP && sig != (SIGTRAP | 0x80)) {
            resume_sig = sig;
        }
        p = obs_begin(a, step, 95);
        if (p) {
            int k;
            st32(p, (u32)status);
            st32(p + 4, (u32)event);
            st64(p + 8, msg);
            st64(p + 16, (u64)v.nr);
            st64(p + 24, (u64)v.ret);
            for (k = 0; k < 6; k++) st64(p + 32 + 8 * k, v.args[k]);
            st64(p + 80, v.ip);
            p[88] = v.abi;
            st32(p + 89, (u32)(rs < 0 ? -rs : -rerr));
            st16(p + 93, (u16)index);
            obs_commit(p, OBS_TRACE_STOP, 0);
        }
        if (then == THEN_KILL) {
            sys_kill(pid, SIGKILL);
            continue;   /* the next wait4 sees the death */
        }
        if (then == THEN_DETACH) {
            ptrace4(PTRACE_DETACH, pid, 0, resume_sig);
            return;
        }
        ptrace4(resume ? PTRACE_SYSCALL : PTRACE_CONT, pid, 0, resume_sig);
    }
}
#else
void trace_loop(struct actor *a, u16 step, i32 pid, struct cursor *c)
{
    u8 count, i;
    (void)pid;
    cur_u8(c);
    cur_u16(c);
    count = cur_u8(c);
    for (i = 0; i < count; i++) {
        u8 mods = cur_u8(c);
        c->p += (usize)mods * 9 + 1;
    }
    obs_error(a, step, "TRACE_LOOP is not supported by the 32-bit compat helper");
}
#endif
