using System.Security.Cryptography;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem.RandomAccess;

/// <summary>The scan that records random access gives every regular file (and hard link) the SHA-256 of its data.</summary>
public sealed class FileDigestTests
{
    [Test]
    public async Task Files_retained_files_and_hard_links_get_their_data_digest()
    {
        var big = new byte[1_000_003];
        new Random(5).NextBytes(big);
        var layer = InMemoryLayer.Gzip(new TarBuilder()
            .File("a", "small")
            .File("empty", [])
            .File("big", big)
            .File("kept", "retained")
            .Hardlink("link", "big")
            .Directory("d"));
        var settings = new LayerScanSettings("test", (path, _) => path == "/kept", LayerLimits.Default, null, null, RecordRandomAccess: true);

        var index = await LayerIndexer.IndexAsync(layer, settings);

        var digests = index.Entries.ToDictionary(e => e.Path, e => e.Sha256);
        Assert.That(digests["a"], Is.EqualTo(SHA256.HashData("small"u8)));
        Assert.That(digests["empty"], Is.EqualTo(SHA256.HashData([])));
        Assert.That(digests["big"], Is.EqualTo(SHA256.HashData(big)));
        Assert.That(digests["kept"], Is.EqualTo(SHA256.HashData("retained"u8)));
        Assert.That(digests["link"], Is.EqualTo(SHA256.HashData(big)));
        Assert.That(digests["d"], Is.Null);
        Assert.That(index.RandomAccess, Is.Not.Null);
    }

    [Test]
    public async Task Without_recording_no_digest_is_computed()
    {
        var layer = InMemoryLayer.Gzip(new TarBuilder().File("a", "small"));

        var index = await LayerIndexer.IndexAsync(layer, new LayerScanSettings("test", null, LayerLimits.Default, null, null));

        Assert.That(index.Entries.Single().Sha256, Is.Null);
        Assert.That(index.RandomAccess, Is.Null);
    }
}
