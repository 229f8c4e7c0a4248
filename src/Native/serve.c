/* The serve loop: HELO, then frames from the host; each case runs in a forked case root while
 * this process waits with an interval timer (docs/agent-protocol.md §2). */
#include "agent.h"
#include "case.h"
#include "deflate.h"
#include "exec.h"
#include "frame.h"
#include "gbuf.h"
#include "inflate.h"
#include "obs.h"
#include "program.h"
#include "sys.h"
#include "util.h"

#define TICK_MS 5
#define KILL_GRACE_MS 2000    /* after SIGKILL, how long to wait for a process to go */

enum { RSLT_TIMED_OUT = 1, RSLT_OVERFLOW = 2, RSLT_AGENT_ERROR = 4 };

struct case_header *case_hdr;
u8 *case_program;
int case_fd;

static int agent_pid, serving_init;
static struct actor agent_actor;        /* the serving agent, for records it writes itself */
static struct gbuf out, batch, deferred, inflated, deflated;
static char deferred_type[5];
static int have_deferred;
static u32 dirty_end;                   /* end of what the previous case wrote (its program and its log) */
static u32 data_high_water;
static volatile i32 root_tid;           /* CLONE_CHILD_SETTID target in the case root */
static u64 case_start_ns;

static u64 monotonic_ns(void)
{
    struct k_timespec t;
    sys_clock_gettime(CLOCK_MONOTONIC, &t);
    return (u64)t.sec * 1000000000ull + (u64)t.nsec;
}

static void on_alarm(int sig)
{
    (void)sig;
    case_hdr->now_ms = (u32)((monotonic_ns() - case_start_ns) / 1000000ull);
}

static void set_timer(u32 ms)
{
    struct k_itimerval v = { 0, (long)ms * 1000, 0, (long)ms * 1000 };
    sys_setitimer(ITIMER_REAL, &v);
}

static void send_error(enum agent_error code, const char *msg)
{
    struct gbuf b = { 0, 0, 0 };
    gbuf_u32(&b, (u32)code);
    gbuf_str(&b, msg);
    frame_send("ERRR", b.p, (u32)b.len);
    if (b.p) sys_munmap(b.p, b.cap);
}

/* The host resends its last frame on this message (docs/agent-protocol.md §1). */
static void send_corrupt(const char *why)
{
    char msg[96];
    usize n = str_copy(msg, sizeof msg, "corrupt input frame: ");
    str_copy(msg + n, sizeof msg - n, why);
    send_error(ERR_CORRUPT_FRAME, msg);
}

static void open_case_area(char **envp, const char *self, const char *helper)
{
    char path[600];
    const char *dir = "/tmp";
    usize n;
    long fd, p;
    u32 pretend = 0;
    for (; *envp; envp++) {
        if (str_starts(*envp, "TMPDIR=") && (*envp)[7]) dir = *envp + 7;
        /* Test-only (docs/agent-protocol.md §2): proves which cases depend on a filter. */
        if (str_starts(*envp, "CONFORMANCE_PRETEND_FILTERS=1")) pretend = 1;
    }
    n = str_copy(path, 500, dir);
    n += str_copy(path + n, 40, "/conformance-case-");
    n += fmt_u64(path + n, (u64)agent_pid);
    path[n] = 0;
    SC3(__NR_unlinkat, AT_FDCWD, path, 0);
    /* Not O_CLOEXEC: EXEC'd images map it through this fd. */
    fd = sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) fatal("cannot create the case area file", fd);
    SC3(__NR_unlinkat, AT_FDCWD, path, 0);
    p = SC2(__NR_ftruncate, fd, CASE_AREA_SIZE);
    if (p < 0) fatal("cannot size the case area", p);
    p = sys_mmap(NULL, CASE_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | ARCH_MAP_LOW, (int)fd, 0);
    if (p < 0 && p > -4096) fatal("cannot map the case area", p);
    case_fd = (int)fd;
    case_hdr = (struct case_header *)p;
    case_program = (u8 *)p + PROGRAM_OFFSET;
    case_hdr->magic = CASE_MAGIC;
    case_hdr->pretend_filters = pretend;
    str_copy(case_hdr->agent_path, sizeof case_hdr->agent_path, self);
    str_copy(case_hdr->helper_path, sizeof case_hdr->helper_path, helper ? helper : "");
}

static void send_hello(const char *helper)
{
    struct k_utsname u;
    struct k_timespec boot;
    const char *helpers = "";
    memset(&u, 0, sizeof u);
    SC1(__NR_uname, &u);
    sys_clock_gettime(CLOCK_BOOTTIME, &boot);
    if (helper && *helper && SC4(__NR_faccessat, AT_FDCWD, helper, X_OK, 0) == 0) helpers = ARCH_HELPER_ABI;
    out.len = 0;
    gbuf_u32(&out, PROTOCOL_VERSION);
    gbuf_u32(&out, (serving_init ? HELO_INIT : 0) | HELO_RUNZ | HELO_RSLZ | (serving_init && agent_channel_fd >= 0 ? HELO_PORT : 0));
    gbuf_str(&out, AGENT_VERSION " (" ARCH_MACHINE ")");
    gbuf_str(&out, u.machine);
    gbuf_str(&out, u.release);
    gbuf_str(&out, u.version);
    gbuf_u32(&out, (u32)agent_pid);
    gbuf_u64(&out, (u64)boot.sec * 1000000000ull + (u64)boot.nsec);
    gbuf_str(&out, helpers);
    frame_send("HELO", out.p, (u32)out.len);
}

/* The case root: its own process group, default SIGALRM, then the program's root body. */
static NORETURN void case_root(const u8 *body, u32 len)
{
    struct k_sigaction dfl;
    struct actor a;
    memset(&dfl, 0, sizeof dfl);
    sys_setpgid(0, 0);
    sys_rt_sigaction(SIGALRM, &dfl, NULL);
    memset(&a, 0, sizeof a);
    a.pid = a.tid = root_tid;
    a.ppid = agent_pid;
    a.abi = ARCH_IS_HELPER;
    main_actor = &a;
    run_actor(&a, ROOT_STEP, body, len);
}

static void kill_started(void)
{
    /* Every process that recorded a START, in case it left the process group. */
    u8 *log = (u8 *)case_hdr + case_hdr->log_off;
    u32 off = 0;
    while (off + OBS_HEADER <= case_hdr->log_cap) {
        u32 first = __atomic_load_n((u32 *)(log + off), __ATOMIC_ACQUIRE);
        u32 len = first & 0xffff;
        if (!len) break;
        if (((first >> 16) & 0xff) == OBS_START) {
            i32 pid = (i32)ld32(log + off + 8), tid = (i32)ld32(log + off + 12);
            if (pid == tid && pid > 1 && pid != agent_pid) sys_kill(pid, SIGKILL);
        }
        off += len;
    }
}

/* Waits for pid (or any child with pid -1) until it is reaped or deadline_ms of the case clock
 * passes. Returns the wait4 result. */
static long wait_until(int pid, int *status, u32 deadline_ms, int *expired)
{
    for (;;) {
        long r = sys_wait4(pid, status, WALL);
        if (r != -EINTR) return r;
        if (case_hdr->now_ms >= deadline_ms) { *expired = 1; return -EINTR; }
    }
}

/* After the root is gone: kill what the case left behind and reap it all. */
static void reap_strays(int pgid)
{
    int status, round;
    sys_kill(-pgid, SIGKILL);
    for (round = 0; round < 8; round++) {
        long r = sys_wait4(-1, &status, WNOHANG | WALL);
        int expired = 0;
        if (r > 0) { round--; continue; }
        if (r < 0) return;   /* ECHILD: nothing left */
        kill_started();
        kill_children_from_proc(agent_pid);
        r = wait_until(-1, &status, case_hdr->now_ms + KILL_GRACE_MS, &expired);
        if (expired) return;   /* stuck in the kernel; reaped by a later case */
        if (r < 0) return;
    }
}

struct rslt_ctx { struct gbuf *b; };

static void emit_record(const u8 *rec, u32 len, void *ctx)
{
    struct gbuf *b = ((struct rslt_ctx *)ctx)->b;
    u8 kind = rec[2];
    u8 *dst;
    if (kind == OBS_FILE) {
        /* READ_FILE claims its maximum; send only what was read. */
        u32 n = ld32(rec + OBS_HEADER + 8), keep = (u32)ALIGN_UP(OBS_HEADER + 12 + n, 8);
        if (keep < len) len = keep;
    }
    dst = gbuf_reserve(b, len);
    if (!dst) return;
    memcpy(dst, rec, len);
    st16(dst, (u16)len);
    b->len += len;
}

/* RSLZ when compressing pays: a short result would grow by its length word and the code's end. */
static void send_result(const u8 *payload, u32 len)
{
    deflated.len = 0;
    if (len >= 64 && gbuf_u32(&deflated, len) == 0 && deflate_raw(payload, len, &deflated) == 0 &&
        deflated.len < len) {
        frame_send("RSLZ", deflated.p, (u32)deflated.len);
        return;
    }
    frame_send("RSLT", payload, len);
}

static void run_case(u32 batch_id, u32 case_id, u32 timeout_ms, const u8 *program, u32 len)
{
    u32 flags = 0, elapsed_us, obs_start_off, walked;
    i32 root_status = -1;
    const char *err = NULL;
    u32 err_off = 0;
    struct rslt_ctx ctx = { &out };
    u64 t0;

    memset((void *)case_hdr->shared, 0, sizeof case_hdr->shared);
    memset((void *)case_hdr->flags, 0, sizeof case_hdr->flags);
    case_hdr->log_hint = 0;
    case_hdr->log_full = 0;
    case_hdr->now_ms = 0;
    if (len > PROGRAM_MAX) {
        len = 0;
        err = "program larger than the agent's limit of 1 MiB";
    } else {
        memcpy(case_program, program, len);
    }
    case_hdr->program_len = len;
    case_hdr->log_off = (u32)ALIGN_UP(PROGRAM_OFFSET + len, 8);
    case_hdr->log_cap = CASE_AREA_SIZE - case_hdr->log_off;
    /* The log is claimed by compare-and-swap on zero words, so every byte of it the previous case
     * wrote must be zero again: its log, and its program where this shorter program leaves the log
     * starting inside it. */
    {
        u32 from = case_hdr->log_off;
        u32 to = dirty_end > from + 4096 ? dirty_end : from + 4096;
        if (to > CASE_AREA_SIZE) to = CASE_AREA_SIZE;
        if (to > from) memset((u8 *)case_hdr + from, 0, to - from);
    }

    t0 = monotonic_ns();
    if (!err && program_validate(case_program, len, &err, &err_off) == 0) {
        struct cursor c = { case_program, case_program, case_program + len, NULL, 0 };
        struct program_layout l;
        int expired = 0, status = 0, timed_out = 0;
        long pid;
        program_layout(&c, &l);
        private_region_build(case_program, len, &data_high_water);
        case_start_ns = t0;
#if defined(__x86_64__)
        pid = SC5(__NR_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, &root_tid, 0);
#else
        pid = SC5(__NR_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 0, &root_tid);
#endif
        if (pid == 0) case_root(l.body, l.body_len);
        if (pid < 0) {
            obs_error(&agent_actor, ROOT_STEP, "clone of the case root failed");
            flags |= RSLT_AGENT_ERROR;
        } else {
            long r;
            sys_setpgid((int)pid, (int)pid);
            set_timer(TICK_MS);
            r = wait_until((int)pid, &status, timeout_ms, &expired);
            if (expired) {
                timed_out = 1;
                flags |= RSLT_TIMED_OUT;
                sys_kill(-(int)pid, SIGKILL);
                kill_started();
                expired = 0;
                r = wait_until((int)pid, &status, case_hdr->now_ms + KILL_GRACE_MS, &expired);
            }
            if (r == pid) root_status = status;
            reap_strays((int)pid);
            set_timer(0);
            (void)timed_out;
        }
    } else {
        char msg[160];
        usize n = str_copy(msg, 60, "invalid program at byte ");
        n += fmt_u64(msg + n, err_off);
        n += str_copy(msg + n, 3, ": ");
        str_copy(msg + n, sizeof msg - n, err);
        obs_error(&agent_actor, ROOT_STEP, msg);
        flags |= RSLT_AGENT_ERROR;
    }
    elapsed_us = (u32)((monotonic_ns() - t0) / 1000ull);

    out.len = 0;
    gbuf_u32(&out, batch_id);
    gbuf_u32(&out, case_id);
    gbuf_u32(&out, 0);
    gbuf_u32(&out, (u32)root_status);
    gbuf_u32(&out, elapsed_us);
    gbuf_u32(&out, 0);
    obs_start_off = (u32)out.len;
    walked = obs_walk(emit_record, &ctx);
    if (case_hdr->log_full) {
        u8 rec[OBS_HEADER];
        memset(rec, 0, sizeof rec);
        st16(rec, OBS_HEADER);
        rec[2] = OBS_OVERFLOW;
        st32(rec + 8, (u32)agent_pid);
        st32(rec + 12, (u32)agent_pid);
        gbuf_put(&out, rec, sizeof rec);
        flags |= RSLT_OVERFLOW;
    }
    {
        u32 used = case_hdr->log_hint > walked ? case_hdr->log_hint : walked;
        u32 log_end = case_hdr->log_off + used + 8;   /* + the OVERFLOW record's room */
        u32 program_end = (u32)ALIGN_UP(PROGRAM_OFFSET + len, 8);
        dirty_end = log_end > program_end ? log_end : program_end;
    }
    st32(out.p + 8, flags);
    st32(out.p + 20, (u32)out.len - obs_start_off);
    send_result(out.p, (u32)out.len);
}

static void handle_quick(const struct in_frame *f)
{
    if (str_eq(f->type, "PING") && f->len == 4) {
        frame_send("PONG", f->payload, 4);
    } else if (str_eq(f->type, "RSND") && f->len == 4) {
        if (frame_resend(ld32(f->payload)) < 0) send_error(ERR_FRAME_NOT_HELD, "RSND: frame not held");
    } else {
        send_error(ERR_MALFORMED_FRAME, "malformed PING or RSND");
    }
}

/* Between cases the host may ask for a frame again or ping; any other frame is kept for after
 * the batch. */
static void poll_between_cases(void)
{
    struct in_frame f;
    const char *why;
    if (have_deferred) return;
    for (;;) {
        int r = frame_read(&f, 0, &why);
        if (r == FRAME_NONE || r == FRAME_EOF) return;
        if (r == FRAME_CORRUPT) { send_corrupt(why); continue; }
        if (str_eq(f.type, "RSND") || str_eq(f.type, "PING")) { handle_quick(&f); continue; }
        memcpy(deferred_type, f.type, 5);
        deferred.len = 0;
        gbuf_put(&deferred, f.payload, f.len);
        have_deferred = 1;
        return;
    }
}

static void run_batch(const u8 *payload, u32 len)
{
    struct cursor c;
    u32 batch_id, count, i, run = 0;
    const u8 *first;
    /* Frames read between cases reuse the input buffers: work on a copy. */
    batch.len = 0;
    if (gbuf_put(&batch, payload, len)) { send_error(ERR_OUT_OF_MEMORY, "RUNB: out of memory"); return; }
    c.base = c.p = batch.p;
    c.end = batch.p + len;
    c.err = NULL;
    frame_forget();
    batch_id = cur_u32(&c);
    count = cur_u32(&c);
    first = c.p;
    /* Check the framing of every case before running any. */
    for (i = 0; i < count && !c.err; i++) {
        u32 n;
        cur_u32(&c);
        cur_u32(&c);
        n = cur_u32(&c);
        if ((usize)(c.end - c.p) < n) cur_fail(&c, "truncated");
        else c.p += n;
    }
    if (c.err || c.p != c.end) {
        send_error(ERR_BATCH_REJECTED, c.err ? "RUNB: truncated batch" : "RUNB: bytes after the last case");
    } else {
        c.p = first;
        for (i = 0; i < count; i++) {
            u32 id = cur_u32(&c), timeout = cur_u32(&c), n = cur_u32(&c);
            run_case(batch_id, id, timeout, c.p, n);
            c.p += n;
            run++;
            poll_between_cases();
        }
    }
    out.len = 0;
    gbuf_u32(&out, batch_id);
    gbuf_u32(&out, run);
    frame_send("DONE", out.p, (u32)out.len);
}

/* RUNZ: a RUNB payload compressed with raw DEFLATE, after its u32 length. */
static void run_compressed_batch(const u8 *payload, u32 len)
{
    u32 raw;
    long n;
    u8 *dst;
    if (len < 4) { send_error(ERR_BATCH_REJECTED, "RUNZ: truncated"); return; }
    raw = ld32(payload);
    if (raw > BATCH_MAX) { send_error(ERR_BATCH_REJECTED, "RUNZ: batch larger than the agent's limit"); return; }
    inflated.len = 0;
    dst = gbuf_reserve(&inflated, raw ? raw : 1);
    if (!dst) { send_error(ERR_OUT_OF_MEMORY, "RUNZ: out of memory"); return; }
    n = inflate_raw(payload + 4, len - 4, dst, raw);
    if (n != (long)raw) { send_error(ERR_BATCH_REJECTED, "RUNZ: corrupt compressed batch"); return; }
    inflated.len = raw;
    run_batch(inflated.p, raw);
}

static void handle(const struct in_frame *f)
{
    if (str_eq(f->type, "RUNB")) run_batch(f->payload, f->len);
    else if (str_eq(f->type, "RUNZ")) run_compressed_batch(f->payload, f->len);
    else if (str_eq(f->type, "QUIT")) quit_agent(serving_init);
    else if (str_eq(f->type, "PING") || str_eq(f->type, "RSND")) handle_quick(f);
    else send_error(ERR_UNEXPECTED_FRAME, "unexpected frame type");
}

void serve(int is_init, const char *self, const char *helper, char **envp)
{
    struct k_sigaction alarm;
    serving_init = is_init;
    agent_pid = (int)sys_getpid();
    agent_actor.pid = agent_actor.tid = agent_pid;
    if (is_init && agent_channel_fd >= 0) frame_init(agent_channel_fd, agent_channel_fd);
    else frame_init(0, 1);
    if (!is_init) SC2(__NR_prctl, PR_SET_CHILD_SUBREAPER, 1);
    open_case_area(envp, self, helper);
    fprog_guard_init();
    memset(&alarm, 0, sizeof alarm);
    alarm.handler = (void *)on_alarm;
    alarm.flags = SA_RESTORER;   /* no SA_RESTART: the tick must interrupt wait4 */
    alarm.restorer = signal_restorer;
    sys_rt_sigaction(SIGALRM, &alarm, NULL);
    send_hello(helper);
    for (;;) {
        struct in_frame f;
        const char *why;
        int r;
        if (have_deferred) {
            /* run_batch copies the payload, so the deferred buffer may be refilled. */
            have_deferred = 0;
            memcpy(f.type, deferred_type, 5);
            f.seq = 0;
            f.payload = deferred.p;
            f.len = (u32)deferred.len;
            handle(&f);
            continue;
        }
        r = frame_read(&f, 1, &why);
        if (r == FRAME_EOF) quit_agent(is_init);
        if (r == FRAME_CORRUPT) { send_corrupt(why); continue; }
        handle(&f);
    }
}
