using System.Text;
using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>Tells the filter encodings apart and reads any of them.</summary>
public static class FilterFormats
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Bytes that are not text (NUL or other control bytes, or invalid UTF-8) are Binary; every real
    /// filter is, since RET's opcode is 0x06 or 0x16. Text is told apart by its first significant
    /// character after comments: a digit starts Comma (when a ',' follows the number) or Ddd, a '{'
    /// or a C declaration keyword starts CArray, anything else is bpf_asm source (whose statements
    /// start with a mnemonic, a label or a '.' directive, never a digit or a brace).
    /// </summary>
    public static FilterFormat Detect(ReadOnlySpan<byte> content)
    {
        if (LooksBinary(content))
            return FilterFormat.Binary;
        return DetectText(Decode(content));
    }

    public static Instruction[] Read(ReadOnlySpan<byte> content, AssembleOptions? options = null) =>
        Read(content, Detect(content), options);

    public static Instruction[] Read(ReadOnlySpan<byte> content, FilterFormat format, AssembleOptions? options = null) =>
        format == FilterFormat.Binary ? BinaryFilter.Read(content) : ReadText(Decode(content), format, options);

    public static Instruction[] ReadText(string text, FilterFormat format, AssembleOptions? options = null) => format switch
    {
        FilterFormat.CArray => CArrayReader.Read(text),
        FilterFormat.Comma => CommaReader.Read(text),
        FilterFormat.Ddd => DddReader.Read(text),
        FilterFormat.BpfAsm => Assembler.Assemble(text, options),
        FilterFormat.Binary => throw new ArgumentException("binary filters are bytes, not text", nameof(format)),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static FilterFormat DetectText(string text)
    {
        int i = SkipComments(text, 0);
        if (i >= text.Length)
            return FilterFormat.BpfAsm;
        char c = text[i];
        if (char.IsAsciiDigit(c))
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            while (i < text.Length && text[i] is ' ' or '\t' or '\r')
                i++;
            return i < text.Length && text[i] == ',' ? FilterFormat.Comma : FilterFormat.Ddd;
        }
        if (c == '{')
            return FilterFormat.CArray;
        int start = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            i++;
        return text[start..i] is "struct" or "static" or "const" ? FilterFormat.CArray : FilterFormat.BpfAsm;
    }

    static bool LooksBinary(ReadOnlySpan<byte> content)
    {
        foreach (byte b in content)
            if (b == 0x7f || (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v')))
                return true;
        try
        {
            StrictUtf8.GetCharCount(content);
            return false;
        }
        catch (DecoderFallbackException)
        {
            return true;
        }
    }

    static string Decode(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0xef, 0xbb, 0xbf]))
            content = content[3..];
        try
        {
            return StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new FilterSyntaxException("the filter text is not valid UTF-8");
        }
    }

    /// <summary>Skips whitespace and every comment style of the text formats: /* */, //, ; and # in column 1.</summary>
    static int SkipComments(string text, int i)
    {
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
                i++;
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if ((c == '/' && i + 1 < text.Length && text[i + 1] == '/') || c == ';' || (c == '#' && (i == 0 || text[i - 1] == '\n')))
            {
                int end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else
                return i;
        }
        return i;
    }
}
