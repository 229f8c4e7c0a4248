namespace Conformance.Model.Bpf;

/// <summary>
/// The interpreter's own opcodes: one per behaviour, so the run loop is a single dense switch and
/// decisions that depend only on the program (K or X, reciprocal division, LEN) are made once at load.
/// </summary>
internal enum DecodedOp : byte
{
    LdImm, LdxImm, LdAbs, LdMem, LdxMem, St, Stx,
    AddK, AddX, SubK, SubX, MulK, MulX, DivK, DivX, DivKReciprocal, ModK, ModX,
    AndK, AndX, OrK, OrX, XorK, XorX, LshK, LshX, RshK, RshX, Neg,
    Tax, Txa,
    Ja, JeqK, JeqX, JgtK, JgtX, JgeK, JgeX, JsetK, JsetX,
    RetK, RetA,
}

/// <summary>One decoded instruction: jump targets are absolute, K already adjusted.</summary>
internal struct DecodedInsn
{
    public DecodedOp Op;
    public ushort True;
    public ushort False;
    public uint K;
}
