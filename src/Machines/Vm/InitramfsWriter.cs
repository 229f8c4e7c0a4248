using System.Text;

namespace Conformance.Machines.Vm;

/// <summary>
/// Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs
/// (Documentation/driver-api/early-userspace/buffer-format.rst). Output is deterministic: entries
/// are sorted by path (so parents precede children), inode numbers count from 1 in that order,
/// and every mtime, uid and gid is 0, so equal contents give equal bytes and can be cached by hash.
/// </summary>
public sealed class InitramfsWriter
{
    const int TypeDirectory = 0x4000;    // S_IFDIR
    const int TypeRegular = 0x8000;      // S_IFREG
    const int TypeSymlink = 0xA000;      // S_IFLNK
    const int TypeCharDevice = 0x2000;   // S_IFCHR

    sealed record Entry(string Path, int Mode, byte[] Data, int RdevMajor, int RdevMinor);

    readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public InitramfsWriter AddDirectory(string path, int permissions = 0x1ed /* 0755 */) =>
        Add(new Entry(Normalize(path), TypeDirectory | Permissions(permissions), [], 0, 0));

    public InitramfsWriter AddFile(string path, byte[] contents, int permissions = 0x1ed /* 0755 */) =>
        Add(new Entry(Normalize(path), TypeRegular | Permissions(permissions), contents, 0, 0));

    public InitramfsWriter AddSymlink(string path, string target) =>
        Add(new Entry(Normalize(path), TypeSymlink | 0x1ff /* 0777 */, Encoding.UTF8.GetBytes(target), 0, 0));

    public InitramfsWriter AddCharDevice(string path, int major, int minor, int permissions = 0x180 /* 0600 */) =>
        Add(new Entry(Normalize(path), TypeCharDevice | Permissions(permissions), [], major, minor));

    /// <summary>Paths added so far, without implied parent directories.</summary>
    public IReadOnlyCollection<string> Paths => _entries.Keys;

    InitramfsWriter Add(Entry entry)
    {
        if (!_entries.TryAdd(entry.Path, entry))
            throw new ArgumentException($"initramfs: '{entry.Path}' added twice");
        return this;
    }

    static int Permissions(int permissions) => (permissions & ~0xfff) == 0
        ? permissions
        : throw new ArgumentException($"initramfs: permissions 0{Convert.ToString(permissions, 8)} are not within 07777");

    static string Normalize(string path)
    {
        var trimmed = path.Trim('/');
        var parts = trimmed.Split('/');
        if (trimmed.Length == 0 || parts.Any(p => p is "" or "." or ".."))
            throw new ArgumentException($"initramfs: '{path}' is not a plain relative path");
        return trimmed;
    }

    public byte[] ToArray()
    {
        using var output = new MemoryStream();
        WriteTo(output);
        return output.ToArray();
    }

    /// <summary>Writes the uncompressed archive, adding any parent directories not given explicitly.</summary>
    public void WriteTo(Stream output)
    {
        var all = new SortedDictionary<string, Entry>(_entries, StringComparer.Ordinal);
        foreach (var path in _entries.Keys)
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
                all.TryAdd(path[..slash], new Entry(path[..slash], TypeDirectory | 0x1ed, [], 0, 0));

        var inode = 1;
        foreach (var entry in all.Values)
        {
            var nlink = (entry.Mode & 0xf000) == TypeDirectory ? 2 : 1;
            WriteEntry(output, entry.Path, inode++, entry.Mode, nlink, entry.Data, entry.RdevMajor, entry.RdevMinor);
        }
        WriteEntry(output, "TRAILER!!!", 0, 0, 1, [], 0, 0);
    }

    static void WriteEntry(Stream output, string name, int inode, int mode, int nlink, byte[] data, int rdevMajor, int rdevMinor)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder("070701", 110);
        foreach (var field in new long[]
                 {
                     inode, mode, 0 /* uid */, 0 /* gid */, nlink, 0 /* mtime */, data.Length,
                     0 /* devmajor */, 0 /* devminor */, rdevMajor, rdevMinor, nameBytes.Length + 1, 0 /* check */,
                 })
            header.Append(field.ToString("x8"));
        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(nameBytes);
        output.WriteByte(0);
        Pad(output, 110 + nameBytes.Length + 1);
        output.Write(data);
        Pad(output, data.Length);
    }

    static void Pad(Stream output, long length)
    {
        for (var i = length; i % 4 != 0; i++)
            output.WriteByte(0);
    }
}
