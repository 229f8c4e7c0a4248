using Conformance.Machines.Protocol;

namespace Conformance.Tests.Protocol;

/// <summary>A damaged RSLZ is a protocol error naming what is wrong, never a wrong result.</summary>
public class ResultCompressionTests
{
    static readonly byte[] Rslt = Enumerable.Range(0, 300).Select(i => (byte)(i % 11)).ToArray();

    [Test]
    public void Round_trips() =>
        Assert.That(ResultCompression.Decompress(ResultCompression.Compress(Rslt)), Is.EqualTo(Rslt));

    [Test]
    public void A_length_word_that_claims_more_than_the_data_holds_is_refused()
    {
        var z = ResultCompression.Compress(Rslt);
        z[0]++;
        Assert.That(() => ResultCompression.Decompress(z), Throws.TypeOf<ProtocolDecodeException>().With.Message.Contains("301"));
    }

    [Test]
    public void A_length_word_that_claims_less_is_refused()
    {
        var z = ResultCompression.Compress(Rslt);
        z[0]--;
        Assert.That(() => ResultCompression.Decompress(z), Throws.TypeOf<ProtocolDecodeException>().With.Message.Contains("more than its 299"));
    }

    [Test]
    public void Data_that_is_not_deflate_is_refused()
    {
        byte[] z = [44, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff];
        Assert.That(() => ResultCompression.Decompress(z), Throws.TypeOf<ProtocolDecodeException>());
    }

    [Test]
    public void An_impossible_length_is_refused_before_allocating() =>
        Assert.That(() => ResultCompression.Decompress([0xff, 0xff, 0xff, 0x7f, 3, 0]),
            Throws.TypeOf<ProtocolDecodeException>().With.Message.Contains("more than a result can hold"));
}
