namespace Conformance.Model.Text;

/// <summary>
/// A cursor over the number-list formats (C array, comma, tcpdump -ddd) that keeps the 1-based
/// line and column of every error.
/// </summary>
sealed class TextScanner(string text)
{
    int _pos;

    public int Line { get; private set; } = 1;
    public int Column { get; private set; } = 1;
    public bool AtEnd => _pos >= text.Length;
    public char Current => AtEnd ? '\0' : text[_pos];

    /// <summary>The cursor's state, to look ahead and come back.</summary>
    public (int Pos, int Line, int Column) Save() => (_pos, Line, Column);

    public void Restore((int Pos, int Line, int Column) state) => (_pos, Line, Column) = state;

    public void Advance()
    {
        if (text[_pos] == '\n') { Line++; Column = 1; }
        else Column++;
        _pos++;
    }

    /// <summary>Skips blanks; newlines too unless they separate records; C comments and # lines if asked.</summary>
    public void SkipBlanks(bool newlines = true, bool cComments = false)
    {
        while (!AtEnd)
        {
            char c = Current;
            if (c is ' ' or '\t' or '\r' or '\f' or '\v' || (newlines && c == '\n'))
                Advance();
            else if (cComments && c == '/' && Peek(1) == '*')
            {
                int line = Line, column = Column;
                int end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw new FilterSyntaxException(line, column, "comment is not closed with */");
                while (_pos < end + 2)
                    Advance();
            }
            else if (cComments && ((c == '/' && Peek(1) == '/') || (c == '#' && Column == 1)))
            {
                while (!AtEnd && Current != '\n')
                    Advance();
            }
            else
                return;
        }
    }

    public bool TryTake(char c)
    {
        if (Current != c || AtEnd)
            return false;
        Advance();
        return true;
    }

    public void Expect(char c, string context)
    {
        if (!TryTake(c))
            throw Error($"expected '{c}' {context}, found {Describe()}");
    }

    /// <summary>
    /// An unsigned integer: decimal only, or C syntax (0x hex, 0-led octal, U/L suffixes). A leading
    /// '-' is accepted when <paramref name="allowNegative"/> and wraps to 32 bits as a C initialiser would.
    /// </summary>
    public ulong Number(bool cSyntax, ulong max, string what, bool allowNegative = false)
    {
        int line = Line, column = Column;
        bool negative = allowNegative && TryTake('-');
        int start = _pos;
        int radix = 10;
        if (cSyntax && Current == '0' && Peek(1) is 'x' or 'X') { radix = 16; Advance(); Advance(); }
        else if (cSyntax && Current == '0' && char.IsAsciiDigit(Peek(1))) { radix = 8; Advance(); }
        int digits = _pos;
        ulong value = 0;
        bool overflow = false;
        while (!AtEnd && IsDigit(Current, radix))
        {
            value = value * (ulong)radix + (ulong)(Current <= '9' ? Current - '0' : (Current | 0x20) - 'a' + 10);
            overflow |= value > uint.MaxValue;
            Advance();
        }
        if (_pos == digits)
            throw new FilterSyntaxException(line, column, $"expected {what}, found {(start == _pos ? Describe() : $"'{text[start.._pos]}'")}");
        if (cSyntax)
            while (Current is 'u' or 'U' or 'l' or 'L')
                Advance();
        if (char.IsAsciiLetterOrDigit(Current) || Current == '_')
        {
            while (char.IsAsciiLetterOrDigit(Current) || Current == '_')
                Advance();
            throw new FilterSyntaxException(line, column, $"malformed number '{text[start.._pos]}' for {what}");
        }
        string lexeme = (negative ? "-" : "") + text[start.._pos];
        if (negative)
        {
            if (overflow || value > 0x80000000u)
                throw new FilterSyntaxException(line, column, $"{what} {lexeme} does not fit in 32 bits");
            return unchecked((uint)-(long)value);
        }
        if (overflow || value > max)
            throw new FilterSyntaxException(line, column, $"{what} {lexeme} is larger than {max}");
        return value;
    }

    public FilterSyntaxException Error(string reason) => new(Line, Column, reason);

    public string Describe() => AtEnd ? "end of input" : Current switch
    {
        '\n' => "end of line",
        var c when char.IsControl(c) => $"U+{(int)c:X4}",
        var c => $"'{c}'",
    };

    char Peek(int ahead) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';

    static bool IsDigit(char c, int radix) => radix switch
    {
        16 => char.IsAsciiHexDigit(c),
        8 => c is >= '0' and <= '7',
        _ => char.IsAsciiDigit(c),
    };
}
