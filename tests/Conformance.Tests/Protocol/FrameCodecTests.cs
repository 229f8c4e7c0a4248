using System.Text;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Protocol;

public class FrameCodecTests
{
    [Test]
    public void Crc32_matches_zlib_check_values()
    {
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xcbf43926u));
        Assert.That(Crc32.Compute([]), Is.EqualTo(0u));
        Assert.That(Crc32.Compute("a"u8), Is.EqualTo(0xe8b7be43u));
        Assert.That(Crc32.Compute([1, 0, 0, 0]), Is.EqualTo(0x99f8b879u));
    }

    [Test]
    public void Encodes_the_contract_line_exactly()
    {
        Assert.That(Encoding.ASCII.GetString(FrameCodec.Encode("PING", 0, [1, 0, 0, 0])), Is.EqualTo("@@CF1 PING 0 4 99f8b879 AQAAAA==\n"));
        Assert.That(Encoding.ASCII.GetString(FrameCodec.Encode("QUIT", 17, [])), Is.EqualTo("@@CF1 QUIT 17 0 00000000 -\n"));
    }

    [TestCase(1), TestCase(2), TestCase(3), TestCase(4), TestCase(0)]
    public void Payloads_of_every_padding_length_round_trip(int length)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)(0xfb + i)).ToArray();
        var line = FrameCodec.Encode("RSLT", 9, payload);
        var frame = FrameCodec.TryParse(line.AsSpan(0, line.Length - 1), out var error, out var seq);
        Assert.That(error, Is.Null);
        Assert.That(frame!.Payload, Is.EqualTo(payload));
        Assert.That(frame.Type, Is.EqualTo("RSLT"));
        Assert.That(seq, Is.EqualTo(9u));
    }

    [TestCase("@@CF1 PING 0 4 99f8b878 AQAAAA==", "crc mismatch", TestName = "wrong crc")]
    [TestCase("@@CF1 PING 0 5 99f8b879 AQAAAA==", "does not match", TestName = "wrong length")]
    [TestCase("@@CF1 PING 0 4 99F8B879 AQAAAA==", "crc field", TestName = "upper-case crc")]
    [TestCase("@@CF1 PING 0 4 99f8b879 AQAAAA", "base64", TestName = "unpadded base64")]
    [TestCase("@@CF1 PING 0 4 99f8b879 AQAA!A==", "base64", TestName = "bad base64 character")]
    [TestCase("@@CF1 PING 0 4 99f8b879", "5 fields", TestName = "missing payload")]
    [TestCase("@@CF1 Ping 0 4 99f8b879 AQAAAA==", "bad type", TestName = "lower-case type")]
    [TestCase("@@CF1 PING x 4 99f8b879 AQAAAA==", "sequence", TestName = "bad sequence")]
    public void Damaged_lines_are_corrupt_with_a_reason(string line, string reason)
    {
        var frame = FrameCodec.TryParse(Encoding.ASCII.GetBytes(line), out var error, out _);
        Assert.That(frame, Is.Null);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void A_line_damaged_after_the_sequence_number_still_names_it()
    {
        FrameCodec.TryParse("@@CF1 RSLT 12 100 0000[   3.1] oops"u8, out _, out var seq);
        Assert.That(seq, Is.EqualTo(12u));
    }

    [Test]
    public void A_trailing_carriage_return_is_tolerated() =>
        Assert.That(FrameCodec.TryParse("@@CF1 PING 0 4 99f8b879 AQAAAA==\r"u8, out _, out _), Is.Not.Null);
}
