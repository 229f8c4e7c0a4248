using System.Buffers.Binary;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>Data a case passes by address reaches the agent byte for byte.</summary>
public class CompiledDataTests
{
    /// <summary>The blobs of a compiled program without filters (docs/agent-protocol.md §3).</summary>
    static List<byte[]> Blobs(byte[] program)
    {
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(program.AsSpan(4)), Is.EqualTo(0), "a case without filters");
        int count = BinaryPrimitives.ReadUInt16LittleEndian(program.AsSpan(6));
        var blobs = new List<byte[]>();
        int at = 8;
        for (int i = 0; i < count; i++)
        {
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(program.AsSpan(at));
            blobs.Add(program.AsSpan(at + 4, len).ToArray());
            at += 4 + len;
        }
        return blobs;
    }

    static CompiledCase Compile(string args) => CaseCompiler.Compile(CaseLoader.Parse($$"""
        id: t/data
        description: data arguments
        steps:
          - call: seccomp
            args: {{args}}
        """, "t.yaml")[0], "x86_64");

    [Test]
    public void Bytes_above_0x7f_are_passed_as_they_are()
    {
        var blobs = Blobs(Compile("[2, 0, {u32: [0x7fff0000, 0xfedcba98]}]").Program);
        Assert.That(blobs, Has.Count.EqualTo(1));
        Assert.That(blobs[0], Is.EqualTo(new byte[] { 0x00, 0x00, 0xff, 0x7f, 0x98, 0xba, 0xdc, 0xfe }));
    }

    [Test]
    public void A_string_is_passed_as_utf8_with_its_nul()
    {
        var blobs = Blobs(Compile("[0, 0, \"str:/tmp/é\"]").Program);
        Assert.That(blobs[0], Is.EqualTo("/tmp/é\0"u8.ToArray()));
    }

    [Test]
    public void Equal_data_shares_one_blob_and_different_data_does_not()
    {
        var blobs = Blobs(CaseCompiler.Compile(CaseLoader.Parse("""
            id: t/data
            description: data arguments
            steps:
              - call: seccomp
                args: [2, 0, {u32: [0x80000000]}]
              - call: seccomp
                args: [2, 0, {bytes: [0, 0, 0, 0x80]}]
              - call: seccomp
                args: [2, 0, {u32: [0x80]}]
            """, "t.yaml")[0], "x86_64").Program);
        Assert.That(blobs, Has.Count.EqualTo(2));
        Assert.That(blobs[1], Is.EqualTo(new byte[] { 0x80, 0, 0, 0 }));
    }
}
