namespace Conformance.Model.Kernel;

/// <summary>
/// What a user-notification listener can do beyond RECV, SEND and ID_VALID (5.0): each is a flag or
/// an ioctl that a later kernel added (kernel/seccomp.c, seccomp_notify_ioctl).
/// </summary>
[Flags]
public enum UserNotifFeatures
{
    None = 0,

    /// <summary>SECCOMP_USER_NOTIF_FLAG_CONTINUE in a reply (5.5).</summary>
    Continue = 1,

    /// <summary>SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SETFD (5.9).</summary>
    Addfd = 2,

    /// <summary>SECCOMP_ADDFD_FLAG_SEND: install the fd and answer the call with its number (5.14).</summary>
    AddfdSend = 4,

    /// <summary>SECCOMP_IOCTL_NOTIF_SET_FLAGS with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6).</summary>
    SetFlags = 8,

    All = Continue | Addfd | AddfdSend | SetFlags,
}
