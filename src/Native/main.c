/* Entry: the process starts here from _start (arch_*.S) with no runtime at all. */
#include "agent.h"
#include "arch.h"
#include "frame.h"
#include "sys.h"
#include "util.h"

static char self_path[512], helper_default[520];

usize page_size = 4096;

/* AT_PAGESZ from the auxiliary vector, which follows envp's terminating NULL. */
static void read_page_size(char **envp)
{
    ulong *aux;
    while (*envp) envp++;
    for (aux = (ulong *)(envp + 1); aux[0]; aux += 2)
        if (aux[0] == 6 /* AT_PAGESZ */ && aux[1]) page_size = aux[1];
}

static void usage(void)
{
    out_text("usage: agent --serve [--helper PATH]\n"
             "  Speaks the Conformance agent protocol (docs/agent-protocol.md) on stdin/stdout.\n"
             "  As PID 1 it mounts /proc /sys /dev /tmp, sets up the console and serves.\n");
}

static const char *find_self(const char *argv0)
{
    long n = SC4(__NR_readlinkat, AT_FDCWD, "/proc/self/exe", self_path, sizeof self_path - 1);
    if (n > 0) {
        self_path[n] = 0;
        return self_path;
    }
    return argv0;
}

/* The compat helper's default place: "agent32" in the agent's own directory (/agent32 in a VM). */
static const char *default_helper(const char *self)
{
    usize n = str_copy(helper_default, sizeof helper_default - 8, self), slash = 0, i;
    for (i = 0; i < n; i++)
        if (helper_default[i] == '/') slash = i + 1;
    str_copy(helper_default + slash, sizeof helper_default - slash, "agent32");
    return helper_default;
}

NORETURN void start_c(ulong *sp);

void start_c(ulong *sp)
{
    int argc = (int)sp[0], i, want_serve = 0;
    char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
    const char *helper = NULL, *self;
    read_page_size(envp);
    frame_init(0, 1);
    if (argc >= 2 && str_eq(argv[1], "--resume")) resume(argc, argv);
    if (sys_getpid() == 1) {
        init_duties();
        self = find_self(argc ? argv[0] : "/init");
        serve(1, self, default_helper(self), envp);
    }
    for (i = 1; i < argc; i++) {
        if (str_eq(argv[i], "--serve")) want_serve = 1;
        else if (str_eq(argv[i], "--helper") && i + 1 < argc) helper = argv[++i];
        else { usage(); sys_exit_group(2); }
    }
    if (!want_serve) { usage(); sys_exit_group(2); }
    self = find_self(argv[0]);
    serve(0, self, helper ? helper : default_helper(self), envp);
}
