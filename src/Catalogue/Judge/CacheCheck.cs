using System.Text;
using Conformance.Catalogue.Cases;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Catalogue.Judge;

/// <summary>
/// `cache: model`: a seccomp_cache listing held against the model's action cache. The kernel's
/// listing decides only how many numbers each bitmap has (its build's table sizes); which of them
/// are ALLOW is the model's (ActionCacheListing), and so is which arches a kernel of this machine prints.
/// </summary>
public static class CacheCheck
{
    /// <summary>How many numbers one direction of a difference names before it only counts the rest.</summary>
    const int Named = 24;

    public sealed record Result(bool Passed, string Observed)
    {
        /// <summary>Which side caches numbers the other does not, for whoever buckets failures (the fuzzer).</summary>
        public CacheDeparture Departure { get; init; }
    }

    public static Result Compare(CacheExpectation want, FileObservation? file)
    {
        if (file is null)
            return new(false, "nothing was read");
        if (file.Ret < 0)
        {
            int errno = (int)-file.Ret;
            var hint = errno == Errnos.EACCES ? ": the file needs CAP_SYS_ADMIN in the initial user namespace"
                : errno == Errnos.ENOENT ? ": the kernel has no seccomp_cache file (CONFIG_SECCOMP_CACHE_DEBUG)" : "";
            return new(false, $"the read failed ({Errnos.Name(errno)}){hint}");
        }
        var text = file.Text;
        if (file.Ret >= want.MaxRead)
            return new(false, $"the read filled its max of {want.MaxRead} bytes: the listing may be cut off (raise the read step's max)");
        if (!ActionCacheListing.TryParse(text, out var blocks, out var error))
            return new(false, $"read {file.Ret} bytes that are not a seccomp_cache listing: {error}");

        var arches = ActionCacheListing.Arches(want.Native);
        var names = string.Join(", ", blocks.Select(b => $"{b.Arch} ({b.Cached.Length} numbers)"));
        if (want.Chain.Count == 0)
            return blocks.Count == 0
                ? new(true, "an empty listing: the task has no filter")
                : new(false, $"a listing of {names}, but the task has no filter, for which the kernel prints nothing");
        if (blocks.Count == 0)
            return new(false, $"an empty listing, which the kernel prints for a task without a filter; the task has {want.Chain.Count}");
        var departure = CacheDeparture.None;
        for (int i = 0; i < blocks.Count; i++)
            if (i >= arches.Count || blocks[i].Arch != arches[i].Name)
                return new(false, $"a listing of {names}; a {AuditArch.Name(want.Native)} kernel prints {string.Join(" then ", arches.Select(a => a.Name))} (the compat one with CONFIG_COMPAT)");
        if (want.CompatRequired && blocks.Count < arches.Count)
            return new(false, $"a listing of {names} only: the kernel runs 32-bit code (feature compat), so it has CONFIG_COMPAT and prints the {arches[^1].Name} bitmap too");

        var expected = ActionCacheListing.Expected(want.Chain, blocks.Select((b, i) => (arches[i], b.Cached.Length)).ToList(), want.Profile);
        bool passed = true;
        var report = new List<string>();
        for (int i = 0; i < blocks.Count; i++)
        {
            var arch = arches[i];
            var got = blocks[i].Cached;
            var model = expected[i].Cached;
            var kernelOnly = Enumerable.Range(0, got.Length).Where(nr => got[nr] && !model[nr]).ToList();
            var modelOnly = Enumerable.Range(0, got.Length).Where(nr => model[nr] && !got[nr]).ToList();
            var line = new StringBuilder($"{arch.Name}: {got.Count(b => b)} of {got.Length} numbers cached");
            if (kernelOnly.Count == 0 && modelOnly.Count == 0)
                line.Append(", as the model says");
            else
            {
                passed = false;
                if (kernelOnly.Count > 0) departure |= CacheDeparture.KernelCachesMore;
                if (modelOnly.Count > 0) departure |= CacheDeparture.ModelCachesMore;
                if (kernelOnly.Count > 0)
                    line.Append($"; the kernel caches {kernelOnly.Count} the model does not: {Numbers(arch.Abi, kernelOnly)}");
                if (modelOnly.Count > 0)
                    line.Append($"; the model caches {modelOnly.Count} the kernel does not: {Numbers(arch.Abi, modelOnly)}");
            }
            report.Add(line.ToString());
        }
        return new(passed, string.Join("; ", report)) { Departure = departure };
    }

    /// <summary>"39 getpid, 110 getppid, 452, ... and 7 more": by name where the model's table knows the number.</summary>
    static string Numbers(Abi abi, IReadOnlyList<int> nrs)
    {
        var named = nrs.Take(Named).Select(nr => SyscallTable.NameOf(abi, nr) is { } name ? $"{nr} {name}" : $"{nr}");
        var text = string.Join(", ", named);
        return nrs.Count > Named ? $"{text} ... and {nrs.Count - Named} more" : text;
    }
}
