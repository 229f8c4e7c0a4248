using Conformance.Model.Kernel;
using System.Globalization;
using System.Text;
using Conformance.Model.Seccomp;

namespace Conformance.Catalogue.Cases;

/// <summary>Reads the values a case may write: numbers, kernel constant names and run-time values.</summary>
public static class CaseValues
{
    public static bool TryParseInteger(string text, out long value)
    {
        var t = text.Trim().Replace("_", "");
        bool negative = t.StartsWith('-');
        if (negative || t.StartsWith('+')) t = t[1..];
        bool ok;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            ok = ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u) & Assign(u, out value);
        else if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            ok = t.Length > 2 && t[2..].All(c => c is '0' or '1');
            value = ok ? (long)Convert.ToUInt64(t[2..], 2) : 0;
        }
        else
            ok = ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var u) & Assign(u, out value);
        if (ok && negative) value = -value;
        return ok;

        static bool Assign(ulong u, out long v) { v = unchecked((long)u); return true; }
    }

    /// <summary>
    /// A constant: an integer, or a kernel name (errno, signal, SECCOMP_RET_* action with optional data
    /// such as ERRNO(5), or any generated UAPI constant by its full name: PR_GET_NO_NEW_PRIVS,
    /// SECCOMP_IOCTL_NOTIF_RECV, CAP_SYS_ADMIN, AUDIT_ARCH_X86_64), optionally negated ("-ESRCH").
    /// </summary>
    public static bool TryParseConstant(string text, out long value)
    {
        var t = text.Trim();
        if (TryParseInteger(t, out value)) return true;
        bool negative = t.StartsWith('-');
        if (negative) t = t[1..];
        if (!TryNamedConstant(t, out value)) return false;
        if (negative) value = -value;
        return true;
    }

    static bool TryNamedConstant(string name, out long value)
    {
        if (Errnos.TryParse(name, out var e) && name.StartsWith('E')) { value = e; return true; }
        if (KernelConstants.Signals.TryGetValue(name, out var s)) { value = s; return true; }
        if (TryAction(name, out var ret)) { value = ret; return true; }
        return ConstantNames.TryResolve(name, out value);
    }

    /// <summary>Like <see cref="TryParseConstant"/>, but an unknown name is an error that says why and suggests the nearest known one.</summary>
    public static long ParseConstant(string text, Func<string, CaseFormatException> error)
    {
        if (TryParseConstant(text, out var value)) return value;
        var name = text.Trim().TrimStart('-');
        throw error(ConstantNames.LooksLikeConstant(name) ? ConstantNames.WhyUnknown(name) : $"'{text.Trim()}' is not a number or a known constant");
    }

    /// <summary>SECCOMP_RET_ALLOW, ALLOW, ERRNO(5), TRAP(0x42), ERRNO(EPERM).</summary>
    public static bool TryAction(string text, out uint ret)
    {
        var t = text.StartsWith("SECCOMP_RET_", StringComparison.Ordinal) ? text["SECCOMP_RET_".Length..] : text;
        string name = t;
        long data = 0;
        int open = t.IndexOf('(');
        if (open > 0 && t.EndsWith(')'))
        {
            name = t[..open];
            var inner = t[(open + 1)..^1];
            if (!TryParseInteger(inner, out data) && !(Errnos.TryParse(inner, out var en) && (data = en) >= 0))
            { ret = 0; return false; }
            if (data is < 0 or > 0xffff) { ret = 0; return false; }
        }
        name = name == "KILL" ? "KILL_THREAD" : name;
        if (!SeccompRet.TryParse(name, out var action) || name != name.ToUpperInvariant()) { ret = 0; return false; }
        ret = SeccompRet.ValueOf(action) | (uint)data;
        return true;
    }

    /// <summary>Parses an argument: constants, syscall names (lower case), and the run-time values of docs/cases.md.</summary>
    public static ValueExpr ParseArgument(string text, Func<string, CaseFormatException> error)
    {
        var t = text.Trim();
        switch (t)
        {
            case "null": return new RuntimeValue(RuntimeValueKind.Null);
            case "bad": return new RuntimeValue(RuntimeValueKind.Bad);
            case "pid": return new RuntimeValue(RuntimeValueKind.Pid);
            case "tid": return new RuntimeValue(RuntimeValueKind.Tid);
            case "ppid": return new RuntimeValue(RuntimeValueKind.Ppid);
            case "buf": return new BufferValue(0);
        }
        if (t.StartsWith("buf+", StringComparison.Ordinal))
            return TryParseInteger(t[4..], out var off) && off is >= 0 and < 32768
                ? new BufferValue((uint)off)
                : throw error($"'{t}': the buffer offset must be 0..32767");
        if (t.StartsWith('$'))
            return ParseSaved(t, error);
        if (t.StartsWith("str:", StringComparison.Ordinal))
            return new DataValue(Encoding.UTF8.GetBytes(t[4..] + "\0"), t);
        if (t.StartsWith("filter:", StringComparison.Ordinal))
            return ParseFilterValue(t, error);
        if (TryParseConstant(t, out var v))
            return new IntValue(v);
        if (IsSyscallName(t))
            return new SyscallNameValue(t);
        if (ConstantNames.LooksLikeConstant(t.TrimStart('-')))
            throw error(ConstantNames.WhyUnknown(t.TrimStart('-')));
        throw error($"'{t}' is not a number, a known constant, a syscall name or a run-time value (null, bad, pid, tid, ppid, $name, buf, str:..., filter:...)");
    }

    public static SavedValue ParseSaved(string t, Func<string, CaseFormatException> error)
    {
        var body = t[1..];
        long add = 0;
        // The search starts after the name's first character; a bare '$' has none (fuzz crash).
        int op = body.Length > 1 ? body.IndexOfAny(['+', '-'], 1) : -1;
        if (op > 0)
        {
            if (!TryParseInteger(body[op..], out add)) throw error($"'{t}': bad offset");
            body = body[..op];
        }
        if (!IsName(body)) throw error($"'{t}': a saved name is letters, digits, '_' and an optional 'shared.' prefix");
        return new SavedValue(body, add);
    }

    static FilterValue ParseFilterValue(string t, Func<string, CaseFormatException> error)
    {
        var parts = t.Split(':');
        if (parts.Length < 2 || parts[1].Length == 0) throw error($"'{t}': write filter:NAME");
        var pointer = FilterPointer.Real;
        uint? len = null;
        foreach (var p in parts.Skip(2))
        {
            if (p == "null") pointer = FilterPointer.Null;
            else if (p == "bad") pointer = FilterPointer.Bad;
            else if (p.StartsWith("len=", StringComparison.Ordinal) && TryParseInteger(p[4..], out var l) && l is >= 0 and <= ushort.MaxValue) len = (uint)l;
            else throw error($"'{t}': unknown filter pointer option '{p}' (null, bad, len=N)");
        }
        return new FilterValue(parts[1], pointer, len);
    }

    public static bool IsSyscallName(string t) =>
        t.Length > 0 && char.IsAsciiLetterLower(t[0]) && t.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    public static bool IsName(string t)
    {
        var n = t.StartsWith("shared.", StringComparison.Ordinal) ? t[7..] : t;
        return n.Length > 0 && (char.IsAsciiLetter(n[0]) || n[0] == '_') && n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }
}
