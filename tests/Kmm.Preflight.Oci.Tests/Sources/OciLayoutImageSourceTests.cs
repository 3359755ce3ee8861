using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Sources;

[TestFixture]
public sealed class OciLayoutImageSourceTests : TemporaryDirectoryFixture
{
    [Test]
    public async Task Resolves_tagged_image_and_reads_its_layers_verified()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder()
            .WithLabel("purpose", "test")
            .AddLayer(new LayerBuilder().AddDirectory("opt").AddFile("opt/a.txt", "lower"), LayerCompression.Gzip)
            .AddLayer(new LayerBuilder().AddFile("opt/b.txt", "upper"), LayerCompression.Zstd)
            .Build();
        await writer.WriteImageAsync(image, "v1");

        var resolved = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);

        Assert.That(resolved.Digest, Is.EqualTo(image.ManifestDescriptor.Digest));
        Assert.That((await resolved.Config.ReadAsync()).Labels["purpose"], Is.EqualTo("test"));
        Assert.That(await resolved.GetPlatformAsync(), Is.EqualTo(Platform.Default));
        Assert.That(resolved.Name, Is.EqualTo($"oci:{layout}:v1"));
        Assert.That(resolved.Layers.Select(l => l.Descriptor.MediaType), Is.EqualTo(new[] { MediaType.OciLayerGzip, MediaType.OciLayerZstd }));
        var lower = await LayerContents.ReadAsync(resolved.Layers[0]);
        var upper = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(lower["opt/a.txt"]), Is.EqualTo("lower"));
        Assert.That(Encoding.UTF8.GetString(upper["opt/b.txt"]), Is.EqualTo("upper"));
    }

    [Test]
    public async Task Without_tag_resolves_the_only_image()
    {
        var layout = Temp.Combine("layout");
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build();
        await new OciLayoutWriter(layout).WriteImageAsync(image, "only");

        var resolved = await new OciLayoutImageSource(layout).ResolveAsync(Platform.Default);

        Assert.That(resolved.Digest, Is.EqualTo(image.ManifestDescriptor.Digest));
    }

    [Test]
    public async Task Without_tag_and_several_images_lists_the_tags()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        await writer.WriteImageAsync(new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build(), "first");
        await writer.WriteImageAsync(new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "2")).Build(), "second");

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new OciLayoutImageSource(layout).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("first").And.Contain("second").And.Contain("2 images"));
    }

    [Test]
    public async Task Missing_tag_names_the_available_tags()
    {
        var layout = Temp.Combine("layout");
        await new OciLayoutWriter(layout).WriteImageAsync(new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build(), "v1");

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new OciLayoutImageSource(layout, "v2").ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("'v2'").And.Contain("v1"));
    }

    [Test]
    public async Task Tag_matches_a_full_reference_and_a_digest()
    {
        var layout = Temp.Combine("layout");
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build();
        await new OciLayoutWriter(layout).WriteImageAsync(image, "example.com/drivers/kmod:v1");

        var byTag = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);
        var byName = await new OciLayoutImageSource(layout, "example.com/drivers/kmod:v1").ResolveAsync(Platform.Default);
        var byDigest = await new OciLayoutImageSource(layout, "@" + image.ManifestDescriptor.Digest).ResolveAsync(Platform.Default);

        Assert.That(new[] { byTag.Digest, byName.Digest, byDigest.Digest }, Is.All.EqualTo(image.ManifestDescriptor.Digest));
    }

    [TestCase("linux/amd64", 0)]
    [TestCase("linux/arm64", 1)]
    [TestCase("linux/arm/v7", 2)]
    public async Task Selects_the_platform_from_an_index(string platform, int expected)
    {
        var layout = Temp.Combine("layout");
        var images = new[] { "linux/amd64", "linux/arm64", "linux/arm/v7" }
            .Select(p => new ImageBuilder().WithPlatform(p).AddLayer(new LayerBuilder().AddFile("arch", p)).Build())
            .ToList();
        var index = images.Aggregate(new ImageIndexBuilder(), (b, i) => b.Add(i)).Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(index, "multi");

        var resolved = await new OciLayoutImageSource(layout, "multi").ResolveAsync(Platform.Parse(platform));

        Assert.That(resolved.Digest, Is.EqualTo(images[expected].ManifestDescriptor.Digest));
        Assert.That(resolved.Index?.Digest, Is.EqualTo(index.Descriptor.Digest));
        Assert.That(resolved.Platform, Is.EqualTo(Platform.Parse(platform)));
        var files = await LayerContents.ReadAsync(resolved.Layers[0]);
        Assert.That(Encoding.UTF8.GetString(files["arch"]), Is.EqualTo(platform));
    }

    [Test]
    public async Task Missing_platform_names_the_available_platforms()
    {
        var layout = Temp.Combine("layout");
        var index = new ImageIndexBuilder(ManifestFormat.Docker)
            .Add(new ImageBuilder(ManifestFormat.Docker).WithPlatform("linux/amd64").AddLayer(new LayerBuilder().AddFile("a", "a")).Build())
            .Add(new ImageBuilder(ManifestFormat.Docker).WithPlatform("linux/arm64/v8").AddLayer(new LayerBuilder().AddFile("b", "b")).Build())
            .Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(index, "multi");

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new OciLayoutImageSource(layout, "multi").ResolveAsync(Platform.Parse("linux/s390x")));

        Assert.That(error!.Message, Does.Contain("linux/s390x").And.EndWith("available platforms: linux/amd64, linux/arm64/v8."));
    }

    [TestCase("linux/arm64/v8", "linux/arm64", "linux/arm64/v8")]
    [TestCase("linux/arm64", "linux/arm64/v8", "linux/arm64")]
    public async Task Arm64_with_and_without_v8_match_and_the_declared_platform_is_reported(string declared, string requested, string reported)
    {
        var layout = Temp.Combine("layout");
        var arm = new ImageBuilder().WithPlatform(declared).AddLayer(new LayerBuilder().AddFile("a", "a")).Build();
        var index = new ImageIndexBuilder()
            .Add(new ImageBuilder().WithPlatform("linux/amd64").AddLayer(new LayerBuilder().AddFile("x", "x")).Build())
            .Add(arm)
            .Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(index, "multi");

        var resolved = await new OciLayoutImageSource(layout, "multi").ResolveAsync(Platform.Parse(requested));

        Assert.That(resolved.Digest, Is.EqualTo(arm.ManifestDescriptor.Digest));
        Assert.That(resolved.Platform?.ToString(), Is.EqualTo(reported));
    }

    [Test]
    public async Task Descends_nested_indexes()
    {
        var layout = Temp.Combine("layout");
        var arm = new ImageBuilder().WithPlatform("linux/arm64").AddLayer(new LayerBuilder().AddFile("a", "a")).Build();
        var inner = new ImageIndexBuilder().Add(arm).Build();
        var outer = new ImageIndexBuilder().Add(inner).Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(outer, "nested");

        var resolved = await new OciLayoutImageSource(layout, "nested").ResolveAsync(Platform.Parse("linux/arm64"));

        Assert.That(resolved.Digest, Is.EqualTo(arm.ManifestDescriptor.Digest));
        Assert.That(resolved.Index?.Digest, Is.EqualTo(outer.Descriptor.Digest));
    }

    [Test]
    public async Task Corrupt_layer_blob_fails_when_read_to_end()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", new byte[4096]), LayerCompression.None).Build();
        await writer.WriteImageAsync(image, "v1");
        var blob = writer.BlobPath(image.Layers[0].Digest);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[600] ^= 0xff;
        await File.WriteAllBytesAsync(blob, bytes);

        var resolved = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);
        var error = Assert.ThrowsAsync<InvalidDataException>(() => LayerContents.DrainAsync(resolved.Layers[0]));

        Assert.That(error!.Message, Does.Contain(blob).And.Contain(image.Layers[0].Digest.ToString()));
    }

    [Test]
    public async Task Truncated_layer_blob_fails_when_read_to_end()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", new byte[4096])).Build();
        await writer.WriteImageAsync(image, "v1");
        var blob = writer.BlobPath(image.Layers[0].Digest);
        await File.WriteAllBytesAsync(blob, (await File.ReadAllBytesAsync(blob))[..^10]);

        var resolved = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);

        Assert.ThrowsAsync<InvalidDataException>(() => LayerContents.DrainAsync(resolved.Layers[0]));
    }

    [Test]
    public async Task Layer_opened_at_an_offset_serves_the_rest_of_the_blob()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", new byte[3000]), LayerCompression.None).Build();
        await writer.WriteImageAsync(image, "v1");
        var resolved = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);

        await using var stream = await resolved.Layers[0].OpenAsync(1000);
        using var rest = new MemoryStream();
        await stream.CopyToAsync(rest);

        Assert.That(rest.ToArray(), Is.EqualTo(image.Layers[0].Content![1000..]));
    }

    [Test]
    public async Task Corrupt_manifest_blob_fails_resolution_naming_the_file()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build();
        await writer.WriteImageAsync(image, "v1");
        var manifest = writer.BlobPath(image.ManifestDescriptor.Digest);
        var bytes = await File.ReadAllBytesAsync(manifest);
        bytes[^2] = (byte)' ';
        await File.WriteAllBytesAsync(manifest, bytes);

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain(manifest).And.Contain("digest"));
    }

    [Test]
    public async Task Missing_layer_blob_fails_resolution()
    {
        var layout = Temp.Combine("layout");
        var writer = new OciLayoutWriter(layout);
        var image = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("x", "1")).Build();
        await writer.WriteImageAsync(image, "v1");
        File.Delete(writer.BlobPath(image.Layers[0].Digest));

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain(image.Layers[0].Digest.ToString()).And.Contain("missing"));
    }

    [Test]
    public void Directory_without_oci_layout_file_is_reported_as_corrupt()
    {
        Directory.CreateDirectory(Temp.Combine("empty"));

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new OciLayoutImageSource(Temp.Combine("empty"), "v1").ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("oci-layout"));
    }

    [Test]
    public async Task Malformed_index_json_is_reported_naming_the_file()
    {
        var layout = Temp.Combine("layout");
        _ = new OciLayoutWriter(layout);
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), "{\"manifests\": [ {\"mediaType\": 1");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new OciLayoutImageSource(layout).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain(Path.Combine(layout, "index.json")));
    }

    [Test]
    public async Task Invalid_digest_in_index_json_is_rejected_before_any_path_is_built()
    {
        var layout = Temp.Combine("layout");
        _ = new OciLayoutWriter(layout);
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"),
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:../../../etc/passwd\",\"size\":10}]}");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new OciLayoutImageSource(layout).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("not a valid digest"));
    }

    [Test]
    public void Missing_directory_is_not_found()
    {
        Assert.ThrowsAsync<ImageNotFoundException>(() => new OciLayoutImageSource(Temp.Combine("absent"), "v1").ResolveAsync(Platform.Default));
    }

    [Test]
    public async Task Docker_schema2_image_in_a_layout_resolves()
    {
        var layout = Temp.Combine("layout");
        var image = new ImageBuilder(ManifestFormat.Docker).AddLayer(new LayerBuilder().AddFile("x", "1")).Build();
        await new OciLayoutWriter(layout).WriteImageAsync(image, "v1");

        var resolved = await new OciLayoutImageSource(layout, "v1").ResolveAsync(Platform.Default);

        Assert.That(resolved.Manifest.MediaType, Is.EqualTo(MediaType.DockerManifest));
        Assert.That(resolved.Layers[0].Descriptor.MediaType, Is.EqualTo(MediaType.DockerLayerGzip));
        await LayerContents.DrainAsync(resolved.Layers[0]);
    }
}
