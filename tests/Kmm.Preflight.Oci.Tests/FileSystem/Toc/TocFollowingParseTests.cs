using System.Text;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Testing.Data;
using static Kmm.Preflight.Oci.Tests.FileSystem.Toc.TocSplitParseTests;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// A TOC is parsed while it is decompressed, following the writer: the result, and any error, must be exactly what a
/// parse of the whole gives, however the writing is cut, and a writer that stops must not leave the parser waiting.
/// </summary>
[NonParallelizable]
public class TocFollowingParseTests
{
    private int _margin;

    [SetUp]
    public void RememberMargin() => _margin = TocDocument.ReadMargin;

    [TearDown]
    public void RestoreMargin() => TocDocument.ReadMargin = _margin;

    [TestCase(16, false)]
    [TestCase(700, true)]
    [TestCase(64 * 1024, true)]
    public void TocReadWhileWrittenIsTheTocReadWhole(int margin, bool skipChunks)
    {
        TocDocument.ReadMargin = margin;
        var json = TocSplitParseTests.Toc(6000, i => i % 3 == 0 ? Chunk(i) : File(i));
        var followed = TocDocument.FollowedParses;
        var halves = TocDocument.SecondHalvesUsed;

        AssertSameAsWhole(json, skipChunks, stepSize: 10_000, untilFollowed: true);

        Assert.That(TocDocument.FollowedParses, Is.EqualTo(followed + 1), "the TOC was not read while written");
        Assert.That(TocDocument.SecondHalvesUsed, Is.GreaterThanOrEqualTo(halves));
    }

    [TestCase("zstd-chunked-kernel-head.json")]
    [TestCase("estargz-kernel-head.json")]
    public void RealTocHeadsReadWhileWrittenAreTheHeadsReadWhole(string file)
    {
        TocDocument.ReadMargin = 32;
        var json = System.IO.File.ReadAllBytes(Path.Combine(RepositoryTestData.Root, "toc", file));

        foreach (var step in new[] { 1, 7, 300 })
        {
            AssertSameAsWhole(json, skipChunks: false, step);
            AssertSameAsWhole(json, skipChunks: true, step);
        }
    }

    [Test]
    public void EntryLargerThanTheMarginIsReadOnceItIsAllWritten()
    {
        // An entry cut at the edge of what is written must be read again, not refused or kept cut.
        TocDocument.ReadMargin = 1024;
        var big = new string('x', 200_000);
        var json = TocSplitParseTests.Toc(3000, i => i == 1500 ? $$$"""{"type":"reg","name":"big","size":1,"offset":9,"endOffset":10,"xattrs":{"user.big":"{{{big}}}"}}""" : File(i));
        var followed = TocDocument.FollowedParses;

        var listing = AssertSameAsWhole(json, skipChunks: true, stepSize: 3000, untilFollowed: true);

        Assert.That(listing.Entries.Single(e => e.Name == "big").Index, Is.EqualTo(1500));
        Assert.That(TocDocument.FollowedParses, Is.EqualTo(followed + 1));
    }

    [TestCase(100)]
    [TestCase(2900)]
    public void ErrorNamesTheEntryAsAParseOfTheWholeDoes(int wrong)
    {
        TocDocument.ReadMargin = 512;
        var json = TocSplitParseTests.Toc(3000, i => i == wrong ? """{"type":"reg","size":1}""" : File(i));

        Assert.That(() => ParseWhileWritten(json, skipChunks: true, stepSize: 4000), Throws.TypeOf<TocInvalidException>().With.Message.EqualTo($"TOC entry {wrong} has no name"));
    }

    [TestCase("{\"entries\":[", "],\"version\":1}")]
    [TestCase("{\"version\":1,\"entries\":[", "],\"version\":2}")]
    [TestCase("{\"other\":[1,2],\"version\":1,\"entries\":[", "]}")]
    [TestCase("{\"version\":\"1\",\"entries\":[", "]}")]
    [TestCase("[{\"version\":1,\"entries\":[", "]}]")]
    public void HeadsAndTailsOfAnyShapeAreReadAsAWholeReadsThem(string head, string tail)
    {
        TocDocument.ReadMargin = 64;
        var entries = string.Join(',', Enumerable.Range(0, 500).Select(File));
        var json = Encoding.UTF8.GetBytes(head + entries + tail);

        var whole = TocOutcome.Of(() => TocDocument.Parse(json, LayerLimits.Default, skipChunks: true));
        var followed = TocOutcome.Of(() => ParseWhileWritten(json, skipChunks: true, stepSize: 200));

        Assert.That(followed.Error, Is.EqualTo(whole.Error));
        Assert.That(followed.Listing?.Entries, Is.EqualTo(whole.Listing?.Entries));
    }

    [Test]
    public void WriterThatStopsStopsTheParser()
    {
        TocDocument.ReadMargin = 1024;
        var json = TocSplitParseTests.Toc(3000, File);
        var buffer = new TocJsonBuffer(json.Length);
        var parse = buffer.Follow(() => TocDocument.ParseFollowing(buffer, json.Length, LayerLimits.Default));
        json.AsSpan(0, json.Length / 2).CopyTo(buffer.GetSpan());
        buffer.Advance(json.Length / 2);

        buffer.Abandon();

        Assert.That(() => parse.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
        buffer.Dispose();
    }

    [Test]
    public void DisposingTheBufferStopsAParserStillWaiting()
    {
        var buffer = new TocJsonBuffer(1 << 20);
        var parse = buffer.Follow(() => TocDocument.ParseFollowing(buffer, 1 << 20, LayerLimits.Default));
        "{\"version\":1,\"entries\":["u8.CopyTo(buffer.GetSpan());
        buffer.Advance(24);

        var disposed = Task.Run(buffer.Dispose);

        Assert.That(disposed.Wait(TimeSpan.FromSeconds(10)), Is.True, "Dispose waited for bytes that will never come");
        Assert.That(() => parse.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
    }

    private static TocListing AssertSameAsWhole(byte[] json, bool skipChunks, int stepSize, bool untilFollowed = false)
    {
        var whole = TocDocument.Parse(json, LayerLimits.Default, skipChunks);
        var followed = ParseWhileWritten(json, skipChunks, stepSize, untilFollowed);
        Assert.That(followed.Entries, Is.EqualTo(whole.Entries));
        Assert.That(followed.DataStarts, Is.EqualTo(whole.DataStarts));
        return followed;
    }

    // Written from this thread in steps of 1..stepSize bytes, with pauses, while the parser follows on its own. With
    // untilFollowed, the end is not declared before the parser has started on the entries: on a busy machine its thread
    // can otherwise start after the writing is over, find it all written and read it whole, which is right but not the
    // path under test.
    private static TocListing ParseWhileWritten(byte[] json, bool skipChunks, int stepSize, bool untilFollowed = false)
    {
        var followedBefore = TocDocument.FollowedParses;
        using var buffer = new TocJsonBuffer(json.Length);
        var parse = buffer.Follow(() => TocDocument.ParseFollowing(buffer, json.Length, LayerLimits.Default, skipChunks));
        var random = new Random(stepSize);
        var written = 0;
        while (written < json.Length)
        {
            var step = Math.Min(json.Length - written, random.Next(1, stepSize + 1));
            json.AsSpan(written, step).CopyTo(buffer.GetSpan()[written..]);
            written += step;
            buffer.Advance(written);
            if (random.Next(8) == 0)
            {
                Thread.Sleep(0);
            }
        }

        if (untilFollowed)
        {
            SpinWait.SpinUntil(() => TocDocument.FollowedParses > followedBefore || parse.IsCompleted, TimeSpan.FromSeconds(30));
        }

        buffer.Complete(written);
        return parse.GetAwaiter().GetResult();
    }
}
