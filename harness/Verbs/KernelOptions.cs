using System.CommandLine;
using Conformance.Machines.Kernels;

namespace Conformance.Harness.Verbs;

/// <summary>The kernel-choosing options every verb that boots a guest takes: --kernel, --config, --arch, --series, --build.</summary>
public sealed class KernelOptions
{
    public Option<FileInfo?> Kernel { get; } = new("--kernel") { Description = "Boot this kernel image (bzImage, arm64 Image or Image.gz; arch read from its header)" };
    public Option<FileInfo?> Config { get; } = new("--config") { Description = "The --kernel image's config file (for the facts the catalogue depends on)" };
    public Option<string?> Arch { get; } = new("--arch") { Description = "x86_64 or aarch64 (default: the host's, or the --kernel image's)" };
    public Option<string> Series { get; } = new("--series") { Description = "Debian kernel series when no --kernel is given: 6.1, 6.12 (bookworm) or 5.10 (bullseye)", DefaultValueFactory = _ => "6.1" };
    public Option<string?> Build { get; } = new("--build") { Description = "An earlier build of --series: its ABI (6.1.0-50), release or package version (default: the newest; `kernels list --available` names them)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Kernel);
        command.Options.Add(Config);
        command.Options.Add(Arch);
        command.Options.Add(Series);
        command.Options.Add(Build);
    }

    public Task<KernelDescriptor> ResolveAsync(ParseResult parse, KernelStore store, CancellationToken cancellationToken) =>
        KernelSelection.ResolveAsync(store, parse.GetValue(Kernel)?.FullName, parse.GetValue(Config)?.FullName,
            parse.GetValue(Arch) is { } a ? KernelArchNames.Parse(a) : null, DebianKernelSeries.Parse(parse.GetValue(Series)!),
            parse.GetValue(Build), cancellationToken);
}
