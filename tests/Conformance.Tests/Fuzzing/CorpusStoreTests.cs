using Conformance.Fuzzing;
using Conformance.Fuzzing.Corpus;
using Conformance.Fuzzing.Verdicts;

namespace Conformance.Tests.Fuzzing;

public class CorpusStoreTests
{
    string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("corpus-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Entries_are_named_by_content_so_two_shards_merge_without_locks()
    {
        var a = new CorpusStore(_dir, ".stack");
        var b = new CorpusStore(_dir, ".stack");
        Assert.That(a.Add("one\n"), Is.True);
        Assert.That(b.Add("one\n"), Is.True, "b had not seen it: it writes the same file under the same name");
        Assert.That(b.Add("two\n"), Is.True);
        Assert.That(new CorpusStore(_dir, ".stack").ReadAll(), Is.EquivalentTo(new[] { "one\n", "two\n" }));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(2), "no temporary file is left behind");
    }

    [Test]
    public void The_store_is_bounded()
    {
        var s = new CorpusStore(_dir, ".stack", capacity: 3);
        for (int i = 0; i < 10; i++) s.Add($"entry {i}");
        Assert.That(s.Count, Is.EqualTo(3));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(3));
    }

    [Test]
    public void A_stack_round_trips_through_corpus_text_and_damaged_text_is_skipped()
    {
        var source = new StackSource(new ConstantPool(FuzzArch.For("x86_64")), []);
        var rng = new FuzzRandom(1);
        for (int i = 0; i < 200; i++)
        {
            var stack = source.Next(rng);
            var back = FilterStack.FromCorpusText(stack.ToCorpusText());
            Assert.That(back!.ToCorpusText(), Is.EqualTo(stack.ToCorpusText()));
        }
        Assert.That(FilterStack.FromCorpusText("not hex\n"), Is.Null);
        Assert.That(FilterStack.FromCorpusText(""), Is.Null);
    }
}
