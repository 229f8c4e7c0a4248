using System.Text;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

[TestFixture]
public class QuitWatchingStreamTests
{
    static (QuitWatchingStream Stream, MemoryStream Inner) Make()
    {
        var inner = new MemoryStream();
        return (new QuitWatchingStream(inner), inner);
    }

    [Test]
    public void A_quit_frame_is_seen_and_passed_through_unchanged()
    {
        var (s, inner) = Make();
        var bytes = Encoding.ASCII.GetBytes("@@CF1 PING 3 4 0123abcd AAAAAA==\n@@CF1 QUIT 4 0 00000000 -\n");
        s.Write(bytes);
        Assert.That(s.QuitSent, Is.True);
        Assert.That(inner.ToArray(), Is.EqualTo(bytes));
    }

    [Test]
    public async Task A_quit_frame_split_byte_by_byte_across_writes_is_seen()
    {
        var (s, _) = Make();
        foreach (var b in Encoding.ASCII.GetBytes("x@@@CF1 QUIT"))
        {
            await s.WriteAsync(new[] { b });
            Assert.That(s.QuitSent, Is.False);
        }
        await s.WriteAsync(" 0 0 00000000 -\n"u8.ToArray());
        Assert.That(s.QuitSent, Is.True);
    }

    [TestCase("@@CF1 PING 1 4 0 QUITQUIT\n")]
    [TestCase("@@CF1 RUNB 2 9 0 QUIT\n")]
    [TestCase("@@CF1 QUITE\n")]
    [TestCase("@CF1 QUIT 0 0 0 -\n")]
    public void Other_frames_are_not_a_quit(string text)
    {
        var (s, _) = Make();
        s.Write(Encoding.ASCII.GetBytes(text));
        Assert.That(s.QuitSent, Is.False);
    }
}
