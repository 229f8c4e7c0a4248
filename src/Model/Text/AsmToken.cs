namespace Conformance.Model.Text;

enum AsmTokenKind { Word, Number, Punct, End }

/// <summary>
/// One lexeme of bpf_asm text. Numbers are unsigned here: a leading '-' or '+' is its own token so
/// that <c>[x+5]</c> reads as the offset expression it looks like (bpf_asm's lexer takes "+5" as a
/// signed number there and then fails to parse).
/// </summary>
readonly record struct AsmToken(AsmTokenKind Kind, string Text, uint Number, int Line, int Column)
{
    public bool IsPunct(char c) => Kind == AsmTokenKind.Punct && Text[0] == c;

    public bool IsWord(string word) =>
        Kind == AsmTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        AsmTokenKind.End => "end of input",
        AsmTokenKind.Number => $"number {Text}",
        _ => $"'{Text}'",
    };
}
