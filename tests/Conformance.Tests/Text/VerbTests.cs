using System.CommandLine;
using System.Text;
using Conformance.Harness.Verbs;
using Conformance.Model.Bpf;
using Conformance.Model.Text;
using Conformance.Tests.Harness;

namespace Conformance.Tests.Text;

/// <summary>The asm and disasm verbs end to end: in-process through their commands, and once as a real process.</summary>
public class VerbTests
{
    const string Source = """
        ld [arch]
        jne #AUDIT_ARCH_X86_64, kill
        ld [nr]
        jeq #getpid, allow
        ret #ERRNO(EPERM)
        allow: ret #ALLOW
        kill: ret #KILL_PROCESS
        """;

    static readonly Instruction[] Expected =
    [
        new(0x20, 0, 0, 4), new(0x15, 0, 4, 0xc000003e), new(0x20, 0, 0, 0), new(0x15, 1, 0, 39),
        new(0x06, 0, 0, 0x00050001), new(0x06, 0, 0, 0x7fff0000), new(0x06, 0, 0, 0x80000000),
    ];

    string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("conformance-text-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    string FileWith(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    static (int Exit, string Stdout, string Stderr) Invoke(Command verb, params string[] args)
    {
        var root = new RootCommand { verb };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = root.Parse([verb.Name, .. args]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void AsmWritesACArrayByDefault()
    {
        var src = FileWith("f.bpf", Encoding.UTF8.GetBytes(Source));
        var (exit, stdout, stderr) = Invoke(AsmVerb.Create(), src, "--arch", "x86_64");
        Assert.That((exit, stderr), Is.EqualTo((0, "")));
        Assert.That(stdout, Does.StartWith("{ 0x20,  0,  0, 0x00000004 },\n"));
        Assert.That(FilterFormats.Read(Encoding.UTF8.GetBytes(stdout)), Is.EqualTo(Expected));
    }

    [TestCase("comma", "7,32 0 0 4,21 0 4 3221225534,32 0 0 0,21 1 0 39,6 0 0 327681,6 0 0 2147418112,6 0 0 2147483648,\n")]
    [TestCase("ddd", "7\n32 0 0 4\n21 0 4 3221225534\n32 0 0 0\n21 1 0 39\n6 0 0 327681\n6 0 0 2147418112\n6 0 0 2147483648\n")]
    public void AsmWritesTextFormats(string format, string expected)
    {
        var src = FileWith("f.bpf", Encoding.UTF8.GetBytes(Source));
        Assert.That(Invoke(AsmVerb.Create(), src, "--arch", "x86_64", "--format", format), Is.EqualTo((0, expected, "")));
    }

    [Test]
    public void AsmConvertsToBinaryFile()
    {
        var src = FileWith("f.c", Encoding.UTF8.GetBytes(FilterWriter.ToCArray(Expected, "filter")));
        var output = Path.Combine(_dir, "f.bin");
        var (exit, stdout, stderr) = Invoke(AsmVerb.Create(), src, "--format", "binary", "--out", output);
        Assert.That((exit, stdout, stderr), Is.EqualTo((0, "", "")));
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(BinaryFilter.Write(Expected)));
    }

    [Test]
    public void AsmReportsFileLineAndColumn()
    {
        var src = FileWith("bad.bpf", Encoding.UTF8.GetBytes("ld [nr]\nret #ALLOW\nxx: lda [0]\n"));
        Assert.That(Invoke(AsmVerb.Create(), src), Is.EqualTo((2, "", $"{src}:3:5: unknown mnemonic 'lda'\n")));
    }

    [Test]
    public void AsmNeedsAnAbiForBareSyscallNames()
    {
        var src = FileWith("f.bpf", Encoding.UTF8.GetBytes(Source));
        var (exit, _, stderr) = Invoke(AsmVerb.Create(), src);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith($"{src}:4:6: system call name 'getpid' needs an ABI"));
    }

    [Test]
    public void UnknownArchAndMissingFilesAreUsageErrors()
    {
        var src = FileWith("f.bpf", Encoding.UTF8.GetBytes(Source));
        Assert.That(Invoke(AsmVerb.Create(), src, "--arch", "sparc"),
            Is.EqualTo((2, "", "unknown ABI 'sparc' (x86_64, i386, x32, aarch64, arm)\n")));
        var missing = Path.Combine(_dir, "missing.bpf");
        var (exit, _, stderr) = Invoke(DisasmVerb.Create(), missing);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith($"{missing}: "));
    }

    [Test]
    public void BinaryOfTheWrongLengthHasNoPosition()
    {
        var src = FileWith("f.bin", BinaryFilter.Write(Expected)[..12]);
        Assert.That(Invoke(DisasmVerb.Create(), src),
            Is.EqualTo((2, "", $"{src}: a binary filter is a whole number of 8-byte records, but this one is 12 bytes\n")));
    }

    [Test]
    public void DisasmNamesWhatItCanAndRoundTrips()
    {
        var src = FileWith("f.bin", BinaryFilter.Write(Expected));
        var (exit, stdout, stderr) = Invoke(DisasmVerb.Create(), src, "--arch", "x86_64");
        Assert.That((exit, stderr), Is.EqualTo((0, "")));
        Assert.That(stdout, Does.StartWith(".arch x86_64\n\tld [arch]\n\tjne #AUDIT_ARCH_X86_64, L6\n\tld [nr]\n\tjeq #getpid, L5\n\tret #ERRNO(1)\n"));
        Assert.That(Assembler.Assemble(stdout), Is.EqualTo(Expected));
    }

    [Test]
    public void RegisteredInTheRealExecutable()
    {
        var (exit, stdout, stderr) = HarnessProcess.Run(Source, "asm", "-", "--arch", "x86_64", "--format", "comma");
        Assert.That((exit, stderr), Is.EqualTo((0, "")));
        Assert.That(stdout, Does.StartWith("7,32 0 0 4,21 0 4 3221225534,"));

        // Raw binary to stdout: this program's bytes are all ASCII, so they survive the text pipe intact.
        Instruction[] small = [new(0x20, 0, 0, 4), new(0x06, 0, 0, 0)];
        var (exit2, raw, _) = HarnessProcess.Run("ld [arch]\nret #KILL\n", "asm", "-", "--format", "binary");
        Assert.That(exit2, Is.EqualTo(0));
        Assert.That(Encoding.Latin1.GetBytes(raw), Is.EqualTo(BinaryFilter.Write(small)));

        var (exit3, text, _) = HarnessProcess.Run("2,32 0 0 0,6 0 0 2147418112,", "disasm", "-");
        Assert.That((exit3, text), Is.EqualTo((0, "\tld [nr]\n\tret #ALLOW\n")));
    }
}
