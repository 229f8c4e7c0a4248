using Conformance.Model.Kernel;
using Conformance.Machines.Protocol;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Cases;

/// <summary>Reads the `steps:` list, expanding macros (nnp, install, notif_*, ptrace, ...) into the calls they stand for.</summary>
sealed class StepParser(YamlNodes y, MatcherParser matchers, IReadOnlyDictionary<string, FilterSource> filters)
{
    static readonly string[] Kinds =
    [
        "call", "nnp", "install", "strict", "drop_caps", "setuid", "rlimit_core", "signal", "block", "unblock", "fork", "thread",
        "exec", "exec32", "wait", "join", "set_flag", "wait_flag", "sleep_ms", "read", "kmsg_mark", "kmsg_read", "mark", "exit",
        "exit_thread", "ptrace", "trace", "notif_recv", "notif_send", "notif_id_valid", "notif_addfd", "close", "repeat", "set", "pipe",
    ];

    static readonly string[] Modifiers =
    [
        "expect", "save", "args", "abi", "record", "allowed", "via", "flags", "fprog", "options", "timeout_ms", "max", "nonblock",
        "pid", "addr", "data", "index", "resume", "responses", "max_stops", "id", "val", "error", "srcfd", "newfd",
        "newfd_flags", "size", "steps", "wrong_dir", "when",
    ];

    public IReadOnlyList<Step> Steps(YamlNode node)
    {
        var list = new List<Step>();
        foreach (var item in y.Sequence(node, "steps").Children)
            Parse(item, list);
        return list;
    }

    void Parse(YamlNode item, List<Step> into)
    {
        YamlMappingNode map;
        string kind;
        YamlNode value;
        if (item is YamlScalarNode scalar)
        {
            kind = scalar.Value ?? "";
            map = new YamlMappingNode();
            value = scalar;
        }
        else
        {
            map = y.Mapping(item, "a step");
            var kinds = map.Children.Keys.Select(k => y.Scalar(k, "key")).Where(Kinds.Contains).ToList();
            if (kinds.Count != 1)
                throw y.Error(item, kinds.Count == 0
                    ? $"a step needs one of: {string.Join(", ", Kinds)}"
                    : $"a step has one kind, this one has {string.Join(" and ", kinds)}");
            kind = kinds[0];
            value = YamlNodes.Get(map, kind)!;
            foreach (var key in map.Children.Keys)
            {
                var k = y.Scalar(key, "key");
                if (k != kind && !Modifiers.Contains(k))
                    throw y.Error(key, $"unknown key '{k}' in a {kind} step");
            }
        }
        if (!Kinds.Contains(kind))
            throw y.Error(item, $"unknown step '{kind}' (known: {string.Join(", ", Kinds)})");

        var pos = y.Pos(item);
        if (kind == "repeat")
        {
            int count = y.Int(value, "repeat");
            if (count is < 1 or > 64) throw y.Error(value, "repeat must be 1..64");
            var body = YamlNodes.Get(map, "steps") ?? throw y.Error(item, "repeat needs steps");
            for (int i = 0; i < count; i++)
                foreach (var child in y.Sequence(body, "steps").Children)
                    Parse(child, into);
            return;
        }

        var step = Build(kind, pos, value, map);
        if (YamlNodes.Get(map, "expect") is { } e)
            step = step with { Expect = matchers.Expectation(e) };
        if (YamlNodes.Get(map, "when") is { } w)
            step = step with { When = matchers.Condition(w) };
        if (YamlNodes.Get(map, "save") is { } s)
        {
            var name = y.Scalar(s, "save");
            if (!CaseValues.IsName(name)) throw y.Error(s, $"save name '{name}' must be letters, digits, '_' (and an optional 'shared.' prefix)");
            step = step with { Save = name };
        }
        into.Add(step);
    }

    Step Build(string kind, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        switch (kind)
        {
            case "call": return Call(pos, value, map);
            case "nnp":
                return Macro(pos, "nnp", "prctl", [Int(PR_SET_NO_NEW_PRIVS), Int(1), Int(0), Int(0), Int(0)]) with
                { Effect = new SetsNoNewPrivs(), DefaultExpect = Ok };
            case "strict":
                return Strict(pos, map);
            case "install": return Install(pos, value, map);
            case "drop_caps": return DropCaps(pos, value);
            case "setuid":
            {
                var uid = Constant(value, "setuid");
                return Macro(pos, $"setuid {uid}", "setresuid", [Int(uid), Int(uid), Int(uid)]) with { Effect = new ChangesUid(uid), DefaultExpect = Ok };
            }
            case "rlimit_core":
            {
                var text = y.Scalar(value, "rlimit_core");
                bool unlimited = text == "unlimited";
                if (!unlimited && text != "0") throw y.Error(value, "rlimit_core is 0 or unlimited");
                ulong v = unlimited ? ulong.MaxValue : 0;
                return Macro(pos, $"rlimit_core {text}", "prlimit64", [Int(0), Int(RLIMIT_CORE), new BufferValue(ScratchLayout.Prepared), Int(0)]) with
                {
                    Effect = new SetsCoreLimit(unlimited), DefaultExpect = Ok,
                    Prepare = [new ScratchStore(ScratchLayout.Prepared, 8, Int((long)v)), new ScratchStore(ScratchLayout.Prepared + 8, 8, Int((long)v))],
                };
            }
            case "signal":
            {
                var m = y.Mapping(value, "signal");
                if (m.Children.Count != 1) throw y.Error(value, "signal sets one signal per step: {SIGSYS: handler}");
                var (k, v) = m.Children.First();
                var signo = Signal(k);
                var disposition = y.Scalar(v, "disposition") switch
                {
                    "handler" => SignalDisposition.RecordingHandler,
                    "ignore" => SignalDisposition.Ignore,
                    "default" => SignalDisposition.Default,
                    var d => throw y.Error(v, $"disposition '{d}' must be handler, ignore or default"),
                };
                return new SigActionStep(pos, signo, disposition);
            }
            case "block":
            case "unblock":
            {
                ulong mask = 0;
                foreach (var s in y.Items(value, kind))
                    mask |= 1UL << (Signal(s) - 1);
                return new SigMaskStep(pos, kind == "block" ? SigMaskHow.Block : SigMaskHow.Unblock, mask);
            }
            case "fork": return new ForkStep(pos, Steps(value));
            case "thread": return new ThreadStep(pos, Steps(value));
            case "exec": return new ExecStep(pos, Steps(value), Compat: false);
            case "exec32": return new ExecStep(pos, Steps(value), Compat: true);
            case "wait":
            {
                long options = YamlNodes.Get(map, "options") is { } o ? Flags(o, WaitOptions, "wait option") : WaitOptions["WALL"];
                return new WaitStep(pos, Argument(value), options);
            }
            case "join": return new JoinStep(pos, Argument(value), Timeout(map, 5000));
            case "set_flag": return new SetFlagStep(pos, Flag(value));
            case "wait_flag": return new WaitFlagStep(pos, Flag(value), Timeout(map, 5000));
            case "sleep_ms": return new SleepStep(pos, (uint)y.Int(value, "sleep_ms"));
            case "read":
            {
                uint max = YamlNodes.Get(map, "max") is { } mx ? (uint)y.Int(mx, "max") : 16384;
                bool nonblock = YamlNodes.Get(map, "nonblock") is { } nb && y.Bool(nb, "nonblock");
                return new ReadStep(pos, y.Scalar(value, "read"), max, nonblock);
            }
            case "kmsg_mark": return new KmsgMarkStep(pos) { Save = "kmsg" };
            case "kmsg_read":
                return new KmsgReadStep(pos, value is YamlScalarNode { Value: null or "" } || y.Scalar(value, "kmsg_read") is "true" or "kmsg_read"
                    ? new SavedValue("kmsg") : Argument(value));
            case "mark": return new MarkStep(pos, (uint)y.Int(value, "mark"));
            case "exit": return new ExitStep(pos, y.Int(value, "exit"), Group: true);
            case "exit_thread": return new ExitStep(pos, y.Int(value, "exit_thread"), Group: false);
            case "ptrace": return Ptrace(pos, value, map);
            case "trace": return Trace(pos, value, map);
            case "notif_recv": return new NotifRecvStep(pos, Argument(value));
            case "notif_send": return NotifSend(pos, value, map);
            case "notif_id_valid":
            {
                bool wrongDir = YamlNodes.Get(map, "wrong_dir") is { } wd && y.Bool(wd, "wrong_dir");
                var ioctl = wrongDir ? SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR : SECCOMP_IOCTL_NOTIF_ID_VALID;
                return Macro(pos, "notif_id_valid", "ioctl", [Argument(value), Int(ioctl), new BufferValue(ScratchLayout.Prepared)]) with
                { Prepare = [new ScratchStore(ScratchLayout.Prepared, 8, Required(map, "id", "notif_id_valid"))] };
            }
            case "notif_addfd": return NotifAddfd(pos, value, map);
            case "close": return Macro(pos, "close", "close", [Argument(value)]) with { Effect = new ClosesFd() };
            case "set": return new SetStep(pos, Argument(value));
            case "pipe": return Pipe(pos, value);
            default: throw y.Error(value, $"step '{kind}' is not implemented");
        }
    }

    static readonly Matcher Ok = new() { Ret = new ValueMatch("0", (x, _) => x == 0) };

    static ValueMatch GreaterOrEqual(long n) => new($">={n}", (x, _) => x >= n);

    static IntValue Int(long v) => new(v);

    static CallStep Macro(SourcePosition pos, string label, string syscall, IReadOnlyList<ValueExpr> args) =>
        new(pos, label, new SyscallNameValue(syscall), args);

    /// <summary>`pipe: [r, w]`: pipe2(fds, 0), which every kernel has, unlike eventfd (tinyconfig leaves it out).</summary>
    CallStep Pipe(SourcePosition pos, YamlNode value)
    {
        var names = y.Items(value, "pipe").Select(n => y.Scalar(n, "pipe name")).ToList();
        if (names.Count != 2 || !names.All(CaseValues.IsName) || names[0] == names[1])
            throw y.Error(value, "pipe names its two ends: pipe: [r, w]");
        return Macro(pos, "pipe", "pipe2", [new BufferValue(ScratchLayout.PipeFds), Int(0)]) with
        {
            Effect = new OpensPipe(names[0], names[1]), DefaultExpect = Ok,
            RecordAt = new BufferValue(ScratchLayout.PipeFds), RecordLength = 8,
        };
    }

    CallStep Call(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var nrText = y.Scalar(value, "call");
        ValueExpr nr = CaseValues.IsSyscallName(nrText) ? new SyscallNameValue(nrText)
            : CaseValues.TryParseInteger(nrText, out var n) ? new IntValue(n)
            : throw y.Error(value, $"call '{nrText}': a syscall name or number");
        var argsNode = YamlNodes.Get(map, "args");
        var args = argsNode is null ? [] : Arguments(argsNode);
        if (args.Count > 6) throw y.Error(argsNode!, "a system call has at most 6 arguments");
        bool compat = false;
        if (YamlNodes.Get(map, "abi") is { } abi)
            compat = y.Scalar(abi, "abi") switch
            {
                "compat" => true, "native" => false,
                var t => throw y.Error(abi, $"abi '{t}' must be native or compat"),
            };
        var step = new CallStep(pos, $"call {nrText}", nr, args) { Compat = compat };
        if (YamlNodes.Get(map, "record") is { } r)
        {
            var rm = y.Mapping(r, "record");
            y.OnlyKeys(rm, "record", "at", "len");
            var at = YamlNodes.Get(rm, "at") is { } atn ? Argument(atn) : new BufferValue(0);
            var len = YamlNodes.Get(rm, "len") is { } ln ? y.Int(ln, "len") : throw y.Error(r, "record needs len");
            if (len is < 1 or > 16384) throw y.Error(r, "record len must be 1..16384");
            step = step with { RecordAt = at, RecordLength = len };
        }
        if (YamlNodes.Get(map, "allowed") is { } al)
            step = step with { Allowed = matchers.Matcher(al) };
        return step;
    }

    /// <summary>`strict` enters strict mode through prctl, or with `via: seccomp` through seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL).</summary>
    CallStep Strict(SourcePosition pos, YamlMappingNode map)
    {
        bool viaSeccomp = false;
        if (YamlNodes.Get(map, "via") is { } v)
            viaSeccomp = y.Scalar(v, "via") switch
            {
                "seccomp" => true, "prctl" => false,
                var t => throw y.Error(v, $"via '{t}' must be seccomp or prctl"),
            };
        var step = viaSeccomp
            ? Macro(pos, "strict", "seccomp", [Int(SECCOMP_SET_MODE_STRICT), Int(0), Int(0)])
            : Macro(pos, "strict", "prctl", [Int(PR_SET_SECCOMP), Int(SECCOMP_MODE_STRICT), Int(0), Int(0), Int(0)]);
        return step with { Effect = new SetsStrictMode(), DefaultExpect = Ok };
    }

    CallStep Install(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var name = y.Scalar(value, "install");
        if (!filters.ContainsKey(name))
            throw y.Error(value, $"no filter '{name}' in this case (filters: {string.Join(", ", filters.Keys)})");
        var via = InstallVia.Auto;
        bool viaGiven = false;
        if (YamlNodes.Get(map, "via") is { } v)
        {
            viaGiven = true;
            via = y.Scalar(v, "via") switch
            {
                "seccomp" => InstallVia.Seccomp, "prctl" => InstallVia.Prctl,
                var t => throw y.Error(v, $"via '{t}' must be seccomp or prctl"),
            };
        }
        uint flags = 0;
        var flagNames = new List<string>();
        if (YamlNodes.Get(map, "flags") is { } f)
        {
            foreach (var item in y.Items(f, "flags"))
            {
                var t = y.Scalar(item, "flag");
                if (KernelConstants.FilterFlags.TryGetValue(t, out var bit)) { flags |= bit; flagNames.Add(t.ToUpperInvariant()); }
                else if (CaseValues.TryParseInteger(t, out var raw)) { flags |= (uint)raw; flagNames.Add($"0x{raw:x}"); }
                else throw y.Error(item, $"unknown filter flag '{t}' (known: {string.Join(", ", KernelConstants.FilterFlags.Keys)})");
            }
            if (via == InstallVia.Prctl && flags != 0) throw y.Error(f, "prctl cannot pass filter flags; use via: seccomp");
            if (!viaGiven) via = InstallVia.Seccomp;
        }
        var pointer = FilterPointer.Real;
        RuntimeValueKind? fprogPointer = null;
        uint? length = null;
        // A list combines a filter pointer with a length ([filter-null, len=0]) to show which check comes first.
        if (YamlNodes.Get(map, "fprog") is { } fp)
            foreach (var item in y.Items(fp, "fprog"))
            {
                var t = y.Scalar(item, "fprog");
                switch (t)
                {
                    case "null": fprogPointer = RuntimeValueKind.Null; break;
                    case "bad": fprogPointer = RuntimeValueKind.Bad; break;
                    case "filter-null": pointer = FilterPointer.Null; break;
                    case "filter-bad": pointer = FilterPointer.Bad; break;
                    default:
                        if (t.StartsWith("len=", StringComparison.Ordinal) && CaseValues.TryParseInteger(t[4..], out var l) && l is >= 0 and <= ushort.MaxValue)
                            length = (uint)l;
                        else throw y.Error(item, $"fprog '{t}' must be null, bad, filter-null, filter-bad or len=N");
                        break;
                }
            }
        if (fprogPointer is not null && (pointer != FilterPointer.Real || length is not null))
            throw y.Error(map, "fprog null or bad has no filter pointer or length to combine with");
        ValueExpr fprog = fprogPointer is { } k ? new FprogPointerValue(k) : new FilterValue(name, pointer, length);
        var info = new InstallInfo(name, via, flags, flagNames, pointer, fprogPointer, length);
        // Auto is written as seccomp(2); the compiler turns it into prctl on a kernel without the syscall.
        var args = via != InstallVia.Prctl
            ? new ValueExpr[] { Int(SECCOMP_SET_MODE_FILTER), Int(flags), fprog }
            : [Int(PR_SET_SECCOMP), Int(SECCOMP_MODE_FILTER), fprog, Int(0), Int(0)];
        var label = $"install {name}" + (flagNames.Count > 0 ? $" [{string.Join("|", flagNames)}]" : "");
        return new CallStep(pos, label, new SyscallNameValue(via != InstallVia.Prctl ? "seccomp" : "prctl"), args)
        {
            Effect = info,
            // Without an expectation an install must succeed: anything else makes the case meaningless.
            DefaultExpect = (flags & FilterFlags["NEW_LISTENER"]) != 0 ? new Matcher { Ret = GreaterOrEqual(0) }
                : (flags & FilterFlags["TSYNC"]) != 0 ? new Matcher { Ret = GreaterOrEqual(0) } : Ok,
        };
    }

    CallStep DropCaps(SourcePosition pos, YamlNode value)
    {
        ulong mask = 0;
        bool all = value is YamlScalarNode { Value: "all" };
        if (!all)
            foreach (var item in y.Items(value, "drop_caps"))
            {
                var t = y.Scalar(item, "capability");
                var name = t.StartsWith("CAP_", StringComparison.Ordinal) ? t[4..] : t;
                if (!Capabilities.TryGetValue(name, out var bit)) throw y.Error(item, $"unknown capability '{t}'");
                mask |= 1UL << bit;
            }
        // The data words are filled in at compile time from the kernel's cap_last_cap (probed).
        return Macro(pos, all ? "drop_caps all" : "drop_caps", "capset",
                [new BufferValue(ScratchLayout.Prepared), new BufferValue(ScratchLayout.Prepared + 8)]) with
            { Effect = new DropsCapabilities(mask, all), DefaultExpect = Ok };
    }

    CallStep Ptrace(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var reqText = y.Scalar(value, "ptrace");
        if (!PtraceRequests.TryGetValue(reqText, out var request))
            throw y.Error(value, $"unknown ptrace request '{reqText}' (known: {string.Join(", ", PtraceRequests.Keys)})");
        reqText = reqText.ToUpperInvariant();
        ValueExpr pid = YamlNodes.Get(map, "pid") is { } p ? Argument(p) : Int(0);
        ValueExpr addr = YamlNodes.Get(map, "addr") is { } a ? Argument(a) : Int(0);
        ValueExpr data = YamlNodes.Get(map, "data") is { } d ? Argument(d) : Int(0);
        if (YamlNodes.Get(map, "options") is { } o)
            data = Int(Flags(o, PtraceOptions, "ptrace option"));
        var step = Macro(pos, $"ptrace {reqText}", "ptrace", [Int(request), pid, addr, data]);
        switch (reqText)
        {
            case "GETEVENTMSG":
                return step with { Args = [Int(request), pid, Int(0), new BufferValue(ScratchLayout.EventMsg)], RecordAt = new BufferValue(ScratchLayout.EventMsg), RecordLength = 8 };
            case "SECCOMP_GET_FILTER":
            {
                var index = YamlNodes.Get(map, "index") is { } i ? Constant(i, "index") : 0;
                bool countOnly = YamlNodes.Get(map, "data") is { } dn && y.Scalar(dn, "data") == "null";
                return countOnly
                    ? step with { Args = [Int(request), pid, Int(index), Int(0)] }
                    : step with
                    {
                        Args = [Int(request), pid, Int(index), new BufferValue(ScratchLayout.FilterDump)],
                        RecordAt = new BufferValue(ScratchLayout.FilterDump), RecordLength = ScratchLayout.FilterDumpLength,
                        Meaning = RecordMeaning.FilterProgram,
                    };
            }
            case "SECCOMP_GET_METADATA":
            {
                var index = YamlNodes.Get(map, "index") is { } i ? Constant(i, "index") : 0;
                var size = YamlNodes.Get(map, "size") is { } s ? Constant(s, "size") : 16;
                return step with
                {
                    Args = [Int(request), pid, Int(size), new BufferValue(ScratchLayout.Prepared)],
                    Prepare = [new ScratchStore(ScratchLayout.Prepared, 8, Int(index)), new ScratchStore(ScratchLayout.Prepared + 8, 8, Int(0))],
                    RecordAt = new BufferValue(ScratchLayout.Prepared), RecordLength = 16, Meaning = RecordMeaning.FilterMetadata,
                };
            }
            default:
                return step;
        }
    }

    TraceStep Trace(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var resume = TraceResume.Cont;
        if (YamlNodes.Get(map, "resume") is { } r)
            resume = y.Scalar(r, "resume") switch
            {
                "cont" => TraceResume.Cont, "syscall" => TraceResume.Syscall,
                var t => throw y.Error(r, $"resume '{t}' must be cont or syscall"),
            };
        var responses = new List<TraceResponseSpec>();
        if (YamlNodes.Get(map, "responses") is { } rs)
            foreach (var item in y.Sequence(rs, "responses").Children)
                responses.Add(Response(item));
        int maxStops = YamlNodes.Get(map, "max_stops") is { } m ? y.Int(m, "max_stops") : 64;
        return new TraceStep(pos, Argument(value), resume, responses, maxStops);
    }

    TraceResponseSpec Response(YamlNode item)
    {
        if (item is YamlScalarNode s)
            return s.Value switch
            {
                "continue" => new TraceResponseSpec(null, null, [], TraceThen.Resume),
                "kill" => new TraceResponseSpec(null, null, [], TraceThen.Kill),
                "detach" => new TraceResponseSpec(null, null, [], TraceThen.Detach),
                var t => throw y.Error(item, $"response '{t}' must be continue, kill, detach or a mapping"),
            };
        var map = y.Mapping(item, "a response");
        y.OnlyKeys(map, "a response", "redirect", "skip", "set_arg", "then");
        ValueExpr? redirect = YamlNodes.Get(map, "redirect") is { } r ? Argument(r) : null;
        long? skip = YamlNodes.Get(map, "skip") is { } sk ? Constant(sk, "skip") : null;
        var setArgs = new List<(int, long)>();
        if (YamlNodes.Get(map, "set_arg") is { } sa)
        {
            var pair = y.Sequence(sa, "set_arg").Children;
            if (pair.Count != 2) throw y.Error(sa, "set_arg is [index, value]");
            var idx = y.Int(pair[0], "index");
            if (idx is < 0 or > 5) throw y.Error(sa, "set_arg index is 0..5");
            setArgs.Add((idx, Constant(pair[1], "value")));
        }
        var then = TraceThen.Resume;
        if (YamlNodes.Get(map, "then") is { } th)
            then = y.Scalar(th, "then") switch
            {
                "continue" => TraceThen.Resume, "kill" => TraceThen.Kill, "detach" => TraceThen.Detach,
                var t => throw y.Error(th, $"then '{t}' must be continue, kill or detach"),
            };
        return new TraceResponseSpec(redirect, skip, setArgs, then);
    }

    CallStep NotifSend(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var id = Required(map, "id", "notif_send");
        ValueExpr val = YamlNodes.Get(map, "val") is { } v ? Argument(v) : Int(0);
        ValueExpr error = YamlNodes.Get(map, "error") is { } e ? Argument(e) : Int(0);
        long flags = YamlNodes.Get(map, "flags") is { } f
            ? Flags(f, new Dictionary<string, long> { ["CONTINUE"] = SECCOMP_USER_NOTIF_FLAG_CONTINUE }, "notif_send flag") : 0;
        const uint at = ScratchLayout.Prepared;
        return Macro(pos, "notif_send", "ioctl", [Argument(value), Int(SECCOMP_IOCTL_NOTIF_SEND), new BufferValue(at)]) with
        {
            Prepare =
            [
                new ScratchStore(at, 8, id), new ScratchStore(at + 8, 8, val),
                new ScratchStore(at + 16, 4, error), new ScratchStore(at + 20, 4, Int(flags)),
            ],
        };
    }

    CallStep NotifAddfd(SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var id = Required(map, "id", "notif_addfd");
        ValueExpr srcfd = YamlNodes.Get(map, "srcfd") is { } s ? Argument(s) : Int(0);
        ValueExpr newfd = YamlNodes.Get(map, "newfd") is { } n ? Argument(n) : Int(0);
        long flags = YamlNodes.Get(map, "flags") is { } f
            ? Flags(f, new Dictionary<string, long> { ["SETFD"] = SECCOMP_ADDFD_FLAG_SETFD, ["SEND"] = SECCOMP_ADDFD_FLAG_SEND }, "addfd flag") : 0;
        long newfdFlags = YamlNodes.Get(map, "newfd_flags") is { } nf
            ? Flags(nf, new Dictionary<string, long> { ["CLOEXEC"] = 0x80000 }, "newfd flag") : 0;
        long size = YamlNodes.Get(map, "size") is { } sz ? Constant(sz, "size") : SeccompNotifAddfdSize;
        uint ioctl = (uint)((1u << 30) | ((uint)size << 16) | 0x2103);
        const uint at = ScratchLayout.Prepared;
        return Macro(pos, "notif_addfd", "ioctl", [Argument(value), Int(ioctl), new BufferValue(at)]) with
        {
            Prepare =
            [
                new ScratchStore(at, 8, id), new ScratchStore(at + 8, 4, Int(flags)), new ScratchStore(at + 12, 4, srcfd),
                new ScratchStore(at + 16, 4, newfd), new ScratchStore(at + 20, 4, Int(newfdFlags)),
                new ScratchStore(at + 24, 8, Int(0)),
            ],
        };
    }

    ValueExpr Required(YamlMappingNode map, string key, string step) =>
        YamlNodes.Get(map, key) is { } v ? Argument(v) : throw y.Error(map, $"{step} needs {key}");

    IReadOnlyList<ValueExpr> Arguments(YamlNode node) => y.Sequence(node, "args").Children.Select(ArgumentOrData).ToList();

    ValueExpr ArgumentOrData(YamlNode node)
    {
        if (node is not YamlMappingNode map) return Argument(node);
        y.OnlyKeys(map, "a data argument", "bytes", "u32", "u64");
        var (k, v) = map.Children.First();
        var kind = y.Scalar(k, "data kind");
        int width = kind switch { "bytes" => 1, "u32" => 4, _ => 8 };
        var bytes = new List<byte>();
        foreach (var item in y.Sequence(v, kind).Children)
        {
            var n = Constant(item, kind);
            for (int i = 0; i < width; i++) bytes.Add((byte)(n >> (8 * i)));
        }
        return new DataValue([.. bytes], $"{kind}:[{string.Join(",", y.Sequence(v, kind).Children)}]");
    }

    ValueExpr Argument(YamlNode node) => CaseValues.ParseArgument(y.Scalar(node, "value"), msg => y.Error(node, msg));

    long Constant(YamlNode node, string what)
    {
        var t = y.Scalar(node, what);
        return CaseValues.TryParseConstant(t, out var v) ? v : throw y.Error(node, $"{what}: '{t}' is not a number or known constant");
    }

    long Flags(YamlNode node, IReadOnlyDictionary<string, long> names, string what)
    {
        long mask = 0;
        foreach (var item in y.Items(node, what))
        {
            var t = y.Scalar(item, what);
            if (names.TryGetValue(t, out var bit)) mask |= bit;
            else if (CaseValues.TryParseInteger(t, out var raw)) mask |= raw;
            else throw y.Error(item, $"unknown {what} '{t}' (known: {string.Join(", ", names.Keys)})");
        }
        return mask;
    }

    int Signal(YamlNode node)
    {
        var t = y.Scalar(node, "signal");
        return Signals.TryGetValue(t, out var s) ? s : throw y.Error(node, $"unknown signal '{t}'");
    }

    int Flag(YamlNode node)
    {
        var f = y.Int(node, "flag");
        return f is >= 0 and < 32 ? f : throw y.Error(node, "flags are 0..31");
    }

    uint Timeout(YamlMappingNode map, uint fallback) =>
        YamlNodes.Get(map, "timeout_ms") is { } t ? (uint)y.Int(t, "timeout_ms") : fallback;
}
