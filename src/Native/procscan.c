/* Finds the agent's children through /proc when a case left processes behind that its process
 * group and START records do not cover (e.g. created by a raw clone in a SYSCALL step). */
#include "agent.h"
#include "sys.h"
#include "util.h"

#define O_DIRECTORY_GENERIC 0200000
#define O_DIRECTORY_ARM 040000
#if defined(__arm__) || defined(__aarch64__)
#define O_DIRECTORY O_DIRECTORY_ARM
#else
#define O_DIRECTORY O_DIRECTORY_GENERIC
#endif

/* The parent pid from /proc/<pid>/stat: the field after the ")" closing the command name. */
static int stat_ppid(const char *name)
{
    char path[48], buf[512];
    usize n = str_copy(path, sizeof path, "/proc/");
    long fd, r;
    isize i;
    i64 ppid;
    n += str_copy(path + n, sizeof path - n, name);
    str_copy(path + n, sizeof path - n, "/stat");
    fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return -1;
    r = sys_read((int)fd, buf, sizeof buf - 1);
    sys_close((int)fd);
    if (r <= 0) return -1;
    for (i = r - 1; i >= 0 && buf[i] != ')'; i--) {}
    if (i < 0 || i + 4 >= r) return -1;
    i += 4;   /* ") S " */
    {
        isize start = i;
        while (i < r && buf[i] != ' ') i++;
        if (parse_i64(buf + start, (usize)(i - start), &ppid)) return -1;
    }
    return (int)ppid;
}

int kill_children_from_proc(int self)
{
    char buf[4096];
    long fd = sys_openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), n;
    int killed = 0;
    if (fd < 0) return 0;
    while ((n = SC3(__NR_getdents64, fd, buf, sizeof buf)) > 0) {
        long off = 0;
        while (off < n) {
            /* struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, char name[] */
            u16 reclen = ld16(buf + off + 16);
            const char *name = buf + off + 19;
            i64 pid;
            if (name[0] >= '1' && name[0] <= '9' && !parse_i64(name, str_len(name), &pid) &&
                pid != self && stat_ppid(name) == self) {
                sys_kill((int)pid, SIGKILL);
                killed++;
            }
            off += reclen;
        }
    }
    sys_close((int)fd);
    return killed;
}
