using Conformance.Model.Syscalls;

namespace Conformance.Tests.Syscalls;

public class ErrnoTableTests
{
    // include/uapi/asm-generic/errno-base.h and errno.h.
    [TestCase("EPERM", 1), TestCase("ENOENT", 2), TestCase("EIO", 5), TestCase("EAGAIN", 11), TestCase("EACCES", 13),
     TestCase("EINVAL", 22), TestCase("ERANGE", 34), TestCase("EDEADLK", 35), TestCase("ENOSYS", 38),
     TestCase("EOPNOTSUPP", 95), TestCase("ECANCELED", 125), TestCase("EHWPOISON", 133)]
    public void KnownValues(string name, int value)
    {
        Assert.That(ErrnoTable.TryGetValue(name, out var got), Is.True);
        Assert.That(got, Is.EqualTo(value));
        Assert.That(ErrnoTable.NameOf(value), Is.EqualTo(name));
    }

    [TestCase("EWOULDBLOCK", 11, "EAGAIN"), TestCase("EDEADLOCK", 35, "EDEADLK")]
    public void AliasesReadButTheFirstNameIsCanonical(string alias, int value, string canonical)
    {
        Assert.That(ErrnoTable.TryGetValue(alias, out var got), Is.True);
        Assert.That(got, Is.EqualTo(value));
        Assert.That(ErrnoTable.NameOf(value), Is.EqualTo(canonical));
    }

    [Test]
    public void LookupIgnoresCaseAndRejectsUnknownNames()
    {
        Assert.That(ErrnoTable.TryGetValue("eperm", out var v), Is.True);
        Assert.That(v, Is.EqualTo(1));
        Assert.That(ErrnoTable.TryGetValue("ENOTANERRNO", out _), Is.False);
        Assert.That(ErrnoTable.NameOf(0), Is.Null);
        Assert.That(ErrnoTable.NameOf(4095), Is.Null);
    }
}
