namespace Conformance.Catalogue.Cases;

/// <summary>
/// Where step macros put their structs in the actor's 64 KiB scratch buffer. Cases own the first
/// 16 KiB (`buf`..`buf+16383`); the rest belongs to macros, each struct at a fixed place, so that
/// one step's struct never overlaps another's record.
/// </summary>
public static class ScratchLayout
{
    public const uint UserSize = 16384;
    public const uint Prepared = 16384;      // structs a call takes (capset, rlimit, notif resp/addfd, metadata)
    public const uint Notification = 17408;  // struct seccomp_notif for NOTIF_RECV
    public const uint WaitStatus = 18432;    // wait4's status word
    public const uint EventMsg = 19456;      // PTRACE_GETEVENTMSG
    public const uint PipeFds = 20480;       // pipe2's int[2]
    public const uint KmsgPoll = 21504;      // kmsg_read's struct pollfd and timespec for ppoll
    public const uint FilterDump = 24576;    // PTRACE_SECCOMP_GET_FILTER: up to 4096 instructions
    public const int FilterDumpLength = 4096 * 8;
}
