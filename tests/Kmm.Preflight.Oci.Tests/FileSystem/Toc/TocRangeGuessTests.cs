using System.Text;
using System.Text.Json;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// The range of a looked-up file, guessed from the raw TOC to fetch it while the TOC is parsed, must be the one the
/// parsed TOC gives for real TOCs (else the fetch is wasted), and no guess at all when the bytes leave any doubt.
/// </summary>
public class TocRangeGuessTests
{
    private static readonly Digest SomeLayer = Digest.Parse("sha256:" + new string('a', 64));

    [TestCase("estargz-kernel-head.json", "estargz", false)]
    [TestCase("estargz-kernel-head.json", "estargz", true)]
    [TestCase("zstd-chunked-kernel-head.json", "zstd-chunked", false)]
    [TestCase("zstd-chunked-kernel-head.json", "zstd-chunked", true)]
    public void GuessIsTheParsedRangeForEveryFileOfARealToc(string file, string formatName, bool indented)
    {
        var format = formatName == "estargz" ? TocFormat.Estargz : TocFormat.ZstdChunked;

        // The heads are compact; ctr-remote writes its TOC indented with tabs, which the search must see through.
        var json = File.ReadAllBytes(Path.Combine(RepositoryTestData.Root, "toc", file));
        if (indented)
        {
            json = Indent(json);
        }

        var listing = TocDocument.Parse(json, LayerLimits.Default, skipChunks: format == TocFormat.ZstdChunked);
        var dataEnd = listing.Entries.Max(e => Math.Max(e.EndOffset, e.LastChunkOffset)) + 1000;
        var toc = TocIndexBuilder.Build(SomeLayer, format, listing, dataEnd, 0).Toc;
        var files = toc.Files.Where(f => f.Size > 0).ToList();

        Assert.That(files, Has.Count.GreaterThan(5));
        foreach (var range in files)
        {
            // A large file is not fetched ahead: a wrong guess would cost too much.
            (long, long)? expected = range.End - range.Start <= TocRangeGuess.MaxBytes ? (range.Start, range.End) : null;
            Assert.That(TocRangeGuess.Find(json, range.Path, format, dataEnd), Is.EqualTo(expected), range.Path);
        }
    }

    [TestCase("no/such/file")]
    [TestCase("a/link-target")]
    [TestCase("a/dir")]
    [TestCase("a/empty")]
    [TestCase("a/shared")]
    [TestCase("a/<escaped>")]
    [TestCase("")]
    public void NoGuessWhenTheBytesLeaveDoubt(string path)
    {
        // A name only seen as a link target, a directory, an empty file, one whose chunk shares a gzip member, and a
        // name Go writes escaped: none is guessed.
        var json = Encoding.UTF8.GetBytes("""
            {"version":1,"entries":[
            {"name":"a/dir","type":"dir"},
            {"name":"a/link","type":"symlink","linkName":"a/link-target"},
            {"name":"a/empty","type":"reg","size":0},
            {"name":"a/shared","type":"reg","size":10,"offset":100},
            {"name":"a/shared","type":"chunk","offset":100,"innerOffset":5,"chunkOffset":5},
            {"name":"a/\u003cescaped\u003e","type":"reg","size":10,"offset":200},
            {"name":"a/next","type":"reg","size":10,"offset":300}]}
            """);

        Assert.That(TocRangeGuess.Find(json, path, TocFormat.Estargz, 1000), Is.Null);
    }

    [Test]
    public void EstargzFileEndsWhereTheNextEntryWithDataBeginsPastItsChunks()
    {
        var json = Encoding.UTF8.GetBytes("""
            {"version":1,"entries":[
            {"name":"f","type":"reg","size":10,"offset":100},
            {"name":"f","type":"chunk","offset":150,"chunkOffset":5},
            {"name":"d","type":"dir"},
            {"name":"g","type":"reg","size":10,"offset":220},
            {"name":"h","type":"reg","size":10,"offset":300}]}
            """);

        Assert.That(TocRangeGuess.Find(json, "f", TocFormat.Estargz, 1000), Is.EqualTo(((long, long)?)(100, 220)));
        Assert.That(TocRangeGuess.Find(json, "h", TocFormat.Estargz, 1000), Is.EqualTo(((long, long)?)(300, 1000)));
    }

    private static byte[] Indent(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
