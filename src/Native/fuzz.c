/* FUZZ (docs/agent-protocol.md §3, FUZZ): many filter stacks against many system-call inputs.
 *
 * The actor running the step (the driver) places the call sites, takes the reference values and
 * records FUZZ_SETUP. A forked worker then runs the stacks in order, each in a thread that
 * carries the stack's filters, so neither the driver nor the worker is ever filtered and the
 * next stack starts clean. A fuzzed call may kill its thread (the worker starts another one) or
 * the whole worker (the driver forks another one); whoever outlives the death reads which input
 * was in its call from the state all three share in one MAP_SHARED mapping made before the
 * fork. A thread, once filtered, makes only the installs, the fuzzed calls, rt_sigreturn and
 * exit: the host lets those through every filter. With TRACER the driver is also the worker's
 * tracer (PTRACE_SEIZE, threads attached through PTRACE_O_TRACECLONE): it notes each seccomp stop
 * in the record of the call under way and resumes the call unchanged. */
#include "arch.h"
#include "exec.h"
#include "obs.h"
#include "program.h"
#include "sys.h"
#include "util.h"

/* The step's fields; the pools and stacks point into the program in the case area. */
struct fuzz {
    u8 flags, slot_count;            /* slot_count: the placed slots 1..n, without slot 0 */
    u16 nr_count, arg_count, stack_count;
    const u8 *nrs, *args, *ips, *stacks;
    u32 max_inputs;                  /* of the largest stack: sizes the shared records */
    u8 mapped[1 + FUZZ_MAX_SLOTS];
    u64 ip[1 + FUZZ_MAX_SLOTS];      /* the ip the kernel reports for a call through the slot */
    const u8 *entry[1 + FUZZ_MAX_SLOTS];   /* where the slot's stub starts */
    ulong page[2 * FUZZ_MAX_SLOTS];  /* pages mapped for the placed stubs */
    u32 page_count;
};

struct fuzz_stack {
    u8 filter_count, mode;           /* mode 0 seeded, 1 explicit */
    u16 filters[FUZZ_MAX_FILTERS];
    u64 seed;
    u32 input_count;
    const u8 *inputs;                /* explicit inputs */
};

static const u8 *stack_parse(const u8 *p, struct fuzz_stack *s)
{
    u32 i;
    s->filter_count = *p++;
    for (i = 0; i < s->filter_count; i++, p += 2) s->filters[i] = ld16(p);
    s->mode = *p++;
    if (s->mode == 0) {
        s->seed = ld64(p);
        s->input_count = ld32(p + 8);
        s->inputs = NULL;
        return p + 12;
    }
    s->input_count = ld16(p);
    s->inputs = p + 2;
    return p + 2 + (usize)s->input_count * FUZZ_EXPLICIT_INPUT;
}

/* Reads the (validated) fields and moves the cursor past the step. */
static void fuzz_parse(struct cursor *c, struct fuzz *z)
{
    const u8 *p;
    u32 i;
    struct fuzz_stack s;
    memset(z, 0, sizeof *z);
    z->flags = cur_u8(c);
    z->nr_count = cur_u16(c);
    z->nrs = c->p;
    c->p += (usize)z->nr_count * 4;
    z->arg_count = cur_u16(c);
    z->args = c->p;
    c->p += (usize)z->arg_count * 8;
    z->slot_count = cur_u8(c);
    z->ips = c->p;
    c->p += (usize)z->slot_count * 8;
    z->stack_count = cur_u16(c);
    z->stacks = p = c->p;
    for (i = 0; i < z->stack_count; i++) {
        p = stack_parse(p, &s);
        if (s.input_count > z->max_inputs) z->max_inputs = s.input_count;
    }
    c->p = p;
}

#if ARCH_HAS_FUZZ

/* The input record (96 bytes, the unit of the digest) and its kinds. Kind 0 marks an input that
 * is prepared or in its call. */
#define REC_SIZE 96
enum { REC_PENDING = 0, REC_RETURNED = 1, REC_SIGSYS = 2, REC_THREAD_DIED = 3, REC_PROCESS_DIED = 4 };
enum {
    R_INDEX = 0, R_KIND = 4, R_SLOT = 5, R_FLAGS = 6, R_NR = 8, R_SIGNO = 12, R_VALUE = 16, R_SI_ERRNO = 24,
    R_SI_CODE = 28, R_SI_CALL_ADDR = 32, R_SI_SYSCALL = 40, R_SI_ARCH = 44, R_ARGS = 48,
};

/* What the driver, the worker and the fuzz threads share (MAP_SHARED, made before the fork). */
struct fuzz_shared {
    u32 stack, stack_off;            /* the stack being run; its offset in the program */
    u32 prepared;                    /* stack + 1 once the records hold its inputs */
    u32 next;                        /* first input not done */
    u32 in_call;                     /* index + 1 of the input whose call is under way, else 0 */
    u32 installs_recorded;           /* the stack's first thread wrote install[] */
    i32 install[FUZZ_MAX_FILTERS];   /* 0, a negative errno, or 1 = not attempted */
    u32 threads_died, processes_died;
    u32 traced;                      /* TRACER: the driver has seized the current worker */
    u8 records[] __attribute__((aligned(8)));
};

#define WORKER_GAVE_UP 1             /* the worker's exit code after it recorded an ERROR */
#define MIN_CODE_ADDR 0x10000ull     /* no stub below the common mmap_min_addr */

static u8 *record(struct fuzz_shared *sh, u32 i) { return sh->records + (usize)i * REC_SIZE; }

static u32 load(const u32 *w) { return __atomic_load_n(w, __ATOMIC_ACQUIRE); }
static void store(u32 *w, u32 v) { __atomic_store_n(w, v, __ATOMIC_RELEASE); }

/* ---- call sites ---- */

static const u8 stub_bytes[FUZZ_STUB_LEN] = FUZZ_STUB_BYTES;

/* Makes the page at `at` ours for a stub: already placed for an earlier slot, or newly mapped
 * where nothing is. A kernel before 4.17 takes MAP_FIXED_NOREPLACE as a hint and may map
 * elsewhere; that mapping is given back. */
static int take_page(struct fuzz *z, ulong at)
{
    u32 i;
    long r;
    for (i = 0; i < z->page_count; i++)
        if (z->page[i] == at) return 1;
    r = sys_mmap((void *)at, page_size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if ((ulong)r == at) {
        z->page[z->page_count++] = at;
        return 1;
    }
    if (r < 0 && r > -4096) return 0;
    sys_munmap((void *)r, page_size);
    return 0;
}

/* Copies the stub so that the address after its system-call instruction is ip. Returns 0 when
 * it cannot be there: too low, misaligned, overlapping another slot's stub, or not mappable. */
static int place_slot(struct fuzz *z, u32 k, u64 ip)
{
    ulong start, first, last;
    u32 j, pages_before = z->page_count;
    if (ip < MIN_CODE_ADDR + FUZZ_CALL_LEN || ip > ~0ull - 2 * FUZZ_STUB_LEN) return 0;
    if ((ip - FUZZ_CALL_LEN) % FUZZ_STUB_ALIGN) return 0;
    start = (ulong)(ip - FUZZ_CALL_LEN);
    for (j = 1; j < k; j++) {
        ulong other = (ulong)(usize)z->entry[j];
        if (z->mapped[j] && start < other + FUZZ_STUB_LEN && other < start + FUZZ_STUB_LEN) return 0;
    }
    first = start & ~(page_size - 1);
    last = (start + FUZZ_STUB_LEN - 1) & ~(page_size - 1);
    if (!take_page(z, first) || (last != first && !take_page(z, last))) {
        while (z->page_count > pages_before) sys_munmap((void *)z->page[--z->page_count], page_size);
        return 0;
    }
    memcpy((void *)start, stub_bytes, FUZZ_STUB_LEN);
    z->entry[k] = (const u8 *)start;
    return 1;
}

/* The stub was written through the data side; make the instruction side see it. */
static void sync_code(const u8 *p)
{
#if defined(__aarch64__)
    /* Every 4 bytes: correct whatever the cache line size, and the stub is only two words. */
    usize i;
    for (i = 0; i < FUZZ_STUB_LEN; i += 4) __asm__ volatile("dc cvau, %0" : : "r"(p + i) : "memory");
    __asm__ volatile("dsb ish" : : : "memory");
    for (i = 0; i < FUZZ_STUB_LEN; i += 4) __asm__ volatile("ic ivau, %0" : : "r"(p + i) : "memory");
    __asm__ volatile("dsb ish\n\tisb" : : : "memory");
#else
    (void)p;   /* x86 keeps instruction fetch coherent with stores */
#endif
}

static int slot_on_page(const struct fuzz *z, u32 k, ulong page)
{
    ulong start = (ulong)(usize)z->entry[k];
    return (start & ~(page_size - 1)) == page || ((start + FUZZ_STUB_LEN - 1) & ~(page_size - 1)) == page;
}

static void place_slots(struct fuzz *z)
{
    u32 k, i;
    z->mapped[0] = 1;
    z->ip[0] = (u64)(ulong)fuzz_stub_ip;
    z->entry[0] = fuzz_stub;
    for (k = 1; k <= z->slot_count; k++) {
        z->ip[k] = ld64(z->ips + (usize)(k - 1) * 8);
        z->mapped[k] = (u8)place_slot(z, k, z->ip[k]);
    }
    for (i = 0; i < z->page_count; i++) {
        if (sys_mprotect((void *)z->page[i], page_size, PROT_READ | PROT_EXEC) == 0) continue;
        for (k = 1; k <= z->slot_count; k++)
            if (z->mapped[k] && slot_on_page(z, k, z->page[i])) z->mapped[k] = 0;
    }
    for (k = 1; k <= z->slot_count; k++)
        if (z->mapped[k]) sync_code(z->entry[k]);
}

static void unplace_slots(struct fuzz *z)
{
    while (z->page_count) sys_munmap((void *)z->page[--z->page_count], page_size);
}

/* ---- inputs ---- */

static u64 splitmix_next(u64 *state)
{
    u64 x = (*state += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A 32-bit modulo on purpose: the same on every ABI and no 64-bit division helper. */
static u32 pick(u64 *state, u32 n) { return (u32)(splitmix_next(state) >> 32) % n; }

static u64 pool_arg(const struct fuzz *z, u64 *state) { return ld64(z->args + (usize)pick(state, z->arg_count) * 8); }

/* Input i of a seeded stack is the i-th draw of the generator, in the spec's order of picks. */
static void seeded_input(const struct fuzz *z, u64 *state, u32 *nr, u64 *args, u8 *slot)
{
    int a;
    *nr = ld32(z->nrs + (usize)pick(state, z->nr_count) * 4);
    for (a = 0; a < 6; a++) {
        u32 m = pick(state, 4);
        if (m == 0) {
            args[a] = pool_arg(z, state);
        } else if (m == 1) {
            args[a] = splitmix_next(state);
        } else if (m == 2) {
            args[a] = pick(state, 4);
        } else {
            u64 v = pool_arg(z, state);
            args[a] = v ^ (1ull << pick(state, 64));
        }
    }
    *slot = (u8)pick(state, z->slot_count + 1u);
}

/* Writes every input of the stack into its record, pending, before any thread runs: a thread
 * that comes after a death just goes on from the next record. */
static void prepare_inputs(const struct fuzz *z, const struct fuzz_stack *s, struct fuzz_shared *sh)
{
    u64 state = s->seed, args[6];
    u32 i, nr;
    int a;
    u8 slot;
    for (i = 0; i < s->input_count; i++) {
        u8 *r = record(sh, i);
        if (s->mode == 0) {
            seeded_input(z, &state, &nr, args, &slot);
        } else {
            const u8 *in = s->inputs + (usize)i * FUZZ_EXPLICIT_INPUT;
            nr = ld32(in);
            for (a = 0; a < 6; a++) args[a] = ld64(in + 4 + a * 8);
            slot = in[52];
        }
        if (!z->mapped[slot]) slot = 0;
        memset(r, 0, REC_SIZE);
        st32(r + R_INDEX, i);
        r[R_SLOT] = slot;
        st32(r + R_NR, nr);
        for (a = 0; a < 6; a++) st64(r + R_ARGS + a * 8, args[a]);
    }
}

/* The call itself. The number is sign-extended like SYSCALL's i32 nr. */
static long fuzz_call(const struct fuzz *z, const u8 *r)
{
    u64 args[6];
    int a;
    for (a = 0; a < 6; a++) args[a] = ld64(r + R_ARGS + a * 8);
    return arch_fuzz_call((long)(i32)ld32(r + R_NR), args, z->entry[r[R_SLOT]]);
}

/* Ends the record of an input whose thread or process died in its call. */
static void record_death(u8 *r, u8 kind, i32 signo)
{
    memset(r + R_SIGNO, 0, R_ARGS - R_SIGNO);
    st32(r + R_SIGNO, (u32)signo);
    __atomic_store_n(&r[R_KIND], kind, __ATOMIC_RELEASE);
}

/* ---- the fuzz thread (in the worker) ---- */

static struct fuzz *thread_fuzz;
static struct fuzz_stack *thread_stack_desc;
static struct fuzz_shared *thread_shared;
static u8 *volatile current;       /* the record of the call under way, for the SIGSYS handler */
static volatile u64 current_ip;    /* where that call resumes: the ip the kernel reports for it */
#define FUZZ_REC_RESTART 1u        /* record flag: the kernel had set the call up to be made again */
#define FUZZ_REC_NOTIFIED 2u       /* record flag: the call reached the listener (si_* hold its seccomp_data) */
#define FUZZ_REC_TRACED 4u         /* record flag: the tracer saw a seccomp stop in the call (TRACER) */
#define FUZZ_NOTIF_VALUE 0x6e6f7469ll  /* what the worker answers every notification with ("noti") */
static volatile i32 listener_fd = -1;  /* the fuzz thread's listener, while it lives */
static volatile i32 thread_word;   /* the thread's tid while it lives; the kernel clears it */
static u8 fuzz_thread_stack[THREAD_STACK] __attribute__((aligned(16)));

/* SIGSYS in the worker: completes the current record with what the kernel delivered and what
 * the interrupted context's return register holds, then returns (rt_sigreturn). */
static void sigsys_handler(int sig, void *info, void *ucontext)
{
    const u8 *si = info, *uc = ucontext;
    u8 *r = current;
    (void)sig;
    if (!r) return;
    st32(r + R_SIGNO, ld32(si + 0));
    st64(r + R_VALUE, ld64(uc + UC_RET_OFF));
    /* The signal code may have read the rolled-back register as a restart request and pointed
     * the context back at the system-call instruction (arm64 with an argument whose low word is
     * -ERESTARTNOINTR): returning would make the call again and trap again, for ever. Say so in
     * the record and resume after the call instead. */
    if (ld64((u8 *)uc + UC_IP_OFF) != current_ip) {
        st16(r + R_FLAGS, (u16)(ld16(r + R_FLAGS) | FUZZ_REC_RESTART));
        st64((u8 *)uc + UC_IP_OFF, current_ip);
    }
    st32(r + R_SI_ERRNO, ld32(si + 4));
    st32(r + R_SI_CODE, ld32(si + 8));
    st64(r + R_SI_CALL_ADDR, ld64(si + SI_UNION));
    st32(r + R_SI_SYSCALL, ld32(si + SI_UNION + 8));
    st32(r + R_SI_ARCH, ld32(si + SI_UNION + 12));
    __atomic_store_n(&r[R_KIND], REC_SIGSYS, __ATOMIC_RELEASE);
}

static long install(u8 flags, u16 filter, int listener)
{
    void *prog = &fprogs[filter];
    if (flags & FUZZ_PRCTL) return SC3(__NR_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog);
    return SC3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, prog);
}

static void fuzz_thread(void *arg)
{
    struct fuzz *z = thread_fuzz;
    struct fuzz_stack *s = thread_stack_desc;
    struct fuzz_shared *sh = thread_shared;
    int first = !sh->installs_recorded;
    u32 f, i;
    (void)arg;
    SC5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    for (f = 0; f < s->filter_count; f++) {
        int listener = (z->flags & FUZZ_LISTENER) && f + 1 == s->filter_count;
        long r = install(z->flags, s->filters[f], listener);
        if (listener && r >= 0) {
            /* The fd is the worker's business; the record says only that the install worked. */
            __atomic_store_n(&listener_fd, (i32)r, __ATOMIC_RELEASE);
            r = 0;
        }
        if (first) sh->install[f] = (i32)r;
        if (r < 0) break;   /* the inputs still run, under the filters before it */
    }
    sh->installs_recorded = 1;
    for (i = load(&sh->next); i < s->input_count; i++) {
        u8 *r = record(sh, i);
        long ret;
        current_ip = z->ip[r[R_SLOT]];
        current = r;
        store(&sh->in_call, i + 1);
        ret = fuzz_call(z, r);
        if (__atomic_load_n(&r[R_KIND], __ATOMIC_ACQUIRE) == REC_PENDING) {
            st64(r + R_VALUE, (u64)ret);
            __atomic_store_n(&r[R_KIND], REC_RETURNED, __ATOMIC_RELEASE);
        }
        store(&sh->next, i + 1);
        store(&sh->in_call, 0);
    }
    current = NULL;
    sys_exit(0);
}

/* The worker as supervisor: takes the notification of the call under way, notes what its
 * seccomp_data says in the call's record, and answers FUZZ_NOTIF_VALUE, which the call returns. */
static void answer(int fd)
{
    u8 notif[80], resp[24];
    u8 *r = current;
    memset(notif, 0, sizeof notif);   /* RECV refuses a struct that is not zeroed */
    if (SC3(__NR_ioctl, fd, SECCOMP_IOCTL_NOTIF_RECV, notif) < 0) return;
    if (r) {
        st16(r + R_FLAGS, (u16)(ld16(r + R_FLAGS) | FUZZ_REC_NOTIFIED));
        st32(r + R_SI_SYSCALL, ld32(notif + 16));
        st32(r + R_SI_ARCH, ld32(notif + 20));
        st64(r + R_SI_CALL_ADDR, ld64(notif + 24));
    }
    memset(resp, 0, sizeof resp);
    st64(resp, ld64(notif));
    st64(resp + 8, (u64)FUZZ_NOTIF_VALUE);
    SC3(__NR_ioctl, fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* Waits for the fuzz thread's end, answering its listener (if it made one) meanwhile. The wait is
 * on the clear-tid word, so the thread's end is seen at once; a call blocked on the listener is
 * seen at the next millisecond tick, when a zero-timeout poll finds its notification. */
static void supervise(void)
{
    i32 v;
    while ((v = __atomic_load_n(&thread_word, __ATOMIC_ACQUIRE)) != 0) {
        struct k_timespec tick = { 0, 1000000 }, now = { 0, 0 };
        i32 fd;
        if (SC4(__NR_futex, &thread_word, FUTEX_WAIT, v, &tick) != -ETIMEDOUT) continue;
        fd = __atomic_load_n(&listener_fd, __ATOMIC_ACQUIRE);
        if (fd >= 0) {
            struct k_pollfd p = { fd, POLLIN, 0 };
            if (SC5(__NR_ppoll, &p, 1, &now, 0, 0) > 0 && (p.revents & POLLIN)) answer(fd);
        }
    }
    if (listener_fd >= 0) {
        sys_close(listener_fd);
        listener_fd = -1;
    }
}

/* Runs one fuzz thread to its end (THREAD's clone flags) and waits for its clear-tid word. */
static long run_thread(void)
{
    long r;
    i32 v;
    thread_word = 0;
    r = clone_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                         CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                     fuzz_thread_stack + THREAD_STACK, (i32 *)&thread_word, (i32 *)&thread_word,
                     fuzz_thread, NULL);
    if (r < 0) return r;
    if (thread_fuzz->flags & FUZZ_LISTENER) {
        supervise();
        return 0;
    }
    while ((v = __atomic_load_n(&thread_word, __ATOMIC_ACQUIRE)) != 0)
        SC4(__NR_futex, &thread_word, FUTEX_WAIT, v, 0);
    return 0;
}

/* ---- the worker ---- */

static u64 digest(const u8 *p, usize n)
{
    u64 h = 0xcbf29ce484222325ull;
    while (n--) {
        h ^= *p++;
        h *= 0x100000001b3ull;
    }
    return h;
}

static void report_stack(const struct actor *a, u16 step, const struct fuzz *z, const struct fuzz_stack *s,
                         struct fuzz_shared *sh)
{
    usize installs = 4 * (usize)s->filter_count;
    u32 i, f;
    u8 *p = obs_begin(a, step, 4 + installs + 20);
    if (p) {
        u8 *q = p + 4 + installs;
        st16(p, (u16)sh->stack);
        p[2] = s->filter_count;
        p[3] = 0;
        for (f = 0; f < s->filter_count; f++) st32(p + 4 + 4 * f, (u32)sh->install[f]);
        st32(q, s->input_count);
        st32(q + 4, sh->threads_died);
        st32(q + 8, sh->processes_died);
        st64(q + 12, digest(sh->records, (usize)s->input_count * REC_SIZE));
        obs_commit(p, OBS_FUZZ_STACK, 0);
    }
    if (!(z->flags & FUZZ_DETAIL)) return;
    for (i = 0; i < s->input_count; i++) {
        p = obs_begin(a, step, 8 + REC_SIZE);
        if (!p) return;
        st16(p, (u16)sh->stack);
        st16(p + 2, 0);
        st32(p + 4, 0);
        memcpy(p + 8, record(sh, i), REC_SIZE);
        obs_commit(p, OBS_FUZZ_INPUT, 0);
    }
}

/* Moves the shared state to the stack that starts at `off` (or past the last). */
static void begin_stack(struct fuzz_shared *sh, u32 stack, u32 off)
{
    u32 f;
    sh->stack = stack;
    sh->stack_off = off;
    sh->prepared = 0;
    sh->next = 0;
    sh->in_call = 0;
    sh->installs_recorded = 0;
    for (f = 0; f < FUZZ_MAX_FILTERS; f++) sh->install[f] = 1;
    sh->threads_died = sh->processes_died = 0;
}

static NORETURN void worker(const struct actor *a, u16 step, struct fuzz *z, struct fuzz_shared *sh)
{
    struct k_sigaction act;
    struct fuzz_stack s;
    memset(&act, 0, sizeof act);
    act.handler = (void *)sigsys_handler;
    act.flags = SA_SIGINFO | SA_RESTORER;
    act.restorer = signal_restorer;
    if (sys_rt_sigaction(SIGSYS, &act, NULL) < 0) {
        obs_error(a, step, "FUZZ: rt_sigaction(SIGSYS) failed in the worker");
        sys_exit_group(WORKER_GAVE_UP);
    }
    thread_fuzz = z;
    thread_stack_desc = &s;
    thread_shared = sh;
    listener_fd = -1;   /* a worker forked after another died starts with no listener */
    /* Under TRACER no fuzz thread may start before the driver traces the worker. */
    if (z->flags & FUZZ_TRACER)
        while (!load(&sh->traced)) SC4(__NR_futex, &sh->traced, FUTEX_WAIT, 0, 0);
    while (sh->stack < z->stack_count) {
        const u8 *end = stack_parse(case_program + sh->stack_off, &s);
        int finished = 1;
        if (sh->prepared != sh->stack + 1) {
            prepare_inputs(z, &s, sh);
            sh->prepared = sh->stack + 1;
        }
        while (load(&sh->next) < s.input_count) {
            u32 in;
            if (run_thread() < 0) {
                obs_error(a, step, "FUZZ: clone of a fuzz thread failed");
                sys_exit_group(WORKER_GAVE_UP);
            }
            in = load(&sh->in_call);
            if (in) {
                record_death(record(sh, in - 1), REC_THREAD_DIED, 0);
                sh->threads_died++;
                store(&sh->next, in);
                store(&sh->in_call, 0);
            } else if (load(&sh->next) < s.input_count) {
                /* Not in a fuzzed call: an install or the thread's own code was stopped. A new
                 * thread would meet the same end, so the stack is given up. */
                obs_error(a, step, "FUZZ: a fuzz thread ended outside a fuzzed call; its stack has no FUZZ_STACK");
                finished = 0;
                break;
            }
        }
        if (finished) report_stack(a, step, z, &s, sh);
        begin_stack(sh, sh->stack + 1, (u32)(end - case_program));
    }
    sys_exit_group(0);
    for (;;) {}
}

/* ---- the driver ---- */

static void record_setup(const struct actor *a, u16 step, const struct fuzz *z)
{
    i64 ref[FUZZ_MAX_NRS];
    u64 zero[6] = { 0, 0, 0, 0, 0, 0 };
    u32 i, slots = 1u + z->slot_count;
    u8 *p;
    /* Each pool number once, unfiltered, all arguments 0: what an allowed call returns. */
    for (i = 0; i < z->nr_count; i++)
        ref[i] = arch_fuzz_call((long)(i32)ld32(z->nrs + (usize)i * 4), zero, z->entry[0]);
    p = obs_begin(a, step, 1 + 9 * (usize)slots + 2 + 8 * (usize)z->nr_count);
    if (!p) return;
    p[0] = (u8)slots;
    for (i = 0; i < slots; i++) {
        p[1 + 9 * i] = z->mapped[i];
        st64(p + 2 + 9 * i, z->ip[i]);
    }
    st16(p + 1 + 9 * slots, z->nr_count);
    for (i = 0; i < z->nr_count; i++) st64(p + 3 + 9 * slots + 8 * i, (u64)ref[i]);
    obs_commit(p, OBS_FUZZ_SETUP, 0);
}

/* ---- the tracer (TRACER) ---- */

/* A seccomp stop of the fuzz thread: the call under way gets record flag bit 2 and the event
 * message (the TRACE data) in si_errno's place, or PTRACE_GETEVENTMSG's negative errno. The call
 * is resumed unchanged. */
static void seccomp_stop(struct fuzz_shared *sh, i32 tid)
{
    u64 msg = 0;
    long e = sys_ptrace(PTRACE_GETEVENTMSG, tid, 0, (long)&msg);
    u32 in = load(&sh->in_call);
    if (in) {
        u8 *r = record(sh, in - 1);
        st16(r + R_FLAGS, (u16)(ld16(r + R_FLAGS) | FUZZ_REC_TRACED));
        st32(r + R_SI_ERRNO, e < 0 ? (u32)e : (u32)msg);
    }
    sys_ptrace(PTRACE_CONT, tid, 0, 0);
}

/* Any other stop: a signal-delivery stop goes on with its signal (a TRAP's SIGSYS must reach the
 * handler); a SEIZE tracee's group-stop is listened to; a new thread's first stop and every other
 * event stop are continued. */
static void resume(i32 tid, int status)
{
    int sig = (status >> 8) & 0xff, event = (status >> 16) & 0xff;
    if (event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
        sys_ptrace(PTRACE_LISTEN, tid, 0, 0);
    else
        sys_ptrace(PTRACE_CONT, tid, 0, event ? 0 : sig);
}

/* Follows the seized worker until it ends and returns wait4's result for it (its pid, status in
 * *status, or a negative errno). Only the actor's own tasks are waited for, never -1: the worker
 * until its PTRACE_EVENT_CLONE names a fuzz thread, then that thread until it is gone (the worker
 * only waits for it meanwhile), then the worker again. */
static long trace_worker(struct fuzz_shared *sh, i32 pid, int *status)
{
    i32 who = pid;
    for (;;) {
        int st = 0, event;
        long r = sys_wait4(who, &st, WALL);
        if (r == -EINTR) continue;
        if (r < 0 || (st & 0x7f) != 0x7f) {
            if (who == pid) {
                *status = st;
                return r;
            }
            who = pid;   /* the thread is gone */
            continue;
        }
        event = (st >> 16) & 0xff;
        if (event == PTRACE_EVENT_SECCOMP) {
            seccomp_stop(sh, who);
            continue;
        }
        if (event == PTRACE_EVENT_CLONE && who == pid) {
            u64 tid = 0;
            long e = sys_ptrace(PTRACE_GETEVENTMSG, pid, 0, (long)&tid);
            resume(pid, st);
            if (e == 0 && tid) who = (i32)tid;
            continue;
        }
        resume(who, st);
    }
}

/* Makes the driver the new worker's tracer, then lets it start. */
static long seize(struct fuzz_shared *sh, i32 pid)
{
    long r = sys_ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
    if (r < 0) return r;
    store(&sh->traced, 1);
    SC3(__NR_futex, &sh->traced, FUTEX_WAKE, 1);
    return 0;
}

/* Forks workers until every stack is done. A worker that dies in a fuzzed call leaves that input
 * "process died" (with the signal, 0 if the call exited the process) and the next worker goes on
 * after it. */
static void drive(struct actor *a, u16 step, struct fuzz *z, struct fuzz_shared *sh)
{
    for (;;) {
        volatile i32 wtid = 0;
        int status = 0;
        long pid, r;
        u32 in;
        store(&sh->traced, 0);
        pid = fork_child(&wtid);
        if (pid == 0) {
            struct actor w = *a;
            w.ppid = a->pid;
            w.pid = w.tid = wtid;
            main_actor = &w;
            worker(&w, step, z, sh);
        }
        if (pid < 0) {
            obs_error(a, step, "FUZZ: clone of the worker failed");
            return;
        }
        if (z->flags & FUZZ_TRACER) {
            if (seize(sh, (i32)pid) < 0) {
                sys_kill((int)pid, SIGKILL);
                while (sys_wait4((int)pid, &status, 0) == -EINTR) {}
                obs_error(a, step, "FUZZ: PTRACE_SEIZE of the worker failed; later stacks did not run");
                return;
            }
            r = trace_worker(sh, (i32)pid, &status);
        } else {
            while ((r = sys_wait4((int)pid, &status, 0)) == -EINTR) {}
        }
        if (r != pid) {
            obs_error(a, step, "FUZZ: wait4 for the worker failed");
            return;
        }
        in = load(&sh->in_call);
        if (in) {
            record_death(record(sh, in - 1), REC_PROCESS_DIED, status & 0x7f);
            sh->processes_died++;
            store(&sh->next, in);
            store(&sh->in_call, 0);
            continue;
        }
        if ((status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0) return;
        if ((status & 0x7f) == 0 && ((status >> 8) & 0xff) == WORKER_GAVE_UP) return;
        obs_error(a, step, "FUZZ: the worker ended outside a fuzzed call; later stacks did not run");
        return;
    }
}

/* The JIT setting the filters of this step are made under (seccomp filters are JIT-compiled when
 * they are attached, if net.core.bpf_jit_enable says so): one SYSCALL observation with the
 * write's return, or the open's negative errno (no such sysctl, or a kernel that refuses 0). */
static void set_jit(const struct actor *a, u16 step, int on)
{
    long fd = sys_openat(AT_FDCWD, "/proc/sys/net/core/bpf_jit_enable", O_WRONLY, 0), r = fd;
    if (fd >= 0) {
        r = sys_write((int)fd, on ? "1\n" : "0\n", 2);
        sys_close((int)fd);
    }
    obs_syscall(a, step, r, NULL, 0);
}

void fuzz_step(struct actor *a, u16 step, struct cursor *c)
{
    struct fuzz z;
    struct fuzz_shared *sh;
    usize size;
    long m;
    fuzz_parse(c, &z);
    if (z.flags & FUZZ_SET_JIT) set_jit(a, step, (z.flags & FUZZ_JIT_ON) != 0);
    place_slots(&z);
    record_setup(a, step, &z);
    size = ALIGN_UP(sizeof *sh + (usize)z.max_inputs * REC_SIZE, page_size);
    m = sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m < 0 && m > -4096) {
        obs_error(a, step, "FUZZ: mmap of the shared area failed");
    } else {
        sh = (struct fuzz_shared *)m;
        begin_stack(sh, 0, (u32)(z.stacks - case_program));
        drive(a, step, &z, sh);
        sys_munmap(sh, size);
    }
    unplace_slots(&z);
}

#else

/* The compat helpers never serve the protocol; an EXEC'd helper that meets FUZZ says so. */
void fuzz_step(struct actor *a, u16 step, struct cursor *c)
{
    struct fuzz z;
    fuzz_parse(c, &z);
    obs_error(a, step, "FUZZ: not available in the compat helper");
}

#endif
