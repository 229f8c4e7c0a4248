#include "arch.h"
#include "exec.h"
#include "obs.h"
#include "program.h"
#include "sys.h"
#include "util.h"

struct actor *main_actor;
struct actor thread_actors[THREAD_SLOTS];
volatile i32 thread_ctid[THREAD_SLOTS];
i32 thread_tid[THREAD_SLOTS];
static const u8 *thread_body[THREAD_SLOTS];
static u32 thread_body_len[THREAD_SLOTS];
u8 thread_stacks[THREAD_SLOTS][THREAD_STACK] __attribute__((aligned(16)));

static i64 operand(struct actor *a, struct cursor *c)
{
    u8 kind = cur_u8(c);
    switch (kind) {
    case OPND_IMM: return (i64)cur_u64(c);
    case OPND_REG: return a->r[cur_u8(c) & 15];
    case OPND_SHARED: return case_hdr->shared[cur_u8(c) & 15];
    case OPND_BLOB: {
        u16 b = cur_u16(c);
        u32 off = cur_u32(c);
        return (i64)(ulong)(data_area + blob_off[b] + off);
    }
    case OPND_FPROG: {
        u16 f = cur_u16(c);
        u8 mode = cur_u8(c);
        u32 len = cur_u32(c);
        return (i64)(ulong)fprog_for(f, mode, len);
    }
    case OPND_BADPTR: return (i64)BAD_ADDRESS;
    case OPND_PID: return a->pid;
    case OPND_TID: return a->tid;
    case OPND_PPID: return a->ppid;
    case OPND_SCRATCH: return (i64)(ulong)(data_area + scratch_off + cur_u32(c));
    case OPND_REG_PLUS: {
        i64 base = a->r[cur_u8(c) & 15];
        return (i64)((u64)base + cur_u64(c));
    }
    default: return 0;   /* OPND_NULL; others were rejected by validation */
    }
}

static void set_dest(struct actor *a, u8 dest, i64 v)
{
    if (dest < 16) a->r[dest] = v;
    else if (dest < 32) case_hdr->shared[dest - 16] = v;
}

/* The nested body that follows in the cursor. */
static const u8 *nested(struct cursor *c, u32 *len)
{
    const u8 *b;
    *len = cur_u32(c);
    b = c->p;
    c->p += *len;
    return b;
}

static u32 now_ms(void) { return __atomic_load_n(&case_hdr->now_ms, __ATOMIC_RELAXED); }

/* Waits until *word satisfies the wait or the timeout (ms, by the agent's case clock) passes;
 * returns 1 when it was satisfied. It sleeps on the word (futex, at most tick_ms at a time)
 * rather than yielding in a loop: on the guest's one vCPU a yielding waiter took CPU from the
 * thread or process it waited for (a thread's start and join cost 2.5 ms of TCG time that way).
 * A thread's clear-tid word is woken by the kernel at the thread's exit. Flags are not woken:
 * SET_FLAG stays free of system calls, so an actor in strict mode or under a filter that denies
 * futex can still set one, and the waiter looks again every millisecond. */
static int wait_word(volatile u32 *word, u32 want_nonzero, u32 timeout_ms, long tick_ms)
{
    u32 start = now_ms();
    for (;;) {
        u32 v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        struct k_timespec tick = { 0, tick_ms * 1000000L };
        if (want_nonzero ? v != 0 : v == 0) return 1;
        if (now_ms() - start >= timeout_ms) return 0;
        SC4(__NR_futex, word, FUTEX_WAIT, v, &tick);
    }
}

/* seccomp(SET_MODE_FILTER) or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER), in this image's own ABI. */
static int installs_filter(i32 nr, const i64 *v)
{
    return (nr == __NR_seccomp && v[0] == 1) || (nr == __NR_prctl && v[0] == 22 && v[1] == 2);
}

/* The pretend mode's install: a throwaway child makes the call, so the kernel's checks answer
 * (errno for a bad filter or fprog, no_new_privs, flags) but nothing is attached to the caller.
 * A listener is stood in for by a duplicate of stderr. */
static long pretend_install(i32 nr, const i64 *v)
{
    volatile i32 ctid = 0;
    int status = 0;
    long r = fork_child(&ctid);
    if (r == 0) {
        r = raw_syscall6(nr, (long)v[0], (long)v[1], (long)v[2], (long)v[3], (long)v[4], (long)v[5]);
        sys_exit_group(r < 0 ? (int)(-r & 0xff) : r > 0 ? 255 : 0);
    }
    if (r < 0) return r;
    if (sys_wait4((int)r, &status, 0) < 0 || (status & 0x7f) != 0) return -EINTR;
    status = (status >> 8) & 0xff;
    if (status == 255) return SC3(__NR_fcntl, 2, 1030 /* F_DUPFD_CLOEXEC */, 3);
    return -(long)status;
}

static void step_syscall(struct actor *a, u16 step, struct cursor *c)
{
    u8 abi = cur_u8(c);
    i32 nr = (i32)cur_u32(c);
    i64 v[6];
    long ret;
    u8 dest;
    u16 rec;
    int i, clip = abi & SYSCALL_CLIP_RECORD;
    const void *at;
    abi &= SYSCALL_COMPAT;
    for (i = 0; i < 6; i++) v[i] = operand(a, c);
    dest = cur_u8(c);
    rec = cur_u16(c);
    if (abi == 0 && case_hdr->pretend_filters && installs_filter(nr, v))
        ret = pretend_install(nr, v);
    else
#if ARCH_HAS_COMPAT_SYSCALL
    if (abi == 1)
        ret = raw_compat_syscall6(nr, (long)v[0], (long)v[1], (long)v[2], (long)v[3], (long)v[4], (long)v[5]);
    else
#endif
        ret = raw_syscall6(nr, (long)v[0], (long)v[1], (long)v[2], (long)v[3], (long)v[4], (long)v[5]);
    (void)abi;
    set_dest(a, dest, ret);
    /* The record address is evaluated after the call, so it may use the call's result. */
    at = rec ? (const void *)(ulong)operand(a, c) : NULL;
    /* A read-like call records only the bytes it returned, so results stay small on the wire. */
    if (clip) rec = ret < 0 ? 0 : (ulong)ret < rec ? (u16)ret : rec;
    obs_syscall(a, step, ret, at, rec);
}

static void step_store(struct actor *a, struct cursor *c)
{
    u8 w = cur_u8(c);
    u8 *addr = (u8 *)(ulong)operand(a, c);
    u64 v = (u64)operand(a, c);
    switch (w) {
    case 1: *addr = (u8)v; break;
    case 2: st16(addr, (u16)v); break;
    case 4: st32(addr, (u32)v); break;
    default: st64(addr, v);
    }
}

static void step_load(struct actor *a, struct cursor *c)
{
    u8 w = cur_u8(c);
    const u8 *addr = (const u8 *)(ulong)operand(a, c);
    u8 dest = cur_u8(c), sx = cur_u8(c);
    i64 v;
    switch (w) {
    case 1: v = sx ? (i64)(i8)*addr : (i64)*addr; break;
    case 2: v = sx ? (i64)(i16)ld16(addr) : (i64)ld16(addr); break;
    case 4: v = sx ? (i64)(i32)ld32(addr) : (i64)ld32(addr); break;
    default: v = (i64)ld64(addr);
    }
    set_dest(a, dest, v);
}

/* clone's child_tid argument position differs between x86_64 and the others. */
long fork_child(volatile i32 *ctid)
{
#if defined(__x86_64__)
    return SC5(__NR_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, ctid, 0);
#else
    return SC5(__NR_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 0, ctid);
#endif
}

static void step_fork(struct actor *a, u16 step, struct cursor *c)
{
    u8 dest = cur_u8(c);
    u32 len;
    const u8 *body = nested(c, &len);
    volatile i32 child_tid = 0;
    long r = fork_child(&child_tid);
    if (r == 0) {
        /* The kernel stored our pid in this process's copy of child_tid. */
        a->ppid = a->pid;
        a->pid = a->tid = child_tid;
        main_actor = a;
        run_actor(a, step, body, len);
    }
    set_dest(a, dest, r);
    if (r < 0) obs_syscall(a, step, r, NULL, 0);
}

static void thread_main(void *arg)
{
    struct actor *a = arg;
    u32 slot = (u32)(a - thread_actors);
    u16 start = a->step;
    a->tid = thread_ctid[slot];   /* CLONE_PARENT_SETTID stored it before we ran */
    obs_start(a, start);
    run_body(a, thread_body[slot], thread_body_len[slot]);
    obs_end(a, start);
    sys_exit(0);
}

static void step_thread(struct actor *a, u16 step, struct cursor *c)
{
    u8 dest = cur_u8(c);
    u32 len, slot;
    const u8 *body = nested(c, &len);
    long r;
    for (slot = 0; slot < THREAD_SLOTS; slot++) {
        i32 expected = 0;
        if (__atomic_compare_exchange_n(&thread_ctid[slot], &expected, -1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    if (slot == THREAD_SLOTS) {
        obs_error(a, step, "THREAD: all thread stacks are in use");
        set_dest(a, dest, -11);
        return;
    }
    thread_actors[slot] = *a;
    thread_actors[slot].step = step;
    thread_body[slot] = body;
    thread_body_len[slot] = len;
    r = clone_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                         CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                     thread_stacks[slot] + THREAD_STACK, (i32 *)&thread_ctid[slot],
                     (i32 *)&thread_ctid[slot], thread_main, &thread_actors[slot]);
    if (r < 0) {
        __atomic_store_n(&thread_ctid[slot], 0, __ATOMIC_RELEASE);
        obs_syscall(a, step, r, NULL, 0);
    } else {
        thread_tid[slot] = (i32)r;
    }
    set_dest(a, dest, r);
}

static void step_join(struct actor *a, u16 step, struct cursor *c)
{
    i32 tid = (i32)operand(a, c);
    u32 timeout = cur_u32(c), slot;
    for (slot = 0; slot < THREAD_SLOTS; slot++)
        if (thread_tid[slot] == tid) break;
    if (slot == THREAD_SLOTS) {
        obs_error(a, step, "JOIN: no thread with that tid was started by this process");
        return;
    }
    {
        u8 joined = (u8)wait_word((volatile u32 *)&thread_ctid[slot], 0, timeout, 5);
        int i;
        /* The kernel clears the word (and wakes this waiter) early in the thread's exit, before
         * the thread leaves its group's list, which TSYNC walks (6.1 counts an exiting thread
         * there). The thread's pid goes in the same step, so wait until tgkill(..., 0) no
         * longer finds it: a joined thread is gone. (The scenario fuzzer's fixed seed met a TSYNC
         * refused by a just-joined thread; the catalogue's own case sleeps 100 ms instead.) */
        for (i = 0; joined && i < 2000 && SC3(__NR_tgkill, a->pid, tid, 0) == 0; i++) sys_sched_yield();
        obs_join(a, step, tid, joined);
    }
}

static void step_exec(struct actor *a, u16 step, struct cursor *c)
{
    u8 image = cur_u8(c);
    u32 len;
    const u8 *body = nested(c, &len);
    const char *path = image ? case_hdr->helper_path : case_hdr->agent_path;
    char buf[1024], *p = buf;
    char *argv[26];
    char *envp[1] = { NULL };
    i64 numbers[6 + 16];
    int i, n = 0;
    long r;
    numbers[0] = case_fd;
    numbers[1] = body - case_program;
    numbers[2] = len;
    numbers[3] = step;
    numbers[4] = a->pid;
    numbers[5] = a->ppid;
    for (i = 0; i < 16; i++) numbers[6 + i] = a->r[i];
    argv[n++] = (char *)path;
    argv[n++] = (char *)"--resume";
    for (i = 0; i < 22; i++) {
        argv[n++] = p;
        p += fmt_i64(p, numbers[i]);
        *p++ = 0;
    }
    argv[n] = NULL;
    r = SC3(__NR_execve, path, argv, envp);
    obs_syscall(a, step, r, NULL, 0);
}

static void step_sigaction(struct actor *a, u16 step, struct cursor *c)
{
    u8 sig = cur_u8(c), disp = cur_u8(c);
    u32 flags = cur_u32(c);
    struct k_sigaction act;
    memset(&act, 0, sizeof act);
    act.flags = flags;
    if (disp == 2) {
        act.handler = (void *)signal_handler;
        act.flags |= SA_SIGINFO | SA_RESTORER;
        act.restorer = signal_restorer;
    } else {
        act.handler = (void *)(ulong)(disp == 1 ? SIG_IGN : SIG_DFL);
    }
    obs_syscall(a, step, sys_rt_sigaction(sig, &act, NULL), NULL, 0);
}

static void step_sigmask(struct actor *a, u16 step, struct cursor *c)
{
    u8 how = cur_u8(c);
    u64 mask = cur_u64(c);
    obs_syscall(a, step, SC4(__NR_rt_sigprocmask, how, &mask, 0, 8), NULL, 0);
}

static void step_sleep(struct cursor *c)
{
    u32 ms = cur_u32(c);
    struct k_timespec t = { (long)(ms / 1000), (long)(ms % 1000) * 1000000L };
    SC2(__NR_nanosleep, &t, 0);
}

void run_body(struct actor *a, const u8 *body, u32 len)
{
    struct cursor c = { case_program, body, body + len, NULL, 0 };
    while (c.p < c.end) {
        u8 op = cur_u8(&c);
        u16 step = cur_u16(&c);
        a->step = step;
        switch (op) {
        case OP_SYSCALL: step_syscall(a, step, &c); break;
        case OP_STORE: step_store(a, &c); break;
        case OP_LOAD: step_load(a, &c); break;
        case OP_FORK: step_fork(a, step, &c); break;
        case OP_THREAD: step_thread(a, step, &c); break;
        case OP_JOIN: step_join(a, step, &c); break;
        case OP_EXEC: step_exec(a, step, &c); break;
        case OP_SIGACTION: step_sigaction(a, step, &c); break;
        case OP_SIGMASK: step_sigmask(a, step, &c); break;
        case OP_EXIT: {
            u8 group = cur_u8(&c);
            i32 code = (i32)cur_u32(&c);
            obs_end(a, step);
            if (group) sys_exit_group(code);
            sys_exit(code);
            break;
        }
        case OP_SET_FLAG:
            __atomic_store_n(&case_hdr->flags[cur_u8(&c)], 1, __ATOMIC_SEQ_CST);
            break;
        case OP_WAIT_FLAG: {
            u8 f = cur_u8(&c);
            u32 timeout = cur_u32(&c);
            if (!wait_word(&case_hdr->flags[f], 1, timeout, 1)) obs_timeout(a, step, 0);
            break;
        }
        case OP_READ_FILE: {
            const char *path = (const char *)(ulong)operand(a, &c);
            u32 max = cur_u32(&c);
            u8 nb = cur_u8(&c);
            read_file(a, step, path, max, nb);
            break;
        }
        case OP_TRACE_LOOP: {
            i32 pid = (i32)operand(a, &c);
            trace_loop(a, step, pid, &c);
            break;
        }
        case OP_MARK: obs_mark(a, step, cur_u32(&c)); break;
        case OP_SET: {
            u8 dest = cur_u8(&c);
            set_dest(a, dest, operand(a, &c));
            break;
        }
        case OP_REPEAT: {
            u16 n = cur_u16(&c);
            u32 blen;
            const u8 *b = nested(&c, &blen);
            while (n--) run_body(a, b, blen);
            break;
        }
        case OP_SLEEP: step_sleep(&c); break;
        case OP_FUZZ: fuzz_step(a, step, &c); break;
        default:
            obs_error(a, step, "unknown step op (program changed after validation?)");
            return;
        }
    }
}

void run_actor(struct actor *a, u16 start_step, const u8 *body, u32 len)
{
    obs_start(a, start_step);
    run_body(a, body, len);
    obs_end(a, start_step);
    sys_exit_group(0);
    for (;;) {}
}
