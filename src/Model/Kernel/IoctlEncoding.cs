namespace Conformance.Model.Kernel;

/// <summary>The _IOC() macro of asm-generic/ioctl.h, for ioctl numbers with a size the headers do not spell.</summary>
public static partial class IoctlEncoding
{
    /// <summary>_IOC(dir, type, nr, size); dir is IOC_NONE, IOC_READ, IOC_WRITE or both.</summary>
    public static uint Encode(int dir, int type, int nr, int size)
    {
        if (size is < 0 || size > IOC_SIZEMASK) throw new ArgumentOutOfRangeException(nameof(size), size, $"an ioctl size is 0..{IOC_SIZEMASK}");
        return (uint)dir << IOC_DIRSHIFT | (uint)size << IOC_SIZESHIFT | (uint)type << IOC_TYPESHIFT | (uint)nr << IOC_NRSHIFT;
    }

    /// <summary>The same request with another size, e.g. NOTIF_ADDFD for a struct a newer kernel extends.</summary>
    public static uint WithSize(uint request, int size) =>
        Encode((int)(request >> IOC_DIRSHIFT) & IOC_DIRMASK, (int)(request >> IOC_TYPESHIFT) & 0xff, (int)(request >> IOC_NRSHIFT) & 0xff, size);
}
