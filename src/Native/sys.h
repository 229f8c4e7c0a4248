/* Raw system calls and the kernel ABI constants the agent uses. Every wrapper returns the raw
 * kernel result: a negative errno on failure. Nothing here touches thread-local state. */
#ifndef AGENT_SYS_H
#define AGENT_SYS_H
#include "types.h"
#include "arch.h"

long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long clone_thread(ulong flags, void *stack_top, i32 *ptid, i32 *ctid, void (*fn)(void *), void *arg);
void signal_restorer(void);

/* The page size from the auxiliary vector (AT_PAGESZ, read by start_c); arm64 kernels may use
 * 16 or 64 KiB pages. */
extern usize page_size;

#define SC0(n) raw_syscall6((n), 0, 0, 0, 0, 0, 0)
#define SC1(n, a) raw_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b) raw_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c) raw_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d) raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e) raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#define EINTR 4
#define ENOENT 2
#define ECHILD 10
#define EAGAIN 11
#define EEXIST 17
#define ETIMEDOUT 110
#define EBUSY 16
#define ENOSYS 38

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000  /* 4.17; older kernels take the address as a hint */
#define PROT_EXEC 4
#define MREMAP_MAYMOVE 1

#define SIGKILL 9
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGTRAP 5
#define SIGALRM 14
#define SIGCHLD 17
#define SIGSYS 31
#define SIG_DFL 0
#define SIG_IGN 1
#define SA_SIGINFO 4
#define SA_RESTORER 0x04000000

#define WNOHANG 1
#define WALL 0x40000000

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000

#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_LISTEN 0x4208
#define PTRACE_O_TRACECLONE 0x8
#define PTRACE_O_TRACESECCOMP 0x80
#define PTRACE_O_EXITKILL 0x100000
#define PTRACE_EVENT_CLONE 3
#define PTRACE_EVENT_SECCOMP 7
#define PTRACE_EVENT_STOP 128      /* a PTRACE_SEIZE tracee's group-stop or first stop */

#define PR_SET_CHILD_SUBREAPER 36
#define PR_SET_SECCOMP 22
#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8ul
#define SECCOMP_IOCTL_NOTIF_RECV 0xc0502100ul   /* _IOWR('!', 0, struct seccomp_notif): 80 bytes */
#define SECCOMP_IOCTL_NOTIF_SEND 0xc0182101ul   /* _IOWR('!', 1, struct seccomp_notif_resp): 24 bytes */
#define FUTEX_WAIT 0
#define MADV_DONTFORK 10
#define FUTEX_WAKE 1
#define ITIMER_REAL 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define X_OK 1
#define POLLIN 1

struct k_sigaction {
    void *handler;
    ulong flags;
    void (*restorer)(void);
    u32 mask[2];
};
struct k_timespec { long sec; long nsec; };
struct k_itimerval { long int_sec, int_usec, val_sec, val_usec; };
struct k_pollfd { i32 fd; i16 events; i16 revents; };
struct k_utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65]; };

/* Generic 64-bit and arm64 kernels have no wait4-free open/poll/access; use the *at and p*
 * forms everywhere, which every supported kernel (2.6.16+) has. */
static inline long sys_read(int fd, void *b, usize n) { return SC3(__NR_read, fd, b, n); }
static inline long sys_write(int fd, const void *b, usize n) { return SC3(__NR_write, fd, b, n); }
static inline long sys_openat(int dir, const char *p, int fl, int mode) { return SC4(__NR_openat, dir, p, fl, mode); }
static inline long sys_close(int fd) { return SC1(__NR_close, fd); }
static inline long sys_exit(int code) { return SC1(__NR_exit, code); }
static inline long sys_exit_group(int code) { return SC1(__NR_exit_group, code); }
static inline long sys_sched_yield(void) { return SC0(__NR_sched_yield); }
static inline long sys_wait4(int pid, int *st, int opt) { return SC4(__NR_wait4, pid, st, opt, 0); }
static inline long sys_kill(int pid, int sig) { return SC2(__NR_kill, pid, sig); }
static inline long sys_ptrace(long req, int pid, long addr, long data) { return SC4(__NR_ptrace, req, pid, addr, data); }
static inline long sys_munmap(void *a, usize n) { return SC2(__NR_munmap, a, n); }
static inline long sys_mmap(void *a, usize n, int prot, int fl, int fd, u64 off)
{
    return raw_syscall6(SYS_MMAP, (long)a, (long)n, prot, fl, fd, (long)MMAP_OFFSET(off));
}
static inline long sys_rt_sigaction(int sig, const struct k_sigaction *a, struct k_sigaction *o)
{
    return SC4(__NR_rt_sigaction, sig, a, o, 8);
}
static inline long sys_clock_gettime(int clk, struct k_timespec *t) { return SC2(__NR_clock_gettime, clk, t); }
static inline long sys_setitimer(int which, const struct k_itimerval *v) { return SC3(__NR_setitimer, which, v, 0); }
static inline long sys_getpid(void) { return SC0(__NR_getpid); }
static inline long sys_getppid(void) { return SC0(__NR_getppid); }
static inline long sys_setpgid(int pid, int pg) { return SC2(__NR_setpgid, pid, pg); }
static inline long sys_mprotect(void *a, usize n, int prot) { return SC3(__NR_mprotect, a, n, prot); }

#endif
