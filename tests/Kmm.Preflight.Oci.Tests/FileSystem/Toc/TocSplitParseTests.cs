using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// A large TOC is parsed on two threads from a guessed entry boundary: the result, and any error, must be exactly
/// what one pass gives, whatever the guess hits.
/// </summary>
public class TocSplitParseTests
{
    private const string Sha = "sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";

    [Test]
    public void LargeTocParsesTheSameOnTwoThreads()
    {
        var json = Toc(4000, i => i % 3 == 0 ? Chunk(i) : File(i));
        var before = TocDocument.SecondHalvesUsed;

        AssertSameAsOnePass(json);

        Assert.That(TocDocument.SecondHalvesUsed, Is.EqualTo(before + 1), "the second half was not used");
    }

    [TestCase(",\n\t\t")]
    [TestCase(" ,\r\n ")]
    public void IndentedTocIsSplitToo(string separator)
    {
        // ctr-remote writes its eStargz TOC indented with tabs and newlines between the entries.
        var json = Toc(4000, i => i % 3 == 0 ? Chunk(i) : File(i), separator: separator);
        var before = TocDocument.SecondHalvesUsed;

        AssertSameAsOnePass(json);

        Assert.That(TocDocument.SecondHalvesUsed, Is.EqualTo(before + 1), "the second half was not used");
    }

    [Test]
    public void BoundaryGuessInsideANameIsNotTrusted()
    {
        // Names ending in "},{" put the guessed boundary inside a string all over the second half.
        var json = Toc(4000, i => $$"""{"type":"reg","name":"dir/f{{i}}},{","size":1,"offset":{{(i * 10) + 100}},"endOffset":{{(i * 10) + 105}},"digest":"{{Sha}}"}""");
        var before = TocDocument.SecondHalvesUsed;

        AssertSameAsOnePass(json);

        Assert.That(TocDocument.SecondHalvesUsed, Is.EqualTo(before), "a second half that began inside a name was used");
    }

    [Test]
    public void ChunksRightAfterTheBoundaryAreFoldedIntoTheFileBeforeIt()
    {
        // Every file is followed by chunks, so the second half begins with chunks of the first half's last file.
        var json = Toc(6000, i => i % 4 == 0 ? File(i) : Chunk(i));

        var before = TocDocument.SecondHalvesUsed;

        var listing = AssertSameAsOnePass(json);

        Assert.That(TocDocument.SecondHalvesUsed, Is.EqualTo(before + 1), "the second half was not used");
        Assert.That(listing.Entries.All(e => e.LastChunkOffset == e.Offset + 30), Is.True);
    }

    [Test]
    public void ErrorInTheSecondHalfNamesTheEntryAsOnePassDoes()
    {
        var json = Toc(4000, i => i == 3500 ? """{"type":"reg","size":1}""" : File(i));

        Assert.That(() => TocDocument.Parse(json, LayerLimits.Default), Throws.TypeOf<TocInvalidException>().With.Message.EqualTo("TOC entry 3500 has no name"));
    }

    [Test]
    public void IndexBuiltInTwoHalvesEqualsOnePass()
    {
        var json = Toc(5000, i => (i % 5) switch
        {
            0 => $$"""{"type":"dir","name":"lib/modules/6.1.0/kernel/d{{i}}/"}""",
            1 => Chunk(i),
            2 => $$"""{"type":"symlink","name":"lib/l{{i}}","linkName":"../x"}""",
            3 => $$"""{"type":"hardlink","name":"lib/h{{i}}","linkName":"lib/modules/6.1.0/kernel/drivers/module-{{i - 4}}.ko"}""",
            _ => File(i),
        });
        var listing = TocDocument.Parse(json, LayerLimits.Default);

        var split = TocIndexBuilder.Build(SomeLayer, TocFormat.Estargz, listing, 10_000_000, 0);
        var threshold = TocIndexBuilder.ParallelThreshold;
        TocIndexBuilder.ParallelThreshold = int.MaxValue;
        try
        {
            var single = TocIndexBuilder.Build(SomeLayer, TocFormat.Estargz, listing, 10_000_000, 0);

            Assert.That(split.Index.Entries, Is.EqualTo(single.Index.Entries));
            Assert.That(split.Toc.Files, Is.EqualTo(single.Toc.Files));
            Assert.That(split.Index.UncompressedSize, Is.EqualTo(single.Index.UncompressedSize));
            Assert.That(split.Index.Entries.Count(e => e.Kind == LayerEntryKind.Hardlink && e.DataOffset >= 0), Is.GreaterThan(500), "hard links across the halves were not resolved");
        }
        finally
        {
            TocIndexBuilder.ParallelThreshold = threshold;
        }
    }

    [Test]
    public void IndexErrorInBothHalvesIsTheFirstAsOnePassReportsIt()
    {
        var json = Toc(5000, i => i is 1200 or 4000 ? $$"""{"type":"weird{{i}}","name":"x{{i}}"}""" : File(i));
        var listing = TocDocument.Parse(json, LayerLimits.Default);

        Assert.That(() => TocIndexBuilder.Build(SomeLayer, TocFormat.ZstdChunked, listing, 10_000_000, 0), Throws.TypeOf<TocInvalidException>().With.Message.Contains("TOC entry 1200 ('x1200') has unknown type 'weird1200'"));
    }

    [TestCase(",\"version\":1}", null)]
    [TestCase(",\"version\":2}", "version 2")]
    [TestCase(" }", null)]
    [TestCase(",}", "not valid JSON")]
    [TestCase("]}", "not valid JSON")]
    public void WhatFollowsTheEntriesIsRead(string tail, string? error)
    {
        var json = Toc(4000, File, tail);

        if (error is null)
        {
            AssertSameAsOnePass(json);
        }
        else
        {
            Assert.That(() => TocDocument.Parse(json, LayerLimits.Default), Throws.TypeOf<TocInvalidException>().With.Message.Contains(error));
            Assert.That(() => TocDocument.Parse(json, LayerLimits.Default, splitAllowed: false), Throws.TypeOf<TocInvalidException>().With.Message.Contains(error));
        }
    }

    [Test]
    public void EntryLimitCountsBothHalves()
    {
        var json = Toc(4000, File);

        Assert.That(() => TocDocument.Parse(json, LayerLimits.Default with { MaxEntries = 3999 }), Throws.TypeOf<TocInvalidException>().With.Message.Contains("more than 3999 entries"));
    }

    [Test]
    public void SkippingZstdChunkedChunksGivesTheSameFilesAndIndex()
    {
        // Chunks with every kind of value a skip must step over: nested objects and arrays, escaped quotes and braces.
        var json = Toc(4000, i => (i % 3) switch
        {
            0 => File(i),
            1 => Chunk(i),
            _ => """{"type":"chunk","name":"a\"}{[\\","offset":5,"chunkType":"zeros","x":{"y":[1,{"z":"]}"}]}}""",
        });

        var skipped = TocDocument.Parse(json, LayerLimits.Default, skipChunks: true);
        var read = TocDocument.Parse(json, LayerLimits.Default, skipChunks: false, splitAllowed: false);
        var fromSkipped = TocIndexBuilder.Build(SomeLayer, TocFormat.ZstdChunked, skipped, 10_000_000, 0);
        var fromRead = TocIndexBuilder.Build(SomeLayer, TocFormat.ZstdChunked, read, 10_000_000, 0);

        Assert.That(skipped.Entries.Select(e => (e.Index, e.Name, e.Type, e.Offset, e.EndOffset, e.Digest)), Is.EqualTo(read.Entries.Select(e => (e.Index, e.Name, e.Type, e.Offset, e.EndOffset, e.Digest))));
        Assert.That(fromSkipped.Toc.Files, Is.EqualTo(fromRead.Toc.Files));
        Assert.That(fromSkipped.Index.Entries, Is.EqualTo(fromRead.Index.Entries));
    }

    [TestCase("""{"type":"chunk","name":"a","chunkType":"holes"}""", "unknown chunk type 'holes'")]
    [TestCase("""{"type":"chunk","name":"a\"}""", "not valid JSON")]
    [TestCase("""{"type":"chunk","name":"a","x":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}""", "deeper than")]
    public void SkippedChunksAreStillChecked(string chunk, string message)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"entries":[{{File(0)}},{{chunk}}]}""");

        Assert.That(() => TocDocument.Parse(json, LayerLimits.Default, skipChunks: true), Throws.TypeOf<TocInvalidException>().With.Message.Contains(message));
    }

    [Test]
    public void SkippedChunksCountTowardsTheEntryLimit()
    {
        var json = Toc(10, i => i == 0 ? File(i) : Chunk(i));

        Assert.That(() => TocDocument.Parse(json, LayerLimits.Default with { MaxEntries = 9 }, skipChunks: true), Throws.TypeOf<TocInvalidException>().With.Message.Contains("more than 9 entries"));
    }

    private static readonly Kmm.Preflight.Oci.References.Digest SomeLayer = Kmm.Preflight.Oci.References.Digest.Parse(Sha);

    private static TocListing AssertSameAsOnePass(byte[] json)
    {
        Assert.That(json, Has.Length.GreaterThan(256 * 1024), "the TOC must be large enough to be split");
        var split = TocDocument.Parse(json, LayerLimits.Default);
        var single = TocDocument.Parse(json, LayerLimits.Default, splitAllowed: false);
        Assert.That(split.Entries, Is.EqualTo(single.Entries));
        Assert.That(split.DataStarts, Is.EqualTo(single.DataStarts));
        return split;
    }

    internal static string File(int i) =>
        $$"""{"type":"reg","name":"lib/modules/6.1.0/kernel/drivers/module-{{i}}.ko","mode":420,"size":100,"modtime":"2024-01-01T00:00:00Z","accesstime":"0001-01-01T00:00:00Z","digest":"{{Sha}}","offset":{{(i * 100) + 100}},"endOffset":{{(i * 100) + 150}},"chunkSize":50,"chunkDigest":"{{Sha}}"}""";

    internal static string Chunk(int i) =>
        $$"""{"type":"chunk","name":"lib/modules/6.1.0/kernel/drivers/module-{{i}}.ko","offset":{{(i * 100) + 130 - ((i % 4) * 100)}},"chunkSize":50,"chunkOffset":50,"chunkDigest":"{{Sha}}"}""";

    internal static byte[] Toc(int count, Func<int, string> entry, string tail = "}", string separator = ",")
    {
        var text = new StringBuilder("{\"version\":1,\"entries\":[");
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? string.Empty : separator).Append(entry(i));
        }

        return Encoding.UTF8.GetBytes(text.Append(']').Append(tail).ToString());
    }
}
