using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Oci.Tests.Hostile;

/// <summary>
/// The hostile corpus (tests/testdata/hostile, see its README) through the Oci library: only the documented
/// exceptions, with messages, and bounded memory for the decompression bombs.
/// </summary>
public sealed class HostileCorpusTests
{
    private const long MiB = 1024 * 1024;

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "references" })]
    public void An_odd_reference_is_refused_with_a_reason(string file)
    {
        var text = File.ReadAllText(file);

        Assert.That(ImageReference.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
        Assert.That(() => ImageReference.Parse(text), Throws.TypeOf<FormatException>().With.Message.EqualTo(error));
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "oci" })]
    public void A_malformed_or_ambiguous_manifest_is_invalid_data_naming_its_source(string file)
    {
        var content = File.ReadAllBytes(file);

        Assert.That(
            () => ManifestParser.Parse(content, contentType: null, "hostile-source"),
            Throws.TypeOf<InvalidDataException>().With.Message.StartWith("hostile-source: "));
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "tar" })]
    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "compression" })]
    public async Task A_hostile_layer_reads_or_fails_with_invalid_data_or_a_limit(string file)
    {
        try
        {
            // Names are handed on as the archive has them (the merged view cleans them into the image's root).
            var (entries, _) = await LayerDrive.ReadAsync(File.ReadAllBytes(file), LayerDrive.MediaTypeFor(file)).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.That(entries, Is.Not.Empty);
        }
        catch (Exception e) when (e is InvalidDataException or LayerLimitExceededException)
        {
            Assert.That(e.Message, Is.Not.Empty);
        }
    }

    [TestCase("gzip-bomb-1gib.tar.gz")]
    [TestCase("zstd-bomb-1gib.tar.zst")]
    public async Task A_bomb_is_stopped_by_LayerLimits_MaxUncompressedBytes_with_bounded_allocation(string name)
    {
        var file = Path.Combine(HostileCorpus.Root, "compression", name);
        var blob = File.ReadAllBytes(file);
        var limits = new LayerLimits { MaxUncompressedBytes = 64 * MiB };
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var thrown = Assert.ThrowsAsync<LayerLimitExceededException>(() => LayerDrive.ReadAsync(blob, LayerDrive.MediaTypeFor(file), limits));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(thrown!.Message, Does.Contain("MaxUncompressedBytes"));
        Assert.That(allocated, Is.LessThan(16 * MiB), $"{allocated} bytes allocated stopping a {blob.Length}-byte bomb");
    }

    [TestCase("gzip-bomb-1gib.tar.gz")]
    [TestCase("zstd-bomb-1gib.tar.zst")]
    public async Task A_bomb_within_the_limits_streams_in_bounded_memory(string name)
    {
        // 1 GiB of data from a ~1 MB (gzip) or ~32 KB (zstd) blob: read through, allocating a small, fixed amount.
        var file = Path.Combine(HostileCorpus.Root, "compression", name);
        var blob = File.ReadAllBytes(file);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var (entries, dataBytes) = await LayerDrive.ReadAsync(blob, LayerDrive.MediaTypeFor(file));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[] { "zeros" }));
        Assert.That(dataBytes, Is.EqualTo(1L << 30));
        Assert.That(allocated, Is.LessThan(16 * MiB), $"{allocated} bytes allocated streaming {dataBytes} bytes");
    }
}
