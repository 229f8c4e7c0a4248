/* What the agent does as a VM's /init before serving, and how it leaves. */
#include "agent.h"
#include "frame.h"
#include "sys.h"
#include "util.h"

#define TCGETS 0x5401
#define TCSETS 0x5402
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define DEFAULT_CONSOLE_LEVEL 5      /* warnings (4) and worse reach the console */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define F_GETFD 1

/* struct termios as the kernel's TCGETS fills it (asm-generic/termbits.h; same on x86). */
struct k_termios {
    u32 c_iflag, c_oflag, c_cflag, c_lflag;
    u8 c_line;
    u8 c_cc[19];
};

static int is_pid1;

static void mount_one(const char *src, const char *dir, const char *type, const char *opts)
{
    long r;
    SC3(__NR_mkdirat, AT_FDCWD, dir, 0755);
    r = SC5(__NR_mount, src, dir, type, 0, opts);
    if (r < 0 && r != -EBUSY) fatal("mount failed", r);
}

/* The digit after `key` (which ends in '=') on the kernel command line, or -1. */
static int cmdline_digit(const char *key)
{
    char buf[4096];
    long fd = sys_openat(AT_FDCWD, "/proc/cmdline", O_RDONLY, 0), n;
    usize i, k = str_len(key);
    if (fd < 0) return -1;
    n = sys_read((int)fd, buf, sizeof buf - 1);
    sys_close((int)fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    for (i = 0; i + k < (usize)n; i++) {
        if ((i == 0 || buf[i - 1] == ' ') && str_starts(buf + i, key)) {
            char c = buf[i + k];
            if (c >= '0' && c <= '9') return c - '0';
        }
    }
    return -1;
}

static int cmdline_loglevel(void)
{
    int level = cmdline_digit("conformance.loglevel=");
    return level >= 0 ? level : DEFAULT_CONSOLE_LEVEL;
}

int agent_channel_fd = -1;

/* Loads the modules the host put in /modules, named one per line in load order in
 * /modules/order: a kernel whose virtio console is a module (Debian's 6.1 and 5.10) needs its
 * virtio transport and console drivers. A module that does not load leaves the channel absent,
 * and the agent speaks on the serial console as before. */
static void load_modules(void)
{
    char list[2048], path[160];
    long fd = sys_openat(AT_FDCWD, "/modules/order", O_RDONLY | O_CLOEXEC, 0), n;
    usize i = 0;
    if (fd < 0) return;
    n = sys_read((int)fd, list, sizeof list - 1);
    sys_close((int)fd);
    if (n <= 0) return;
    list[n] = 0;
    while (list[i]) {
        usize j = i, p = str_copy(path, sizeof path, "/modules/");
        long m;
        while (list[j] && list[j] != '\n') j++;
        if (j > i && p + (j - i) < sizeof path) {
            memcpy(path + p, list + i, j - i);
            path[p + (j - i)] = 0;
            m = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
            if (m >= 0) {
                SC3(__NR_finit_module, m, "", 0);
                sys_close((int)m);
            }
        }
        i = list[j] ? j + 1 : j;
    }
}

/* conformance.port=1: the host gave the guest a virtio serial port for the protocol, so frames
 * do not cross the emulated UART byte by byte (docs/agent-protocol.md §1). The port's device
 * appears once the driver has talked to the host, shortly after the modules load; it is waited
 * for for at most 3 s. */
static void open_channel(void)
{
    struct k_timespec t = { 0, 2000000 };
    int i;
    if (cmdline_digit("conformance.port=") != 1) return;
    load_modules();
    for (i = 0; i < 1500; i++) {
        long fd = sys_openat(AT_FDCWD, "/dev/vport0p1", O_RDWR | O_CLOEXEC, 0);
        if (fd >= 0) {
            agent_channel_fd = (int)fd;
            return;
        }
        SC2(__NR_nanosleep, &t, 0);
    }
}

static void console_raw(int fd)
{
    struct k_termios t;
    if (SC3(__NR_ioctl, fd, TCGETS, &t) < 0) return;
    /* No input translation or flow control, no output processing, no echo, no line
     * discipline, no signals: the frames must pass byte for byte. */
    t.c_iflag &= ~(0001u | 0002u | 0010u | 0040u | 0100u | 0200u | 0400u | 02000u | 010000u);
    t.c_oflag &= ~0001u;
    t.c_lflag &= ~(0001u | 0002u | 0010u | 0100u | 0100000u);
    t.c_cflag &= ~(0060u | 0400u);
    t.c_cflag |= 0060u;
    t.c_cc[6] = 1;   /* VMIN */
    t.c_cc[5] = 0;   /* VTIME */
    SC3(__NR_ioctl, fd, TCSETS, &t);
}

/* Audit records of seccomp actions reach the kernel log through printk_ratelimit() (10 per 5 s);
 * a guest that exists to run cases turns the limit off, so no record a case looks for is dropped.
 * Best effort: an old kernel without the sysctl keeps its limit, and the probe reports which. */
static void unlimit_printk(void)
{
    long fd = sys_openat(AT_FDCWD, "/proc/sys/kernel/printk_ratelimit", O_WRONLY, 0);
    if (fd < 0) return;
    sys_write((int)fd, "0\n", 2);
    SC1(__NR_close, fd);
}

void init_duties(void)
{
    is_pid1 = 1;
    mount_one("devtmpfs", "/dev", "devtmpfs", NULL);
    if (SC2(__NR_fcntl, 0, F_GETFD) < 0 || SC2(__NR_fcntl, 1, F_GETFD) < 0) {
        /* The kernel found no /dev/console in the initramfs: open it ourselves. */
        long fd = sys_openat(AT_FDCWD, "/dev/console", O_RDWR | O_NOCTTY, 0);
        if (fd >= 0) {
            SC3(__NR_dup3, fd, 0, 0);
            SC3(__NR_dup3, fd, 1, 0);
            SC3(__NR_dup3, fd, 2, 0);
        }
    }
    mount_one("proc", "/proc", "proc", NULL);
    mount_one("sysfs", "/sys", "sysfs", NULL);
    mount_one("tmpfs", "/tmp", "tmpfs", "mode=1777");
    SC3(__NR_syslog, SYSLOG_ACTION_CONSOLE_LEVEL, 0, cmdline_loglevel());
    unlimit_printk();
    console_raw(0);
    console_raw(1);
    open_channel();
}

static NORETURN void reboot_now(void)
{
    SC0(__NR_sync);
    SC4(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART, 0);
    for (;;) sys_exit_group(1);   /* only if reboot failed; init dying panics the kernel */
}

void fatal(const char *what, long err)
{
    char num[24];
    num[fmt_i64(num, err)] = 0;
    out_text("\nconformance-agent: fatal: ");
    out_text(what);
    out_text(" (");
    out_text(num);
    out_text(is_pid1 ? "); rebooting\n" : ")\n");
    if (is_pid1) reboot_now();
    sys_exit_group(1);
    for (;;) {}
}

void quit_agent(int is_init)
{
    if (is_init) reboot_now();
    sys_exit_group(0);
    for (;;) {}
}
