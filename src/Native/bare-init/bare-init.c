/*
 * bare-init: the smallest useful PID 1 for a guest. It prints one marker line on the console
 * and reboots (QEMU runs with -no-reboot, so the reboot ends QEMU). The boot benchmark compares
 * "QEMU start to this marker" with "QEMU start to the agent's HELO" on the same kernel, so this
 * file must stay trivial: whatever it does costs boot time that the agent is measured against.
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
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "CONFORMANCE-BARE-INIT-READY"

static void put(const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(1, s, len);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

int main(int argc, char **argv)
{
    struct utsname uts;
    const char *mode = argc > 1 ? argv[1] : "";

    if (uname(&uts) != 0)
        strcpy(uts.release, "?");
    put("\n" MARKER " ");
    put(uts.release);
    put("\n");

    if (strcmp(mode, "exit") == 0)
        return 1;
    if (strcmp(mode, "crash") == 0) {
        /* proc may be absent from the initramfs mount table; mount it for the trigger file. */
        mount("proc", "/proc", "proc", 0, NULL);
        int fd = open("/proc/sysrq-trigger", O_WRONLY);
        if (fd >= 0)
            write(fd, "c", 1);
        put("bare-init: sysrq crash did not happen\n");
    }
    if (strcmp(mode, "lkdtm") == 0 && argc > 2) {
        mount("sysfs", "/sys", "sysfs", 0, NULL);
        mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
        /* A child does the write: an oops kills the writing process, and PID 1 must survive it. */
        pid_t child = fork();
        if (child == 0) {
            int fd = open("/sys/kernel/debug/provoke-crash/DIRECT", O_WRONLY);
            if (fd < 0) {
                put("bare-init: no /sys/kernel/debug/provoke-crash/DIRECT (kernel without LKDTM?)\n");
                _exit(1);
            }
            if (write(fd, argv[2], strlen(argv[2])) < 0)
                put("bare-init: LKDTM write failed\n");
            _exit(0);
        }
        if (child > 0)
            waitpid(child, NULL, 0);
        put("bare-init: LKDTM done\n");
    }
    sync();
    reboot(RB_AUTOBOOT);
    /* reboot() only returns on failure; PID 1 must not exit, so wait to be killed. */
    for (;;)
        pause();
}
