using System.CommandLine;
using System.Text.Json;
using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Harness.Verbs;

/// <summary>`kernels fetch|list|build|inspect`: the kernels the harness can boot.</summary>
public static class KernelsVerb
{
    public static Command Create()
    {
        var cmd = new Command("kernels", "Fetch, build and list the kernels the harness boots (cached under $XDG_CACHE_HOME/conformance)");
        cmd.Subcommands.Add(Fetch());
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Build());
        cmd.Subcommands.Add(Inspect());
        return cmd;
    }

    static Command Fetch()
    {
        var series = new Option<string>("--series") { Description = SeriesChoices + " or all", DefaultValueFactory = _ => "6.1" };
        var arch = new Option<string>("--arch") { Description = "x86_64, aarch64 or all", DefaultValueFactory = _ => "all" };
        var build = new Option<string?>("--build") { Description = "An earlier build: ABI (6.1.0-50), release or package version (default: the newest)" };
        var cmd = new Command("fetch", "Download Debian cloud kernels: bookworm's 6.1 and 6.12, bullseye's 5.10 (idempotent)") { series, arch, build };
        cmd.SetAction(async (parse, ct) => await VerbErrors.Run(async () =>
        {
            using var logs = VerbLogging.Create();
            var store = new KernelStore(logger: logs.CreateLogger("kernels"));
            var seriesList = ParseSeries(parse.GetValue(series)!);
            if (parse.GetValue(build) is not null && seriesList.Count != 1)
                throw new ArgumentException("--build names a build of one --series");
            var arches = ParseArches(parse.GetValue(arch)!);
            foreach (var s in seriesList)
                foreach (var a in arches)
                {
                    var kernel = await store.FetchDebianAsync(s, a, parse.GetValue(build), ct);
                    Console.WriteLine($"{kernel.Name}\t{kernel.ImagePath}");
                }
        }));
        return cmd;
    }

    static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var available = new Option<bool>("--available") { Description = "List the builds Debian's archive serves (what --build can name) instead of the cache" };
        var series = new Option<string>("--series") { Description = $"With --available: {SeriesChoices} or all", DefaultValueFactory = _ => "all" };
        var arch = new Option<string>("--arch") { Description = "With --available: x86_64, aarch64 or all", DefaultValueFactory = _ => "all" };
        var cmd = new Command("list", "List cached kernels with the config facts that matter to seccomp") { json, available, series, arch };
        cmd.SetAction(async (parse, ct) => await VerbErrors.Run(async () =>
        {
            if (parse.GetValue(available))
            {
                await ListAvailable(ParseSeries(parse.GetValue(series)!), ParseArches(parse.GetValue(arch)!), parse.GetValue(json), ct);
                return;
            }
            var kernels = new KernelStore().List();
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(kernels.Select(ToJson), new JsonSerializerOptions { WriteIndented = true }));
            else
                PrintTable(kernels);
        }));
        return cmd;
    }

    static async Task ListAvailable(IReadOnlyList<DebianKernelSeries> seriesList, IReadOnlyList<KernelArch> arches, bool json, CancellationToken ct)
    {
        using var logs = VerbLogging.Create();
        var store = new KernelStore(logger: logs.CreateLogger("kernels"));
        var builds = new List<DebianKernelBuild>();
        foreach (var s in seriesList)
            foreach (var a in arches)
                builds.AddRange(await store.ListAvailableAsync(s, a, ct));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(builds.Select(b => new
            {
                series = b.Series.Name, release = b.Series.Release.Codename, arch = b.Arch.Name(), build = b.Build,
                package = b.Image.Name, version = b.Image.Version, current = b.Current,
                cached = store.FindDebian(b.Series, b.Arch, b.Build) is not null,
            }), new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        // A meta package points at the "current" builds: the release's point-release kernel and the newest security build.
        Console.WriteLine("SERIES  RELEASE   ARCH     BUILD             VERSION               CURRENT  CACHED");
        foreach (var b in builds)
            Console.WriteLine(($"{b.Series.Name,-7} {b.Series.Release.Codename,-9} {b.Arch.Name(),-8} {b.Build,-17} {b.Image.Version,-21} "
                               + $"{(b.Current ? "yes" : ""),-8} {(store.FindDebian(b.Series, b.Arch, b.Build) is not null ? "yes" : "")}").TrimEnd());
    }

    static Command Build()
    {
        var arch = new Option<string>("--arch") { Description = "x86_64 or aarch64", Required = true };
        var series = new Option<string>("--series") { Description = SeriesChoices + " (Debian's linux-source of that series)", DefaultValueFactory = _ => "6.1" };
        var fragments = new Option<string[]>("--fragment")
        {
            Description = $"Config fragment file (or built-in: {string.Join(", ", KernelFragments.BuiltInNames)}); repeatable, applied in order after base.config",
            AllowMultipleArgumentsPerToken = false,
        };
        var cmd = new Command("build", "Build a small kernel: tinyconfig + base fragment + your fragments") { arch, series, fragments };
        cmd.SetAction(async (parse, ct) => await VerbErrors.Run(async () =>
        {
            using var logs = VerbLogging.Create();
            var store = new KernelStore(logger: logs.CreateLogger("kernels"));
            var request = new KernelBuildRequest(KernelArchNames.Parse(parse.GetValue(arch)!),
                DebianKernelSeries.Parse(parse.GetValue(series)!), parse.GetValue(fragments) ?? []);
            var kernel = await store.BuildAsync(request, ct);
            Console.WriteLine($"{kernel.Name}\t{kernel.ImagePath}");
            if (kernel.BuildTime is { } t)
                Console.WriteLine($"make took {t.TotalSeconds:F0} s when this kernel was built");
        }));
        return cmd;
    }

    static Command Inspect()
    {
        var image = new Argument<FileInfo>("image") { Description = "A kernel image (bzImage, arm64 Image or Image.gz)" };
        var config = new Option<FileInfo?>("--config") { Description = "The kernel's config file" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("inspect", "Show what the harness reads from a kernel image and config") { image, config, json };
        cmd.SetAction(parse => VerbErrors.RunSync(() =>
        {
            var kernel = new KernelStore().OpenUserKernel(parse.GetValue(image)!.FullName, parse.GetValue(config)?.FullName);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(ToJson(kernel), new JsonSerializerOptions { WriteIndented = true }));
            else
                PrintTable([kernel]);
        }));
        return cmd;
    }

    static string SeriesChoices => string.Join(", ", DebianKernelSeries.All.Select(s => s.Name));

    static IReadOnlyList<DebianKernelSeries> ParseSeries(string text) =>
        text == "all" ? DebianKernelSeries.All : [DebianKernelSeries.Parse(text)];

    static IReadOnlyList<KernelArch> ParseArches(string text) =>
        text == "all" ? KernelArchNames.All : [KernelArchNames.Parse(text)];

    static void PrintTable(IReadOnlyList<KernelDescriptor> kernels)
    {
        if (kernels.Count == 0)
        {
            Console.WriteLine("No kernels cached. Try `conformance kernels fetch` or `conformance kernels build --arch x86_64`.");
            return;
        }
        var headers = new[] { "ORIGIN", "ARCH", "RELEASE" }.Concat(KernelConfigFacts.Reported).Append("PATH").ToArray();
        var rows = kernels.Select(k => new[] { k.Origin.ToString().ToLowerInvariant(), k.Arch.Name(), k.Release }
            .Concat(KernelConfigFacts.Reported.Select(s => k.Facts.HasConfig ? KernelConfigFacts.Letter(k.Facts[s]) : "?"))
            .Append(k.ImagePath).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    static object ToJson(KernelDescriptor k) => new
    {
        name = k.Name,
        release = k.Release,
        arch = k.Arch.Name(),
        origin = k.Origin.ToString().ToLowerInvariant(),
        series = k.Series,
        package = k.Package,
        image = k.ImagePath,
        config = k.ConfigPath,
        fragments = k.Fragments,
        buildSeconds = k.BuildTime?.TotalSeconds,
        facts = k.Facts.HasConfig ? KernelConfigFacts.Reported.ToDictionary(s => s, s => KernelConfigFacts.Letter(k.Facts[s])) : null,
    };
}
