namespace Conformance.Machines.Kernels;

/// <summary>Thrown for a malformed .config or fragment; the message names the file and line.</summary>
public sealed class KernelConfigException(string message) : Exception(message);

/// <summary>
/// A Kconfig assignment list: a kernel's .config or a fragment. Symbols are kept without the
/// CONFIG_ prefix; "# CONFIG_X is not set" is the value "n". Later assignments win, as they do
/// when Kconfig reads a file.
/// </summary>
public sealed class KernelConfig
{
    readonly Dictionary<string, string> _values;
    readonly List<string> _order;

    KernelConfig(Dictionary<string, string> values, List<string> order, string source)
    {
        _values = values;
        _order = order;
        Source = source;
    }

    /// <summary>Where this came from (a path, or a built-in fragment's name).</summary>
    public string Source { get; }

    /// <summary>Symbols in first-assignment order.</summary>
    public IReadOnlyList<string> Symbols => _order;

    /// <summary>The raw value ("y", "m", "n", a number, a quoted string), or null when absent.</summary>
    public string? this[string symbol] => _values.GetValueOrDefault(StripPrefix(symbol));

    public bool Contains(string symbol) => _values.ContainsKey(StripPrefix(symbol));

    public static KernelConfig Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (IOException e)
        {
            throw new KernelConfigException($"{path}: cannot read kernel config: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KernelConfigException($"{path}: cannot read kernel config: {e.Message}");
        }
    }

    public static KernelConfig Parse(string text, string source)
    {
        var _values = new Dictionary<string, string>(StringComparer.Ordinal);
        var _order = new List<string>();
        var lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0)
                continue;
            string symbol, value;
            if (line.StartsWith('#'))
            {
                const string notSet = " is not set";
                var body = line.TrimStart('#').Trim();
                if (!body.StartsWith("CONFIG_", StringComparison.Ordinal) || !body.EndsWith(notSet, StringComparison.Ordinal))
                    continue; // an ordinary comment
                symbol = body[..^notSet.Length].Trim();
                value = "n";
            }
            else
            {
                var eq = line.IndexOf('=');
                if (!line.StartsWith("CONFIG_", StringComparison.Ordinal) || eq < 0)
                    throw new KernelConfigException($"{source}:{lineNo}: expected 'CONFIG_NAME=value' or '# CONFIG_NAME is not set', got '{line}'");
                symbol = line[..eq].Trim();
                value = line[(eq + 1)..].Trim();
                if (value.Length == 0)
                    throw new KernelConfigException($"{source}:{lineNo}: '{symbol}' has no value");
            }
            symbol = StripPrefix(symbol);
            if (symbol.Length == 0 || !symbol.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new KernelConfigException($"{source}:{lineNo}: '{symbol}' is not a Kconfig symbol name");
            if (!_values.ContainsKey(symbol))
                _order.Add(symbol);
            _values[symbol] = value;
        }
        return new KernelConfig(_values, _order, source);
    }

    /// <summary>Applies <paramref name="later"/> on top of this one (its assignments win).</summary>
    public KernelConfig Merge(KernelConfig later)
    {
        var merged = new Dictionary<string, string>(_values, StringComparer.Ordinal);
        var mergedOrder = new List<string>(_order);
        foreach (var symbol in later._order)
        {
            if (!merged.ContainsKey(symbol))
                mergedOrder.Add(symbol);
            merged[symbol] = later._values[symbol];
        }
        return new KernelConfig(merged, mergedOrder, $"{Source} + {later.Source}");
    }

    /// <summary>The assignments as Kconfig lines, in order (what gets appended to a .config).</summary>
    public string ToConfigText() => string.Concat(_order.Select(s =>
        _values[s] == "n" ? $"# CONFIG_{s} is not set\n" : $"CONFIG_{s}={_values[s]}\n"));

    static string StripPrefix(string symbol) =>
        symbol.StartsWith("CONFIG_", StringComparison.Ordinal) ? symbol["CONFIG_".Length..] : symbol;
}
