/* The recording signal handler (SIGACTION disposition 2). It records what the kernel delivered
 * (siginfo) and what the interrupted context held, then returns. It finds its actor from the
 * stack it runs on: a THREAD stack slot, else the process's main actor. */
#include "arch.h"
#include "exec.h"
#include "obs.h"
#include "util.h"

static struct actor *actor_here(const void *sp)
{
    const u8 *s = sp, *lo = &thread_stacks[0][0];
    if (s >= lo && s < lo + sizeof thread_stacks)
        return &thread_actors[(usize)(s - lo) / THREAD_STACK];
    return main_actor;
}

static u64 context_reg(const u8 *uc, usize off)
{
    return UC_REG_SIZE == 8 ? ld64(uc + off) : (u64)ld32(uc + off);
}

void signal_handler(int sig, void *info, void *ucontext)
{
    const u8 *si = info, *uc = ucontext;
    struct actor *a = actor_here(&sig);
    u8 *p;
    (void)sig;
    if (!a) return;
    p = obs_begin(a, a->step, 60);
    if (!p) return;
    st32(p + 0, ld32(si + 0));                           /* signo */
    st32(p + 4, ld32(si + 4));                           /* errno */
    st32(p + 8, ld32(si + 8));                           /* code */
    st32(p + 12, ld32(si + SI_UNION));                   /* pid (kill, rt, child layouts) */
    st32(p + 16, ld32(si + SI_UNION + 4));               /* uid */
    /* sigsys layout: call_addr (pointer), syscall (int), arch (u32) */
    st32(p + 20, ld32(si + SI_UNION + sizeof(void *)));
    st32(p + 24, ld32(si + SI_UNION + sizeof(void *) + 4));
    st64(p + 28, sizeof(void *) == 8 ? ld64(si + SI_UNION) : (u64)ld32(si + SI_UNION));
    st64(p + 36, context_reg(uc, UC_RET_OFF));
    st64(p + 44, context_reg(uc, UC_NR_OFF));
    st64(p + 52, context_reg(uc, UC_IP_OFF));
    obs_commit(p, OBS_SIGINFO, OBS_FLAG_IN_HANDLER);
}
