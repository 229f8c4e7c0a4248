/* The EXEC entry (`--resume FD BODY_OFF BODY_LEN STEP PID PPID R0..R15`, written by step_exec):
 * a fresh image of the agent or of the compat helper continues an actor. It maps the case area
 * (one mmap) and rebuilds its private region from the program there. */
#include "agent.h"
#include "case.h"
#include "exec.h"
#include "sys.h"
#include "util.h"

void resume(int argc, char **argv)
{
    i64 v[22];
    struct actor a;
    long p;
    int i;
    if (argc != 2 + 22) sys_exit_group(127);
    for (i = 0; i < 22; i++)
        if (parse_i64(argv[2 + i], str_len(argv[2 + i]), &v[i])) sys_exit_group(127);
    case_fd = (int)v[0];
    p = sys_mmap(NULL, CASE_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | ARCH_MAP_LOW, case_fd, 0);
    if (p < 0 && p > -4096) sys_exit_group(126);
    case_hdr = (struct case_header *)p;
    case_program = (u8 *)p + PROGRAM_OFFSET;
    private_region_build(case_program, case_hdr->program_len, NULL);
    memset(&a, 0, sizeof a);
    a.pid = a.tid = (i32)v[4];   /* execve made this thread the group leader */
    a.ppid = (i32)v[5];
    a.abi = ARCH_IS_HELPER;
    for (i = 0; i < 16; i++) a.r[i] = v[6 + i];
    main_actor = &a;
    run_actor(&a, (u16)v[3], case_program + v[1], (u32)v[2]);
}
