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
 */

#define MARKER "CONFORMANCE-BARE-INIT-READY"

#if defined(__x86_64__)
enum { NR_write = 1, NR_openat = 257, NR_uname = 63, NR_mount = 165, NR_reboot = 169, NR_sync = 162,
       NR_clone = 56, NR_wait4 = 61, NR_exit = 60, NR_sched_yield = 24 };

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
       NR_clone = 220, NR_wait4 = 260, NR_exit = 93, NR_sched_yield = 124 };

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
    reboot_now();
    for (;;) {
    }
}
