using System.Buffers.Binary;
using System.Text;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>The untrusted parts of a TOC layer (annotations, footers, TOC JSON): bad input is a TocInvalidException naming the problem.</summary>
public sealed class TocParsingTests
{
    // The last 51 bytes of a layer written by ctr-remote 0.12 (stargz-snapshotter): TOC at 0x49686.
    private static readonly byte[] EstargzFooterFromCtrRemote = Convert.FromHexString(
        "1f8b08040000000000ff1a0053471600" + "30303030303030303030303439363836" + "53544152475a010000ffff0000000000" + "000000");

    // The last 40 bytes of a layer written by skopeo 1.9 (--dest-compress-format zstd:chunked): TOC 300524:726:3115:1.
    private static readonly byte[] ZstdChunkedFooterFromSkopeo = Convert.FromHexString(
        "ec95040000000000d6020000000000002b0c0000000000000100000000000000476e556c496e5578");

    private static readonly Digest SomeDigest = Digest.Sha256("toc"u8);

    [Test]
    public void EstargzFooterFromCtrRemoteGivesTheTocOffset()
    {
        Assert.That(EstargzFooter.Parse(EstargzFooterFromCtrRemote, 301296), Is.EqualTo((300678L, 51)));
    }

    [Test]
    public void LegacyEstargzFooterIsRead()
    {
        // 47 bytes: the extra field is the bare %016x + STARGZ, without the SG subfield header.
        var footer = new List<byte> { 0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 22, 0 };
        footer.AddRange(Encoding.ASCII.GetBytes("0000000000000400STARGZ"));
        footer.AddRange(new byte[] { 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 });

        Assert.That(EstargzFooter.Parse([.. footer], 5000), Is.EqualTo((1024L, 47)));
    }

    [Test]
    public void GarbledEstargzFooterIsInvalid()
    {
        var garbled = (byte[])EstargzFooterFromCtrRemote.Clone();
        garbled[34] = (byte)'X'; // inside "STARGZ"

        Assert.That(() => EstargzFooter.Parse(garbled, 301296), Throws.TypeOf<TocInvalidException>().With.Message.Contains("no eStargz footer"));
    }

    [Test]
    public void EstargzFooterPointingPastTheBlobIsInvalid()
    {
        Assert.That(() => EstargzFooter.Parse(EstargzFooterFromCtrRemote, 1000), Throws.TypeOf<TocInvalidException>().With.Message.Contains("outside the blob"));
    }

    [Test]
    public void ZstdChunkedFooterFromSkopeoMatchesItsAnnotations()
    {
        var location = new TocLocation(TocFormat.ZstdChunked, SomeDigest, 300524, 726, 3115, "io.containers.zstd-chunked.");

        Assert.That(() => ZstdChunkedFooter.Verify(ZstdChunkedFooterFromSkopeo, location), Throws.Nothing);
        Assert.That(() => ZstdChunkedFooter.Verify(ZstdChunkedFooterFromSkopeo, location with { Length = 727 }),
            Throws.TypeOf<TocInvalidException>().With.Message.Contains("footer says TOC 300524:726:3115:1"));
    }

    [Test]
    public void CurrentZstdChunkedFooterIsRead()
    {
        var footer = new byte[64];
        foreach (var (value, at) in new long[] { 1000, 200, 900, 1, 1200, 50, 400 }.Select((v, i) => (v, i * 8)))
        {
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(at), value);
        }

        "GNUlInUx"u8.CopyTo(footer.AsSpan(56));

        Assert.That(() => ZstdChunkedFooter.Verify(footer, new TocLocation(TocFormat.ZstdChunked, SomeDigest, 1000, 200, 900, "io.github.containers.zstd-chunked.")), Throws.Nothing);
        Assert.That(() => ZstdChunkedFooter.Verify(new byte[64], new TocLocation(TocFormat.ZstdChunked, SomeDigest, 1000, 200, 900, "x")),
            Throws.TypeOf<TocInvalidException>().With.Message.Contains("no zstd:chunked footer"));
    }

    [TestCase("io.containers.zstd-chunked.")]
    [TestCase("io.github.containers.zstd-chunked.")]
    public void BothZstdChunkedAnnotationFamiliesAreFound(string prefix)
    {
        var location = TocAnnotations.Find(Layer(new() { [prefix + "manifest-checksum"] = SomeDigest.ToString(), [prefix + "manifest-position"] = "300524:726:3115:1" }));

        Assert.That(location, Is.EqualTo(new TocLocation(TocFormat.ZstdChunked, SomeDigest, 300524, 726, 3115, prefix)));
    }

    [TestCase("300524:726:3115", "not offset:length:uncompressedLength:1")]
    [TestCase("300524:726:3115:2", "not offset:length:uncompressedLength:1")]
    [TestCase("-1:726:3115:1", "not offset:length:uncompressedLength:1")]
    [TestCase("999999999:726:3115:1", "outside the")]
    [TestCase("300524:0:3115:1", "outside the")]
    public void MalformedManifestPositionIsInvalid(string position, string message)
    {
        var layer = Layer(new() { ["io.containers.zstd-chunked.manifest-checksum"] = SomeDigest.ToString(), ["io.containers.zstd-chunked.manifest-position"] = position });

        Assert.That(() => TocAnnotations.Find(layer), Throws.TypeOf<TocInvalidException>().With.Message.Contains(message));
    }

    [TestCase("md5:abc")]
    [TestCase("sha256:XYZ")]
    [TestCase("sha512:" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void TocDigestThatIsNotSha256IsInvalid(string digest)
    {
        Assert.That(() => TocAnnotations.Find(Layer(new() { [TocAnnotations.EstargzTocDigest] = digest })),
            Throws.TypeOf<TocInvalidException>().With.Message.Contains("not a sha256 digest"));
    }

    [Test]
    public void PlainLayerHasNoToc()
    {
        Assert.That(TocAnnotations.Find(Layer([])), Is.Null);
    }

    [Test]
    public void TocEntriesAreParsed()
    {
        var entries = TocDocument.Parse(Json("""
            {"version":1,"entries":[
              {"type":"dir","name":"opt/","mode":493},
              {"type":"reg","name":"opt/a","mode":420,"size":3,"digest":"sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4","offset":128,"endOffset":144},
              {"type":"chunk","name":"opt/a","offset":144,"chunkType":"zeros"},
              {"type":"symlink","name":"opt/l","linkName":"a","mode":511}]}
            """), LayerLimits.Default);

        // The chunk is not an entry of its own: its offset is folded into the file it follows, and counted as a start.
        Assert.That(entries.Entries.Select(e => (e.Index, e.Name, e.Type, e.Size, e.LinkName, e.Mode, e.Offset, e.EndOffset, e.LastChunkOffset)), Is.EqualTo(new[]
        {
            (0, "opt/", "dir", 0L, "", 493, 0L, 0L, 0L),
            (1, "opt/a", "reg", 3L, "", 420, 128L, 144L, 144L),
            (3, "opt/l", "symlink", 0L, "a", 511, 0L, 0L, 0L),
        }));
        Assert.That(entries.DataStarts, Is.EqualTo(new[] { 128L, 144L }));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("""{"entries":{}}""", "no \"entries\" array")]
    [TestCase("""{"version":2,"entries":[]}""", "version 2")]
    [TestCase("""{"entries":[1]}""", "is not an object")]
    [TestCase("""{"entries":[{"type":"reg"}]}""", "has no name")]
    [TestCase("""{"entries":[{"name":"a","type":"reg","size":"3"}]}""", "wrong type")]
    [TestCase("""{"entries":[{"name":"a","type":"reg","size":-3}]}""", "negative size")]
    [TestCase("""{"entries":[{"name":"a","type":"reg","size":3,"digest":"sha256:nothex"}]}""", "not a sha256 digest")]
    [TestCase("""{"entries":[{"name":"a","type":"chunk","chunkType":"holes"}]}""", "unknown chunk type")]
    public void MalformedTocIsInvalid(string json, string message)
    {
        Assert.That(() => TocDocument.Parse(Json(json), LayerLimits.Default), Throws.TypeOf<TocInvalidException>().With.Message.Contains(message));
    }

    [Test]
    public void TocBeyondTheLimitsIsInvalid()
    {
        var three = Json("""{"entries":[{"name":"a","type":"dir"},{"name":"b","type":"dir"},{"name":"c","type":"dir"}]}""");
        var longName = Json($$"""{"entries":[{"name":"{{new string('a', 5000)}}","type":"dir"}]}""");

        Assert.That(() => TocDocument.Parse(three, LayerLimits.Default with { MaxEntries = 2 }), Throws.TypeOf<TocInvalidException>().With.Message.Contains("more than 2 entries"));
        Assert.That(() => TocDocument.Parse(longName, LayerLimits.Default), Throws.TypeOf<TocInvalidException>().With.Message.Contains("longer than 4096"));
    }

    [Test]
    public void FileWithDataButNoDigestMakesTheTocUnusable()
    {
        var entries = TocDocument.Parse(Json("""{"entries":[{"name":"a","type":"reg","size":3,"offset":10,"endOffset":20}]}"""), LayerLimits.Default);

        Assert.That(() => TocIndexBuilder.Build(SomeDigest, TocFormat.ZstdChunked, entries, 100, 0), Throws.TypeOf<TocInvalidException>().With.Message.Contains("no digest"));
    }

    [Test]
    public void FileRangeOutsideTheDataIsInvalid()
    {
        var entries = TocDocument.Parse(Json("""{"entries":[{"name":"a","type":"reg","size":3,"offset":10,"endOffset":200,"digest":"sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"}]}"""), LayerLimits.Default);

        Assert.That(() => TocIndexBuilder.Build(SomeDigest, TocFormat.ZstdChunked, entries, 100, 0), Throws.TypeOf<TocInvalidException>().With.Message.Contains("outside the layer's data"));
    }

    [Test]
    public void EstargzFileEndsWhereTheMemberAfterItsLastChunkBegins()
    {
        // a: three chunks in members at 10, 40 and 70; b: one member at 90; the TOC at 120. a's range covers all of its
        // members (up to b's), b's runs to the TOC. The chunks come in a different order than their offsets on purpose.
        const string Sha = "sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";
        var listing = TocDocument.Parse(Json($$"""
            {"entries":[
              {"name":"a","type":"reg","size":30,"offset":10,"digest":"{{Sha}}"},
              {"name":"a","type":"chunk","offset":70,"chunkOffset":20},
              {"name":"a","type":"chunk","offset":40,"chunkOffset":10},
              {"name":"d","type":"dir"},
              {"name":"b","type":"reg","size":5,"offset":90,"digest":"{{Sha}}"}]}
            """), LayerLimits.Default);

        var toc = TocIndexBuilder.Build(SomeDigest, TocFormat.Estargz, listing, 120, 0).Toc;

        Assert.That(toc.Files.Select(f => (f.Path, f.Start, f.End)), Is.EqualTo(new[] { ("a", 10L, 90L), ("b", 90L, 120L) }));
    }

    [Test]
    public void EstargzChunkInsideASharedMemberMakesTheTocUnusable()
    {
        var listing = TocDocument.Parse(Json("""
            {"entries":[
              {"name":"a","type":"reg","size":30,"offset":10,"digest":"sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"},
              {"name":"a","type":"chunk","offset":10,"innerOffset":12,"chunkOffset":20}]}
            """), LayerLimits.Default);

        Assert.That(() => TocIndexBuilder.Build(SomeDigest, TocFormat.Estargz, listing, 120, 0), Throws.TypeOf<TocInvalidException>().With.Message.Contains("shared gzip member"));
    }

    private static Descriptor Layer(Dictionary<string, string> annotations) => new()
    {
        MediaType = MediaType.OciLayerZstd,
        Digest = SomeDigest,
        Size = 301298,
        Annotations = annotations,
    };

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
