using System.Text;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

public class FilterFormatsTests
{
    static readonly Instruction[] Sample =
        [new(0x20, 0, 0, 4), new(0x15, 0, 1, 0xc000003e), new(0x06, 0, 0, 0x7fff0000), new(0x06, 0, 0, 0)];

    static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    // tcpdump -dd prints "{ 0x%x, %d, %d, 0x%08x },"; bpf_asm -c "{ %#04x, %2u, %2u, %#010x },".
    [TestCase("{ 0x20, 0, 0, 0x00000004 },\n{ 0x15, 0, 1, 0xc000003e },\n{ 0x6, 0, 0, 0x7fff0000 },\n{ 0x6, 0, 0, 0x00000000 },\n")]
    [TestCase("{ 0x20,  0,  0, 0x00000004 },\n{ 0x15,  0,  1, 0xc000003e },\n{ 0x06,  0,  0, 0x7fff0000 },\n{ 0x06,  0,  0, 0000000000 },\n")]
    [TestCase("#include <linux/filter.h>\n/* generated */\nstatic const struct sock_filter filter[4] = {\n\t{ 0x20, 0, 0, 4 }, // arch\n\t{ 0x15, 0, 1, 3221225534U },\n\t{ 0x06, 0, 0, 0x7fff0000UL, },\n\t{ 06, 0, 0, 0 }\n};\n")]
    [TestCase("{ {0x20,0,0,4},{0x15,0,1,0xC000003E},{0x6,0,0,0x7FFF0000},{0x6,0,0,0}, }")]
    [TestCase("struct sock_filter f[] = { { 0x20, 0, 0, 4 }, { 0x15, 0, 1, -1073741762 }, { 6, 0, 0, 2147418112 }, { 6, 0, 0, 0 } };")]
    public void CArrays(string text)
    {
        Assert.That(FilterFormats.Detect(B(text)), Is.EqualTo(FilterFormat.CArray));
        Assert.That(FilterFormats.Read(B(text)), Is.EqualTo(Sample));
    }

    [TestCase("4,32 0 0 4,21 0 1 3221225534,6 0 0 2147418112,6 0 0 0,\n")]
    [TestCase("4,32 0 0 4,21 0 1 3221225534,6 0 0 2147418112,6 0 0 0")]
    [TestCase("  4 ,\n32 0 0 4,\n21 0 1 3221225534,\n6 0 0 2147418112,\n6 0 0 0\n")]
    public void CommaForm(string text)
    {
        Assert.That(FilterFormats.Detect(B(text)), Is.EqualTo(FilterFormat.Comma));
        Assert.That(FilterFormats.Read(B(text)), Is.EqualTo(Sample));
    }

    [TestCase("4\n32 0 0 4\n21 0 1 3221225534\n6 0 0 2147418112\n6 0 0 0\n")]
    [TestCase("4\r\n32 0 0 4\r\n21 0 1 3221225534\r\n\r\n6 0 0 2147418112\r\n6 0 0 0")]
    public void Ddd(string text)
    {
        Assert.That(FilterFormats.Detect(B(text)), Is.EqualTo(FilterFormat.Ddd));
        Assert.That(FilterFormats.Read(B(text)), Is.EqualTo(Sample));
    }

    [Test]
    public void Binary()
    {
        var bytes = BinaryFilter.Write(Sample);
        Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0 }));
        Assert.That(bytes.Skip(8).Take(8), Is.EqualTo(new byte[] { 0x15, 0, 0, 1, 0x3e, 0, 0, 0xc0 }));
        Assert.That(FilterFormats.Detect(bytes), Is.EqualTo(FilterFormat.Binary));
        Assert.That(FilterFormats.Read(bytes), Is.EqualTo(Sample));
    }

    [Test]
    public void BinaryOfTheWrongLength()
    {
        var bytes = BinaryFilter.Write(Sample)[..13];
        var e = Assert.Throws<FilterSyntaxException>(() => FilterFormats.Read(bytes))!;
        Assert.That(e.HasPosition, Is.False);
        Assert.That(e.Message, Is.EqualTo("a binary filter is a whole number of 8-byte records, but this one is 13 bytes"));
    }

    [Test]
    public void InvalidUtf8IsBinary() =>
        Assert.That(FilterFormats.Detect(new byte[] { 0xc3, 0x28, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41 }), Is.EqualTo(FilterFormat.Binary));

    [TestCase("ld [0]\nret a", FilterFormat.BpfAsm)]
    [TestCase("; comment 5,\n# 4,1 2 3 4\nld [0]\nret a", FilterFormat.BpfAsm)]
    [TestCase(".insn 6, 0, 0, 0", FilterFormat.BpfAsm)]
    [TestCase("start: ret a", FilterFormat.BpfAsm)]
    [TestCase("/* header */ 1,6 0 0 0", FilterFormat.Comma)]
    [TestCase("// tcpdump -dd\n{ 0x6, 0, 0, 0 },", FilterFormat.CArray)]
    [TestCase("const struct sock_filter f[] = {{6,0,0,0}};", FilterFormat.CArray)]
    [TestCase("\ufeff1\n6 0 0 0\n", FilterFormat.Ddd)]
    [TestCase("", FilterFormat.BpfAsm)]
    public void Detection(string text, FilterFormat format) => Assert.That(FilterFormats.Detect(B(text)), Is.EqualTo(format));

    [Test]
    public void BpfAsmTextUsesTheOptions()
    {
        var p = FilterFormats.Read(B("ld [nr]\njeq #getpid, a1\nret #KILL\na1: ret #ALLOW"), new AssembleOptions { Abi = Abi.Aarch64 });
        Assert.That(p[1].K, Is.EqualTo(172));
    }

    [TestCase("4,32 0 0 4,21 0 1 3221225534,6 0 0 2147418112,", 1, 1, "the count says 4 instructions but 3 follow")]
    [TestCase("2,6 0 0 0,6 0 0\n", 1, 16, "expected a space between a record's numbers")]
    [TestCase("1,6 0 x 0", 1, 7, "expected jf, found 'x'")]
    [TestCase("1,6 0 256 0", 1, 7, "jf 256 is larger than 255")]
    [TestCase("1,65536 0 0 0", 1, 3, "the opcode 65536 is larger than 65535")]
    [TestCase("1,6 0 0 4294967296", 1, 9, "k 4294967296 is larger than 4294967295")]
    [TestCase("1,6 0 0 0;", 1, 10, "expected ',' after a record")]
    [TestCase("2\n6 0 0 0\n", 1, 1, "the count says 2 instructions but 1 follow")]
    [TestCase("1\n6 0 0 0 9\n", 2, 9, "expected the end of the line")]
    [TestCase("{ 0x6, 0, 0, 0 },\n{ 0x6, 0, 0 },\n", 2, 13, "expected ',' between a record's numbers")]
    [TestCase("{ 0x6, 0, 0, 0 },\n{ 0x6, 0, 0, 0x1g },\n", 2, 14, "malformed number '0x1g' for k")]
    [TestCase("{ 0x6, 0, 0, 0 },\n{ BPF_RET, 0, 0, 0 },\n", 2, 3, "expected the opcode, found 'B'")]
    [TestCase("struct sock_filter f[] = { { 6, 0, 0, 0 } };\nint x;", 2, 1, "unexpected 'i' after the array")]
    [TestCase("struct sock_filter f[] = ( { 6, 0, 0, 0 } );", 1, 26, "unexpected '(' before the array's '{'")]
    [TestCase("{ 0x6, 0, 0, 0 /* unclosed", 1, 16, "comment is not closed")]
    public void ReaderErrorsHavePositions(string text, int line, int column, string message)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterFormats.Read(B(text)))!;
        Assert.That((e.Line, e.Column), Is.EqualTo((line, column)), e.Message);
        Assert.That(e.Reason, Does.Contain(message));
    }

    [Test]
    public void WritersProduceTheDocumentedShapes()
    {
        Assert.That(FilterWriter.ToComma(Sample), Is.EqualTo("4,32 0 0 4,21 0 1 3221225534,6 0 0 2147418112,6 0 0 0,\n"));
        Assert.That(FilterWriter.ToDdd(Sample), Is.EqualTo("4\n32 0 0 4\n21 0 1 3221225534\n6 0 0 2147418112\n6 0 0 0\n"));
        Assert.That(FilterWriter.ToCArray(Sample).Split('\n')[1], Is.EqualTo("{ 0x15,  0,  1, 0xc000003e },"));
        Assert.That(FilterWriter.ToCArray(Sample, "filter"), Does.StartWith("struct sock_filter filter[] = {\n\t{ 0x20,").And.EndWith("},\n};\n"));
    }
}
