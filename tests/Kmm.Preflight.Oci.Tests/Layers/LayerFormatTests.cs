using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Layers;

public sealed class LayerFormatTests
{
    private static TarBuilder Content() => new TarBuilder()
        .Directory("usr").Directory("usr/lib").File("usr/lib/a.ko", new byte[70_000]).File("usr/lib/b.ko", "bee");

    private static async Task<byte[]> ReadThroughAsync(byte[] blob, MediaType mediaType)
    {
        var layer = new InMemoryLayer(blob, mediaType);
        var fs = new ImageFileSystem(TestImages.Create(layer));
        var listing = await fs.ListAsync("/usr/lib");
        Assert.That(listing.Select(e => e.Path), Is.EqualTo(new[] { "/usr/lib/a.ko", "/usr/lib/b.ko" }));
        return await fs.ReadAllBytesAsync("/usr/lib/b.ko");
    }

    [Test]
    public async Task OciGzip() => Assert.That(await ReadThroughAsync(LayerCompressor.Gzip(Content().Build()), MediaType.OciLayerGzip), Is.EqualTo("bee"u8.ToArray()));

    [Test]
    public async Task DockerGzip() => Assert.That(await ReadThroughAsync(LayerCompressor.Gzip(Content().Build()), MediaType.DockerLayerGzip), Is.EqualTo("bee"u8.ToArray()));

    [Test]
    public async Task Uncompressed() => Assert.That(await ReadThroughAsync(Content().Build(), MediaType.OciLayerTar), Is.EqualTo("bee"u8.ToArray()));

    [Test]
    public async Task ZstdSingleFrame() => Assert.That(await ReadThroughAsync(LayerCompressor.Zstd(Content().Build()), MediaType.OciLayerZstd), Is.EqualTo("bee"u8.ToArray()));

    [Test]
    public async Task ZstdManyFramesWithSkippableFrames()
        => Assert.That(await ReadThroughAsync(LayerCompressor.Zstd(Content().Build(), frames: 7, skippableFrames: true), MediaType.OciLayerZstd), Is.EqualTo("bee"u8.ToArray()));

    [Test]
    public async Task MultiMemberGzip()
    {
        var tar = Content().Build();
        var blob = LayerCompressor.Gzip(tar[..10_000]).Concat(LayerCompressor.Gzip(tar[10_000..])).ToArray();

        Assert.That(await ReadThroughAsync(blob, MediaType.OciLayerGzip), Is.EqualTo("bee"u8.ToArray()));
    }

    [TestCase("application/x-tar", "gzip")]
    [TestCase("application/vnd.docker.image.rootfs.diff.tar", "none")]
    [TestCase("application/octet-stream", "zstd")]
    [TestCase("application/vnd.example.layer.tar+unknown", "zstd-skippable")]
    public async Task GenericMediaTypesAreSniffed(string mediaType, string compression)
    {
        var tar = Content().Build();
        var blob = compression switch
        {
            "gzip" => LayerCompressor.Gzip(tar),
            "zstd" => LayerCompressor.Zstd(tar),
            "zstd-skippable" => LayerCompressor.Zstd(tar, frames: 2, skippableFrames: true),
            _ => tar,
        };

        Assert.That(await ReadThroughAsync(blob, new MediaType(mediaType)), Is.EqualTo("bee"u8.ToArray()));
    }

    [Test]
    public void ForeignLayerIsRejected()
    {
        var layer = new InMemoryLayer(LayerCompressor.Gzip(Content().Build()), MediaType.OciForeignLayerGzip)
        {
            Descriptor = new Descriptor
            {
                MediaType = MediaType.OciForeignLayerGzip,
                Digest = Oci.References.Digest.Sha256("x"u8),
                Size = 1,
                Urls = ["https://example.com/layer"],
            },
        };

        var error = Assert.ThrowsAsync<UnsupportedLayerException>(() => new ImageFileSystem(TestImages.Create(layer)).ListAsync("/"));

        Assert.That(error!.Message, Does.Contain("foreign").And.Contain("https://example.com/layer"));
        Assert.That(layer.Opens, Is.Zero);
    }

    [Test]
    public void UnknownMediaTypeIsRejected()
    {
        var layer = new InMemoryLayer(Content().Build(), new MediaType("application/vnd.example.config+json"));

        var error = Assert.ThrowsAsync<UnsupportedLayerException>(() => new ImageFileSystem(TestImages.Create(layer)).ListAsync("/"));

        Assert.That(error!.Message, Does.Contain("application/vnd.example.config+json"));
    }

    [Test]
    public void GenericMediaTypeWithForeignBytesIsRejected()
    {
        var layer = new InMemoryLayer("PK\u0003\u0004 not a tar"u8.ToArray(), new MediaType("application/octet-stream"));

        Assert.ThrowsAsync<UnsupportedLayerException>(() => new ImageFileSystem(TestImages.Create(layer)).ListAsync("/"));
    }

    [Test]
    public void CorruptGzipIsInvalidData()
    {
        var blob = LayerCompressor.Gzip(Content().Build());
        for (var i = 40; i < 80; i++)
        {
            blob[i] ^= 0xA5;
        }

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob, MediaType.OciLayerGzip))).ListAsync("/"));

        Assert.That(error!.Message, Does.Contain("Layer sha256:"));
    }

    [Test]
    public void CorruptZstdIsInvalidData()
    {
        var blob = LayerCompressor.Zstd(Content().Build());
        for (var i = 20; i < 60; i++)
        {
            blob[i] ^= 0xA5;
        }

        Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob, MediaType.OciLayerZstd))).ListAsync("/"));
    }

    [Test]
    public void TruncatedZstdIsInvalidData()
    {
        var blob = LayerCompressor.Zstd(Content().Build());

        Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob[..(blob.Length / 2)], MediaType.OciLayerZstd))).ListAsync("/"));
    }

    [Test]
    public void ZstdTruncatedAfterTheTarEndIsInvalidData()
    {
        var blob = LayerCompressor.Zstd(Content().Build());

        Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob[..^3], MediaType.OciLayerZstd))).ListAsync("/"));
    }

    [Test]
    public void TruncatedGzipIsInvalidData()
    {
        var blob = LayerCompressor.Gzip(Content().Build());

        Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(new InMemoryLayer(blob[..(blob.Length / 2)], MediaType.OciLayerGzip))).ListAsync("/"));
    }
}
