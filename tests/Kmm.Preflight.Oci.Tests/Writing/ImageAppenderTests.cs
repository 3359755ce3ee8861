using System.Text;
using System.Text.Json.Nodes;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Tests.Registry.Auth;
using Kmm.Preflight.Oci.Tests.Sources;
using Kmm.Preflight.Oci.Writing;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Writing;

public sealed class ImageAppenderTests : TemporaryDirectoryFixture
{
    // What real configs hold besides what the library models: Go's escapes, env, entrypoint, unknown fields, indentation.
    private const string RichConfig = """
        {
          "architecture": "amd64",
          "os": "linux",
          "config": {"Env": ["PATH=/usr/bin", "A=\u003cb\u003e"], "Cmd": ["/bin/sh"], "Labels": {"vendor": "ACME \u0026 co"}},
          "x-unknown": {"nested": [1, 2.50, true, null]},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
          "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "base"}],
          "created": "2024-01-01T00:00:00.123456789Z"
        }
        """;

    private static async Task<WrittenLayer> SignedModuleLayerAsync(string content = "signed")
    {
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync("/opt/lib/modules/k/extra/m.ko", Encoding.UTF8.GetBytes(content));
        return await writer.CompleteAsync();
    }

    private async Task<ResolvedImage> BaseImageAsync(ManifestFormat format)
    {
        var image = new ImageBuilder(format)
            .WithLabel("org.example.base", "yes")
            .AddLayer(new LayerBuilder().AddFile("etc/os-release", "ID=base\n").AddFile("opt/lib/modules/k/extra/m.ko", "unsigned"))
            .Build();
        var layout = Temp.Combine("base");
        await new Testing.Images.OciLayoutWriter(layout).WriteImageAsync(image, "v1");
        return await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);
    }

    private static ResolvedImage WithConfig(ResolvedImage image, string config)
    {
        var bytes = Encoding.UTF8.GetBytes(config);
        var manifest = image.Manifest with { Config = image.Manifest.Config with { Digest = Digest.Sha256(bytes), Size = bytes.Length } };
        return image with { Manifest = manifest, Config = new ImageConfigBlob(bytes) };
    }

    [Test]
    public async Task The_base_config_is_kept_byte_for_byte_and_only_diff_ids_and_history_are_added()
    {
        var baseImage = WithConfig(await BaseImageAsync(ManifestFormat.Oci), RichConfig);
        using var layer = await SignedModuleLayerAsync();
        var created = new DateTimeOffset(2026, 11, 28, 9, 30, 15, TimeSpan.Zero);

        var image = await ImageAppender.AppendAsync(baseImage, [layer], "kmm-preflight sign", new ImageAppendOptions { Created = created });

        var config = Encoding.UTF8.GetString((await image.Config.ReadBytesAsync()).Span);
        var addedDiffId = $",\"{layer.DiffId}\"";
        var addedHistory = ",{\"created\":\"2026-11-28T09:30:15Z\",\"created_by\":\"kmm-preflight sign\"}";
        Assert.That(config, Does.Contain(addedDiffId).And.Contain(addedHistory));
        Assert.That(config.Replace(addedDiffId, string.Empty, StringComparison.Ordinal).Replace(addedHistory, string.Empty, StringComparison.Ordinal), Is.EqualTo(RichConfig),
            "removing the two insertions gives back the original bytes");
        Assert.That((await image.Config.ReadAsync()).DiffIds, Is.EqualTo(new[] { "sha256:1111111111111111111111111111111111111111111111111111111111111111", layer.DiffId.ToString() }));
        Assert.That(image.Manifest.Config.Digest, Is.EqualTo(Digest.Sha256((await image.Config.ReadBytesAsync()).Span)));
        Assert.That((await image.Config.ReadAsync()).Labels["vendor"], Is.EqualTo("ACME & co"));
    }

    [TestCase("{}", """{"rootfs":{"type":"layers","diff_ids":["D"]},"history":[H]}""")]
    [TestCase("""{"os":"linux"}""", """{"os":"linux","rootfs":{"type":"layers","diff_ids":["D"]},"history":[H]}""")]
    [TestCase("""{"rootfs":{},"history":[]}""", """{"rootfs":{"diff_ids":["D"]},"history":[H]}""")]
    [TestCase("""{"rootfs":{"type":"layers","diff_ids":[]}}""", """{"rootfs":{"type":"layers","diff_ids":["D"]},"history":[H]}""")]
    public void Missing_or_empty_rootfs_and_history_are_created(string original, string expected)
    {
        var diffId = Digest.Sha256("x"u8);
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 600, TimeSpan.Zero);

        var config = ImageConfigWriter.AppendLayers(Encoding.UTF8.GetBytes(original), [diffId], "me", created);

        var history = "{\"created\":\"2026-01-02T03:04:05.6Z\",\"created_by\":\"me\"}";
        Assert.That(Encoding.UTF8.GetString(config), Is.EqualTo(expected.Replace("\"D\"", $"\"{diffId}\"", StringComparison.Ordinal).Replace("H", history, StringComparison.Ordinal)));
        Assert.That(JsonNode.Parse(config), Is.Not.Null);
    }

    [TestCase("""{"history":[],"history":[]}""")]
    [TestCase("""{"rootfs":{"diff_ids":"sha256:x"}}""")]
    [TestCase("""[1]""")]
    [TestCase("""{"os":""")]
    public void Configs_that_cannot_be_appended_to_safely_are_refused(string config)
    {
        Assert.Throws<InvalidDataException>(() => ImageConfigWriter.AppendLayers(Encoding.UTF8.GetBytes(config), [Digest.Sha256("x"u8)], "me", DateTimeOffset.UnixEpoch));
    }

    [TestCase(ManifestFormat.Oci, "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip")]
    [TestCase(ManifestFormat.Docker, "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.image.rootfs.diff.tar.gzip")]
    public async Task The_manifest_stays_in_the_base_family(ManifestFormat format, string manifestType, string layerType)
    {
        var baseImage = await BaseImageAsync(format);
        using var layer = await SignedModuleLayerAsync();

        var image = await ImageAppender.AppendAsync(baseImage, [layer], "sign", new ImageAppendOptions { TimeProvider = new ManualTimeProvider() });

        Assert.That(image.Manifest.MediaType.Value, Is.EqualTo(manifestType));
        Assert.That(image.Manifest.Config.MediaType, Is.EqualTo(baseImage.Manifest.Config.MediaType));
        Assert.That(image.Manifest.Layers[0], Is.EqualTo(baseImage.Manifest.Layers[0]).Using<Descriptor>((a, b) => a.Digest == b.Digest && a.MediaType == b.MediaType && a.Size == b.Size));
        Assert.That(image.Manifest.Layers[1].MediaType.Value, Is.EqualTo(layerType));
        Assert.That(image.Manifest.Layers[1].Digest, Is.EqualTo(layer.Descriptor.Digest));
        Assert.That(image.Layers.Select(l => l.Descriptor), Is.EqualTo(image.Manifest.Layers));
        Assert.That(image.Digest, Is.EqualTo(Digest.Sha256(image.RawManifest.Span)));
        Assert.That(Encoding.UTF8.GetString(image.RawManifest.Span), Does.Not.Contain("\\u002B"), "media types are written as other tools write them");
        Assert.That(Encoding.UTF8.GetString((await image.Config.ReadBytesAsync()).Span), Does.Contain("\"created\":\"2026-01-01T00:00:00Z\",\"created_by\":\"sign\""), "time from the TimeProvider");
        Assert.That(image.Platform, Is.EqualTo(baseImage.Platform));
    }

    [Test]
    public async Task The_merged_view_of_the_appended_image_sees_the_new_layer_over_the_base_without_reading_the_base_up_front()
    {
        var baseImage = await BaseImageAsync(ManifestFormat.Oci);
        var counting = new CountingLayer(baseImage.Layers[0]);
        using var layer = await SignedModuleLayerAsync("signed!");

        var image = await ImageAppender.AppendAsync(baseImage with { Layers = [counting] }, [layer], "sign");
        Assert.That(counting.Opens, Is.Zero, "appending reads no layer");
        var fileSystem = new ImageFileSystem(image);

        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/opt/lib/modules/k/extra/m.ko")), Is.EqualTo("signed!"));
        Assert.That(counting.Opens, Is.Zero, "the top layer answered; the base was not read");
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/etc/os-release")), Is.EqualTo("ID=base\n"));
        Assert.That(counting.Opens, Is.Positive, "read lazily, through the base's own layer");
    }

    [Test]
    public async Task Bad_inputs_are_refused_with_the_reason()
    {
        var baseImage = await BaseImageAsync(ManifestFormat.Docker);
        await using var zstdWriter = LayerWriter.CreateInMemory(new LayerWriterOptions { Compression = LayerWriterCompression.Zstd });
        await zstdWriter.AddFileAsync("x", "x"u8.ToArray());
        using var zstd = await zstdWriter.CompleteAsync();

        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => ImageAppender.AppendAsync(baseImage, [zstd], "sign"))!.Message, Does.Contain("Docker schema 2"));
        Assert.ThrowsAsync<ArgumentException>(() => ImageAppender.AppendAsync(baseImage, [], "sign"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => ImageAppender.AppendAsync(baseImage with { Config = new ImageConfigBlob("{\"os\":\"other\"}"u8.ToArray()) }, [zstd], "sign"))!.Message, Does.Contain("raw config"));
    }

    private sealed class CountingLayer(ILayer inner) : ILayer
    {
        private int _opens;

        public int Opens => _opens;

        public Descriptor Descriptor => inner.Descriptor;

        public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _opens);
            return inner.OpenAsync(offset, cancellationToken);
        }
    }
}
