using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Layers.Gzip;

/// <summary>
/// Gzip layers read through the image filesystem give the same answers with either decoder (ISA-L where installed,
/// .NET's GZipStream with KMM_PREFLIGHT_GZIP=zlib), so the rest of the suite's gzip coverage holds for both.
/// </summary>
[NonParallelizable]
public sealed class GzipDecoderChoiceTests
{
    private string? _previous;

    [SetUp]
    public void Remember() => _previous = Environment.GetEnvironmentVariable(IsalLibrary.DecoderVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, _previous);

    [TestCase("zlib")]
    [TestCase("auto")]
    public async Task ListingAndContentAreTheSame(string decoder)
    {
        Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, decoder == "zlib" ? "zlib" : null);
        var builder = new TarBuilder().Directory("lib").Directory("lib/modules");
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var data = new byte[random.Next(0, 20_000)];
            random.NextBytes(data.AsSpan(0, data.Length / 2));
            builder.File($"lib/modules/m{i:D3}.ko", data);
        }

        var tar = builder.Build();
        var blob = LayerCompressor.Gzip(tar[..(tar.Length / 3)]).Concat(LayerCompressor.Gzip(tar[(tar.Length / 3)..])).ToArray();
        var fs = new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob, MediaType.OciLayerGzip)));

        var listing = await fs.ListAsync("/lib/modules");
        var last = await fs.ReadAllBytesAsync("/lib/modules/m299.ko");

        Assert.That(GzipDecoder.Name, Is.EqualTo(decoder == "zlib" || !IsalLibrary.IsAvailable ? "zlib" : "isa-l"));
        Assert.That(listing, Has.Count.EqualTo(300));
        Assert.That(listing.Sum(e => e.Size), Is.EqualTo(ExpectedSizes(tar)));
        Assert.That(last.Length, Is.EqualTo(listing.Single(e => e.Path == "/lib/modules/m299.ko").Size));
    }

    [TestCase("zlib")]
    [TestCase("auto")]
    public void TruncatedGzipIsInvalidData(string decoder)
    {
        Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, decoder == "zlib" ? "zlib" : null);
        var tar = new TarBuilder().Directory("a").File("a/b", new byte[300_000]).File("a/c", "c").Build();
        var blob = LayerCompressor.Gzip(tar);

        Assert.ThrowsAsync<InvalidDataException>(
            () => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob[..(blob.Length / 2)], MediaType.OciLayerGzip))).ListAsync("/a"));
    }

    // Sum of the regular files' sizes, read back from the tar headers with the BCL's reader (independent of ours).
    private static long ExpectedSizes(byte[] tar)
    {
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(tar));
        long total = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile)
            {
                total += entry.Length;
            }
        }

        return total;
    }
}
