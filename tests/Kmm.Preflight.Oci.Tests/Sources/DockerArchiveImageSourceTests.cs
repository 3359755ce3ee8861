using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Sources;

[TestFixture]
public sealed class DockerArchiveImageSourceTests : TemporaryDirectoryFixture
{
    [TestCase(DockerArchiveStyle.Legacy, LayerCompression.None)]
    [TestCase(DockerArchiveStyle.Legacy, LayerCompression.Gzip)]
    [TestCase(DockerArchiveStyle.Legacy, LayerCompression.Zstd)]
    [TestCase(DockerArchiveStyle.OciLayout, LayerCompression.Gzip)]
    [TestCase(DockerArchiveStyle.OciLayoutWithLegacyLinks, LayerCompression.None)]
    public async Task Resolves_each_archive_shape_and_reads_layers_verified(DockerArchiveStyle style, LayerCompression compression)
    {
        var image = new ImageBuilder(ManifestFormat.Docker)
            .AddLayer(new LayerBuilder().AddFile("etc/os-release", "ID=test\n"), compression)
            .AddLayer(new LayerBuilder().AddFile("opt/mod.ko", "module"), compression)
            .Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(image, ["example.com/drivers:v1"])], style);

        var resolved = await new DockerArchiveImageSource(archive, "example.com/drivers:v1").ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers.Select(l => l.Descriptor.Digest), Is.EqualTo(image.Layers.Select(l => l.Digest)));
        Assert.That(resolved.Layers.Select(l => l.Descriptor.Size), Is.EqualTo(image.Layers.Select(l => l.Size)));
        Assert.That((await resolved.Config.ReadAsync()).DiffIds, Is.EqualTo(image.Layers.Select(l => l.DiffId.ToString())));
        Assert.That(await resolved.GetPlatformAsync(), Is.EqualTo(Platform.Default));
        if (style != DockerArchiveStyle.Legacy)
        {
            // Docker 25+ archives carry the real manifest.
            Assert.That(resolved.Digest, Is.EqualTo(image.ManifestDescriptor.Digest));
        }

        var files = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(files["opt/mod.ko"]), Is.EqualTo("module"));
        await LayerContents.DrainAsync(resolved.Layers[0]);
    }

    [Test]
    public async Task Sniffs_layer_compression_for_the_media_type()
    {
        var image = new ImageBuilder(ManifestFormat.Docker)
            .AddLayer(new LayerBuilder().AddFile("a", "a"), LayerCompression.None)
            .AddLayer(new LayerBuilder().AddFile("b", "b"), LayerCompression.Gzip)
            .AddLayer(new LayerBuilder().AddFile("c", "c"), LayerCompression.Zstd)
            .Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(image, ["x:1"])], DockerArchiveStyle.Legacy);

        var resolved = await new DockerArchiveImageSource(archive).ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers.Select(l => l.Descriptor.MediaType.Value), Is.EqualTo(new[]
        {
            "application/vnd.docker.image.rootfs.diff.tar", MediaType.DockerLayerGzip.Value, MediaType.OciLayerZstd.Value,
        }));
        Assert.That(resolved.Manifest.MediaType, Is.EqualTo(MediaType.DockerManifest));
    }

    [Test]
    public async Task Zstd_layer_that_starts_with_a_skippable_frame_is_zstd()
    {
        // zstd:chunked layers start with a skippable frame; the archive sniffer once called them plain tar.
        var layer = new LayerBuilder().AddFile("opt/mod.ko", "module").Build(new LayerBlobOptions { Compression = LayerCompression.Zstd, LeadingSkippableFrame = true });
        var image = new ImageBuilder(ManifestFormat.Docker).AddLayer(layer).Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(image, ["x:1"])], DockerArchiveStyle.Legacy);

        var resolved = await new DockerArchiveImageSource(archive).ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers[0].Descriptor.MediaType, Is.EqualTo(MediaType.OciLayerZstd));
        var files = await LayerContents.ReadAsync(resolved.Layers[0]);
        Assert.That(Encoding.UTF8.GetString(files["opt/mod.ko"]), Is.EqualTo("module"));
    }

    [Test]
    public async Task Names_are_matched_as_docker_normalises_them_and_by_position()
    {
        var first = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("a", "1")).Build();
        var second = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("a", "2")).Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(first, ["busybox:latest"]), (second, ["example.com/x:v2"])], DockerArchiveStyle.Legacy);

        var byShortName = await new DockerArchiveImageSource(archive, "docker.io/library/busybox").ResolveAsync(Platform.Default);
        var byPosition = await new DockerArchiveImageSource(archive, "@1").ResolveAsync(Platform.Default);

        Assert.That(byShortName.Layers[0].Descriptor.Digest, Is.EqualTo(first.Layers[0].Digest));
        Assert.That(byPosition.Layers[0].Descriptor.Digest, Is.EqualTo(second.Layers[0].Digest));
    }

    [Test]
    public async Task Several_images_without_a_name_lists_them()
    {
        var first = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("a", "1")).Build();
        var second = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("a", "2")).Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(first, ["one:1"]), (second, ["two:2"])], DockerArchiveStyle.OciLayout);

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new DockerArchiveImageSource(archive).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("one:1").And.Contain("two:2"));
    }

    [Test]
    public async Task Corrupt_layer_member_fails_when_read_to_end()
    {
        var payload = Enumerable.Range(0, 8192).Select(i => (byte)'k').ToArray();
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("big", payload), LayerCompression.None).Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(image, ["x:1"])], DockerArchiveStyle.OciLayout);
        var bytes = await File.ReadAllBytesAsync(archive);
        var at = IndexOf(bytes, payload.AsSpan(0, 64).ToArray());
        bytes[at + 100] = (byte)'X';
        await File.WriteAllBytesAsync(archive, bytes);

        var resolved = await new DockerArchiveImageSource(archive, "x:1").ResolveAsync(Platform.Default);
        var error = Assert.ThrowsAsync<InvalidDataException>(() => LayerContents.DrainAsync(resolved.Layers[0]));

        Assert.That(error!.Message, Does.Contain(image.Layers[0].Digest.ToString()).And.Contain("does not match"));
    }

    [Test]
    public async Task File_that_is_not_a_tar_is_reported_as_corrupt()
    {
        var file = Temp.Combine("not.tar");
        await File.WriteAllBytesAsync(file, Enumerable.Range(0, 2048).Select(i => (byte)(i * 7)).ToArray());

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new DockerArchiveImageSource(file).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain(file));
    }

    [Test]
    public async Task Archive_naming_a_missing_layer_member_is_reported()
    {
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("a", "1")).Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(image, ["x:1"])], DockerArchiveStyle.Legacy);
        var truncated = Temp.Combine("truncated.tar");
        // Keep only manifest.json and the config: rewrite the archive without layer members.
        await using (var output = File.Create(truncated))
        await using (var writer = new System.Formats.Tar.TarWriter(output))
        await using (var input = File.OpenRead(archive))
        await using (var reader = new System.Formats.Tar.TarReader(input))
        {
            while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
            {
                if (!entry.Name.EndsWith("layer.tar", StringComparison.Ordinal))
                {
                    await writer.WriteEntryAsync(entry);
                }
            }
        }

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new DockerArchiveImageSource(truncated).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("layer.tar").And.Contain("does not contain"));
    }

    [Test]
    public void Missing_file_is_not_found()
    {
        Assert.ThrowsAsync<ImageNotFoundException>(() => new DockerArchiveImageSource(Temp.Combine("absent.tar")).ResolveAsync(Platform.Default));
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("pattern not found");
    }
}
