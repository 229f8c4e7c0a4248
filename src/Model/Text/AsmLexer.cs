namespace Conformance.Model.Text;

/// <summary>
/// Splits bpf_asm text into tokens the way tools/bpf/bpf_exp.l does: newlines are plain whitespace,
/// comments are <c>/* */</c>, <c>;</c> to end of line and whole lines starting with <c>#</c> in the
/// first column; numbers are 0x hex, 0b binary, 0-led octal or decimal.
/// Deliberate differences: a number running into letters ("08", "12ab") is an error instead of two
/// tokens, a number above 32 bits is an error instead of being truncated, and a comment ends at the
/// first <c>*/</c>.
/// </summary>
sealed class AsmLexer(string text)
{
    int _pos, _line = 1, _column = 1;

    public AsmToken Next()
    {
        SkipBlanks();
        if (_pos >= text.Length)
            return new AsmToken(AsmTokenKind.End, "", 0, _line, _column);

        int line = _line, column = _column;
        char c = text[_pos];
        if (char.IsAsciiDigit(c))
            return LexNumber(line, column);
        if (IsWordStart(c))
        {
            int start = _pos;
            while (_pos < text.Length && IsWordPart(text[_pos]))
                Advance();
            return new AsmToken(AsmTokenKind.Word, text[start.._pos], 0, line, column);
        }
        if ("[](),:#%+-*&.".Contains(c))
        {
            Advance();
            return new AsmToken(AsmTokenKind.Punct, c.ToString(), 0, line, column);
        }
        throw new FilterSyntaxException(line, column, $"unexpected character {Quote(c)}");
    }

    void SkipBlanks()
    {
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v')
                Advance();
            else if (c == ';' || (c == '#' && _column == 1))
                SkipToEndOfLine();
            else if (c == '/' && Peek(1) == '*')
                SkipBlockComment();
            else
                return;
        }
    }

    void SkipToEndOfLine()
    {
        while (_pos < text.Length && text[_pos] != '\n')
            Advance();
    }

    void SkipBlockComment()
    {
        int line = _line, column = _column;
        int end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
        if (end < 0)
            throw new FilterSyntaxException(line, column, "comment is not closed with */");
        while (_pos < end + 2)
            Advance();
    }

    AsmToken LexNumber(int line, int column)
    {
        int start = _pos;
        int radix = 10;
        if (text[_pos] == '0' && Peek(1) is 'x' or 'X' && IsDigitIn(Peek(2), 16)) { radix = 16; Advance(); Advance(); }
        else if (text[_pos] == '0' && Peek(1) is 'b' or 'B' && IsDigitIn(Peek(2), 2)) { radix = 2; Advance(); Advance(); }
        else if (text[_pos] == '0' && IsDigitIn(Peek(1), 8)) { radix = 8; Advance(); }

        int digitsStart = _pos;
        while (_pos < text.Length && IsDigitIn(text[_pos], radix))
            Advance();
        int digitsEnd = _pos;
        while (_pos < text.Length && IsWordPart(text[_pos]))
            Advance();
        string lexeme = text[start.._pos];
        if (digitsEnd != _pos)
            throw new FilterSyntaxException(line, column, $"malformed number '{lexeme}'");
        if (radix == 10 && lexeme.Length > 1 && lexeme[0] == '0')
            throw new FilterSyntaxException(line, column, $"malformed number '{lexeme}' (a leading 0 means octal)");

        ulong value = 0;
        foreach (char d in text.AsSpan(digitsStart, digitsEnd - digitsStart))
        {
            value = value * (ulong)radix + (ulong)HexValue(d);
            if (value > uint.MaxValue)
                throw new FilterSyntaxException(line, column, $"number {lexeme} does not fit in 32 bits");
        }
        return new AsmToken(AsmTokenKind.Number, lexeme, (uint)value, line, column);
    }

    char Peek(int ahead) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';

    void Advance()
    {
        if (text[_pos] == '\n') { _line++; _column = 1; }
        else _column++;
        _pos++;
    }

    static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c == '_';
    static bool IsWordPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    static bool IsDigitIn(char c, int radix) => radix switch
    {
        16 => char.IsAsciiHexDigit(c),
        10 => char.IsAsciiDigit(c),
        8 => c is >= '0' and <= '7',
        _ => c is '0' or '1',
    };

    static int HexValue(char d) => d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10;

    static string Quote(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
