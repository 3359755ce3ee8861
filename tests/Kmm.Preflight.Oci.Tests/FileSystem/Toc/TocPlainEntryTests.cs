using System.Text;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// Entries written plainly are read without the JSON reader; everything else must fall back to it, so that both ways
/// give the same entries, or refuse with the same message, for whatever an entry holds.
/// </summary>
public class TocPlainEntryTests
{
    private const string Sha = "sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";

    [TestCase("""{"type":"reg","name":"lib/a.ko","mode":420,"size":100,"modtime":"2024-01-01T00:00:00Z","digest":"SHA","offset":100,"endOffset":150,"chunkSize":50}""")]
    [TestCase("""{ "type" : "reg" ,	"name":"a" ,"size": 1 }""")]
    [TestCase("""{"type":"reg","name":"a","size":01}""")]
    [TestCase("""{"type":"reg","name":"a","size":-01}""")]
    [TestCase("""{"type":"reg","name":"a","size":1.0}""")]
    [TestCase("""{"type":"reg","name":"a","size":1e3}""")]
    [TestCase("""{"type":"reg","name":"a","size":"1"}""")]
    [TestCase("""{"type":"reg","name":"a","size":123456789012345678}""")]
    [TestCase("""{"type":"reg","name":"a","size":1234567890123456789}""")]
    [TestCase("""{"type":"reg","name":"a","size":12345678901234567890}""")]
    [TestCase("""{"type":"reg","name":"a","size":-1}""")]
    [TestCase("""{"type":"reg","name":"a","mode":-0}""")]
    [TestCase("""{"type":"reg","name":"a","size":-}""")]
    [TestCase("""{"type":"reg","name":"caf\u00e9"}""")]
    [TestCase("""{"type":"reg","name":"café"}""")]
    [TestCase("""{"type":"reg","name":"a	b"}""")]
    [TestCase("""{"type":"reg","name":"a~"}""")]
    [TestCase("""{"type":"reg","name":"a","x":null}""")]
    [TestCase("""{"type":null,"name":"a"}""")]
    [TestCase("""{"type":"reg","name":"a","name":"b"}""")]
    [TestCase("""{"name":"a","type":"chunk","offset":5}""")]
    [TestCase("""{"type":"chunk","name":"a","offset":5,"chunkType":"zeros"}""")]
    [TestCase("""{"type":"chunk","name":"a","offset":5,"chunkType":"holes"}""")]
    [TestCase("""{"type":"reg","name":"a","digest":"sha256:ABC"}""")]
    [TestCase("""{"type":"reg","name":"a","digest":"md5:00"}""")]
    [TestCase("""{"type":"reg","name":"a","digest":""}""")]
    [TestCase("""{"type":"reg","name":"a","digest":7}""")]
    [TestCase("""{"type":"reg","name":5}""")]
    [TestCase("""{"type":5,"name":"a"}""")]
    [TestCase("""{"type":"reg","name":"a","linkName":""}""")]
    [TestCase("""{"type":"symlink","name":"a","linkName":"b/c"}""")]
    [TestCase("""{"type":"symlink","name":"a","linkName":3}""")]
    [TestCase("""{"type":"weird","name":"a"}""")]
    [TestCase("""{"type":"reg","name":"a",}""")]
    [TestCase("""{"type":"reg","name":"a" "size":1}""")]
    [TestCase("""{"type":"reg","name":"a","size":1""")]
    [TestCase("""{}""")]
    [TestCase("""{"type":"reg"}""")]
    [TestCase("""{"name":"a"}""")]
    [TestCase("""{"type":"reg","name":"a","xattrs":{"user.k":"v"}}""")]
    [TestCase("""{"type":"reg","name":"a","tags":[1,2]}""")]
    [TestCase("""{"type":"reg","name":"a","ok":true}""")]
    [TestCase("""{"type":"reg","name":"a"}/* */""")]
    [TestCase("""{"type":"reg","n\u0061me":"a","name":"b"}""")]
    [TestCase("""{"type":"reg","name":"a}b","size":1}""")]
    [TestCase("""{"type":"reg","name":"a}","size":1,"digest":"SHA"}""")]
    [TestCase("""{"type":"reg","name":"a}\u0062","size":1}""")]
    [TestCase("""{"type":"reg","name":"a\"}b","size":1}""")]
    [TestCase("""{"type":"reg","name":"é}","size":1}""")]
    [TestCase("""{"type":"reg","name":"a~}","linkName":"}"}""")]
    [TestCase("{\n\t\"type\": \"reg\",\n\t\"name\": \"a\",\n\t\"size\": 1\n}")]
    [TestCase("{\n\t\"type\": \"reg\",\n\t\"name\": \"a\nb\",\n\t\"size\": 1\n}")]
    [TestCase("{\"type\":\"reg\",\"name\":\"a\rb\",\"size\":1}")]
    [TestCase("{\"type\":\"reg\",\r\n\"name\":\"a\tb\",\"size\":1}")]
    [TestCase("{\"type\":\"reg\",\"name\":\"a\u007fb\",\"size\":1}")]
    public void PlainReadingAndTheJsonReaderAgree(string entry)
    {
        var one = entry.Replace("SHA", Sha, StringComparison.Ordinal);
        foreach (var skipChunks in new[] { false, true })
        {
            var json = Encoding.UTF8.GetBytes($$"""{"version":1,"entries":[{"type":"dir","name":"lib/"},{{one}},{"type":"reg","name":"lib/b","size":2,"offset":9,"endOffset":12}]}""");

            var plain = TocOutcome.Of(() => TocDocument.Parse(json, LayerLimits.Default, skipChunks, splitAllowed: false, plainEntries: true));
            var reader = TocOutcome.Of(() => TocDocument.Parse(json, LayerLimits.Default, skipChunks, splitAllowed: false, plainEntries: false));

            Assert.That(plain.Error, Is.EqualTo(reader.Error), $"chunks {(skipChunks ? "skipped" : "read")}");
            Assert.That(plain.Listing?.Entries, Is.EqualTo(reader.Listing?.Entries), $"chunks {(skipChunks ? "skipped" : "read")}");
            Assert.That(plain.Listing?.DataStarts, Is.EqualTo(reader.Listing?.DataStarts));
        }
    }

    [Test]
    public void PlainEntriesOfARealTocReadAsTheJsonReaderReadsThem()
    {
        var json = TocSplitParseTests.Toc(3000, i => i % 3 == 0 ? TocSplitParseTests.Chunk(i) : TocSplitParseTests.File(i));

        var plain = TocDocument.Parse(json, LayerLimits.Default, plainEntries: true);
        var reader = TocDocument.Parse(json, LayerLimits.Default, splitAllowed: false, plainEntries: false);

        Assert.That(plain.Entries, Is.EqualTo(reader.Entries));
        Assert.That(plain.Entries.Count(e => e.Digest is not null), Is.EqualTo(2000));
    }
}
