/*
 * bare-init: the smallest useful PID 1 for a guest. It prints one marker line on the console
 * and reboots (QEMU runs with -no-reboot, so the reboot ends QEMU). The boot benchmark compares
 * "QEMU start to this marker" with "QEMU start to the agent's HELO" on the same kernel, so this
 * file must stay trivial: whatever it does costs boot time that the agent is measured against.
 * It is freestanding (raw system calls, no libc) for the same reason: a static glibc binary is
 * twenty times the agent's size, and the kernel would spend the difference unpacking the image.
 *
 * Arguments (the kernel passes words after "--" on its command line to init):
 *   exit   print the marker, then exit instead of rebooting; the kernel then panics with
 *          "Attempted to kill init", which the crash-detection tests record as real console text.
 *   crash  print the marker, then write 'c' to /proc/sysrq-trigger (a kernel-initiated panic).
 *   lkdtm TYPE
 *          print the marker, then have a child write TYPE (WARNING, BUG, EXCEPTION, ...) to
 *          LKDTM's /sys/kernel/debug/provoke-crash/DIRECT (kernels built with lkdtm.config), wait
 *          for it and reboot: real oops, BUG and WARNING reports for the crash-detection tests.
 *   run SECONDS PROGRAM [ARGS...]
 *          print the marker, mount what the agent mounts, set the agent's console level and turn
 *          printk's rate limit off as it does (so a program run here meets the guest that the
 *          agent's cases meet), run PROGRAM for at most
 *          SECONDS, print RAN_MARKER with how it ended and how long it ran, and reboot. The
 *          catalogue-versus-selftest benchmark runs the kernel's own seccomp_bpf this way.
 */

#define MARKER "CONFORMANCE-BARE-INIT-READY"
/* Then "exit N", "signal N" or "timeout", then "after MS ms" (CLOCK_MONOTONIC, fork to reap). */
#define RAN_MARKER "CONFORMANCE-BARE-INIT-RAN"

#if defined(__x86_64__)
enum { NR_write = 1, NR_openat = 257, NR_uname = 63, NR_mount = 165, NR_reboot = 169, NR_sync = 162,
       NR_clone = 56, NR_wait4 = 61, NR_exit = 60, NR_sched_yield = 24, NR_execve = 59, NR_kill = 62,
       NR_clock_gettime = 228, NR_nanosleep = 35, NR_syslog = 103, NR_close = 3 };

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

__asm__(".globl _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
#elif defined(__aarch64__)
enum { NR_write = 64, NR_openat = 56, NR_uname = 160, NR_mount = 40, NR_reboot = 142, NR_sync = 81,
       NR_clone = 220, NR_wait4 = 260, NR_exit = 93, NR_sched_yield = 124, NR_execve = 221, NR_kill = 129,
       NR_clock_gettime = 113, NR_nanosleep = 101, NR_syslog = 116, NR_close = 57 };

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c,
                  x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

__asm__(".globl _start\n_start:\n\tmov x29, #0\n\tmov x0, sp\n\tbl start_c\n");
#else
#error "bare-init: x86_64 or aarch64 only"
#endif

#define AT_FDCWD (-100)
#define O_WRONLY 1
#define SIGCHLD 17
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_CMD_RESTART 0x01234567
#define UTS_FIELD 65   /* struct utsname: six fields of 65 bytes; release is the third */
#define SIGKILL 9
#define CLOCK_MONOTONIC 1
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define AGENT_CONSOLE_LEVEL 5  /* src/Native/init.c: warnings and worse reach the console */

struct timespec_k {
    long sec, nsec;
};

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void put(const char *s)
{
    unsigned long len = length(s);
    while (len > 0) {
        long n = sys6(NR_write, 1, (long)s, (long)len, 0, 0, 0);
        if (n <= 0)
            return;
        s += n;
        len -= (unsigned long)n;
    }
}

static long mount_fs(const char *type, const char *dir)
{
    return sys6(NR_mount, (long)type, (long)dir, (long)type, 0, 0, 0);
}

static void write_file(const char *path, const char *text)
{
    long fd = sys6(NR_openat, AT_FDCWD, (long)path, O_WRONLY, 0, 0, 0);
    if (fd < 0) {
        put("bare-init: cannot open ");
        put(path);
        put("\n");
        return;
    }
    if (sys6(NR_write, fd, (long)text, (long)length(text), 0, 0, 0) < 0)
        put("bare-init: write failed\n");
    /* Closed: a program run later inherits the console and nothing else. */
    sys6(NR_close, fd, 0, 0, 0, 0, 0);
}

static void put_number(unsigned long v)
{
    char digits[24];
    int i = sizeof digits - 1;
    digits[i] = 0;
    do
        digits[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    put(digits + i);
}

static unsigned long parse_number(const char *s)
{
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    return v;
}

static long now_ms(void)
{
    struct timespec_k t;
    sys6(NR_clock_gettime, CLOCK_MONOTONIC, (long)&t, 0, 0, 0, 0);
    return t.sec * 1000 + t.nsec / 1000000;
}

/*
 * The `run` mode. The time limit is a second child that sleeps and exits: waiting for "any child"
 * then ends at whichever comes first without a signal handler (which freestanding code would need
 * a restorer for). Orphans of the program are reparented to PID 1 and reaped on the way.
 */
static void run_program(char **argv, char **envp)
{
    long seconds = (long)parse_number(argv[0]);
    long start, program, watchdog, pid;
    int status = 0, timed_out = 0;

    sys6(NR_mount, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0, 0);
    mount_fs("proc", "/proc");
    mount_fs("sysfs", "/sys");
    sys6(NR_mount, (long)"tmpfs", (long)"/tmp", (long)"tmpfs", 0, (long)"mode=1777", 0);
    sys6(NR_syslog, SYSLOG_ACTION_CONSOLE_LEVEL, 0, AGENT_CONSOLE_LEVEL, 0, 0, 0);
    /* The agent turns printk's rate limit off too (src/Native/init.c); best effort, as there. */
    write_file("/proc/sys/kernel/printk_ratelimit", "0\n");

    start = now_ms();
    program = sys6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
    if (program == 0) {
        sys6(NR_execve, (long)argv[1], (long)(argv + 1), (long)envp, 0, 0, 0);
        put("bare-init: cannot execute ");
        put(argv[1]);
        put("\n");
        sys6(NR_exit, 127, 0, 0, 0, 0, 0);
    }
    watchdog = sys6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
    if (watchdog == 0) {
        struct timespec_k limit = { seconds, 0 };
        sys6(NR_nanosleep, (long)&limit, 0, 0, 0, 0, 0);
        sys6(NR_exit, 0, 0, 0, 0, 0, 0);
    }
    if (program < 0 || watchdog < 0) {
        put("bare-init: clone failed\n");
        return;
    }
    for (;;) {
        pid = sys6(NR_wait4, -1, (long)&status, 0, 0, 0, 0);
        if (pid == program || pid < 0)
            break;
        if (pid == watchdog) {
            timed_out = 1;
            break;
        }
    }
    /* End the watchdog or the overdue program, and anything either left behind (kselftests put
     * every test in its own process group, so only "all but init" reaches them all). */
    sys6(NR_kill, -1, SIGKILL, 0, 0, 0, 0);

    put("\n" RAN_MARKER " ");
    if (timed_out) {
        put("timeout");
    } else if ((status & 0x7f) == 0) {
        put("exit ");
        put_number((unsigned long)((status >> 8) & 0xff));
    } else {
        put("signal ");
        put_number((unsigned long)(status & 0x7f));
    }
    put(" after ");
    put_number((unsigned long)(now_ms() - start));
    put(" ms\n");
}


static void reboot_now(void)
{
    sys6(NR_sync, 0, 0, 0, 0, 0, 0);
    sys6(NR_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_RESTART, 0, 0, 0);
    /* reboot only returns on failure; PID 1 must not exit, so idle until killed. */
    for (;;)
        sys6(NR_sched_yield, 0, 0, 0, 0, 0, 0);
}

void start_c(long *sp) __attribute__((noreturn, used));

void start_c(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    const char *mode = argc > 1 ? argv[1] : "";
    char uts[6 * UTS_FIELD];

    put("\n" MARKER " ");
    put(sys6(NR_uname, (long)uts, 0, 0, 0, 0, 0) == 0 ? uts + 2 * UTS_FIELD : "?");
    put("\n");

    if (same(mode, "exit"))
        sys6(NR_exit, 1, 0, 0, 0, 0, 0);
    if (same(mode, "crash")) {
        mount_fs("proc", "/proc");
        write_file("/proc/sysrq-trigger", "c");
        put("bare-init: sysrq crash did not happen\n");
    }
    if (same(mode, "lkdtm") && argc > 2) {
        mount_fs("sysfs", "/sys");
        mount_fs("debugfs", "/sys/kernel/debug");
        /* A child does the write: an oops kills the writing process, and PID 1 must survive it. */
        long child = sys6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
        if (child == 0) {
            write_file("/sys/kernel/debug/provoke-crash/DIRECT", argv[2]);
            sys6(NR_exit, 0, 0, 0, 0, 0, 0);
        }
        if (child > 0)
            sys6(NR_wait4, child, 0, 0, 0, 0, 0);
        put("bare-init: LKDTM done\n");
    }
    if (same(mode, "run")) {
        if (argc > 3)
            run_program(argv + 2, envp);
        else
            put("bare-init: usage: run SECONDS PROGRAM [ARGS...]\n");
    }
    reboot_now();
    for (;;) {
    }
}
