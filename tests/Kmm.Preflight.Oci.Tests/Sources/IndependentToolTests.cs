using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>Layouts and archives written by real tools (skopeo, umoci), read by our sources.</summary>
[TestFixture]
public sealed class IndependentToolTests : TemporaryDirectoryFixture
{
    [Test]
    public async Task Layout_copied_by_skopeo_resolves_with_the_same_content()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (source, image) = await WriteSourceLayoutAsync();
        var copy = Temp.Combine("copy");

        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", $"oci:{source}:v1", $"oci:{copy}:copied");
        var resolved = await new OciLayoutImageSource(copy, "copied").ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers.Select(l => l.Descriptor.Digest), Is.EqualTo(image.Layers.Select(l => l.Digest)));
        Assert.That((await resolved.Config.ReadAsync()).DiffIds, Is.EqualTo(image.Layers.Select(l => l.DiffId.ToString())));
        var files = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(files["opt/lib/modules/6.1.0-56-amd64/extra/mod.ko"]), Is.EqualTo("module"));
    }

    [Test]
    public async Task Layout_recompressed_to_zstd_by_skopeo_resolves_and_verifies()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (source, image) = await WriteSourceLayoutAsync();
        var copy = Temp.Combine("zstd");

        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", "--dest-compress", "--dest-compress-format", "zstd", $"oci:{source}:v1", $"oci:{copy}:z");
        var resolved = await new OciLayoutImageSource(copy, "z").ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers.Select(l => l.Descriptor.MediaType), Is.All.EqualTo(MediaType.OciLayerZstd));
        Assert.That((await resolved.Config.ReadAsync()).DiffIds, Is.EqualTo(image.Layers.Select(l => l.DiffId.ToString())));
        var files = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(files, Does.ContainKey("opt/lib/modules/6.1.0-56-amd64/extra/mod.ko"));
    }

    [Test]
    public async Task Multi_platform_layout_copied_by_skopeo_selects_each_platform()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var layout = Temp.Combine("multi");
        var amd = new ImageBuilder().WithPlatform("linux/amd64").AddLayer(new LayerBuilder().AddFile("arch", "amd64")).Build();
        var arm = new ImageBuilder().WithPlatform("linux/arm64").AddLayer(new LayerBuilder().AddFile("arch", "arm64")).Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(new ImageIndexBuilder().Add(amd).Add(arm).Build(), "multi");
        var copy = Temp.Combine("copy");

        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", "--all", $"oci:{layout}:multi", $"oci:{copy}:m");
        var source = new OciLayoutImageSource(copy, "m");
        var resolvedArm = await source.ResolveAsync(Platform.Parse("linux/arm64"));
        var resolvedAmd = await source.ResolveAsync(Platform.Parse("linux/amd64"));

        Assert.That(resolvedArm.Digest, Is.EqualTo(arm.ManifestDescriptor.Digest));
        Assert.That(resolvedAmd.Digest, Is.EqualTo(amd.ManifestDescriptor.Digest));
        Assert.That(resolvedArm.Index, Is.Not.Null);
    }

    [Test]
    public async Task Layout_made_by_umoci_resolves_and_holds_the_repacked_file()
    {
        ExternalTool.RequireOrIgnore("umoci");
        var layout = Temp.Combine("umoci");
        var bundle = Temp.Combine("bundle");
        await ExternalTool.RunAsync("umoci", "init", "--layout", layout);
        await ExternalTool.RunAsync("umoci", "new", "--image", $"{layout}:base");
        await ExternalTool.RunAsync("umoci", "unpack", "--rootless", "--image", $"{layout}:base", bundle);
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "opt", "lib", "modules", "k"));
        await File.WriteAllTextAsync(Path.Combine(bundle, "rootfs", "opt", "lib", "modules", "k", "mod.ko"), "umoci module");
        await ExternalTool.RunAsync("umoci", "repack", "--image", $"{layout}:base", bundle);

        var resolved = await new OciLayoutImageSource(layout, "base").ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers, Has.Count.EqualTo(1));
        Assert.That((await resolved.Config.ReadAsync()).DiffIds, Has.Count.EqualTo(1));
        var files = await LayerContents.ReadAsync(resolved.Layers[0]);
        Assert.That(Encoding.UTF8.GetString(files["opt/lib/modules/k/mod.ko"]), Is.EqualTo("umoci module"));
    }

    [Test]
    public async Task Layer_added_by_umoci_insert_verifies_when_read_to_end()
    {
        // umoci 0.4.7's insert writes a tar that stops right after the last file's data (no padding, no end
        // blocks); the blob itself is still intact and must verify.
        ExternalTool.RequireOrIgnore("umoci");
        var layout = Temp.Combine("umoci");
        var file = Temp.Combine("mod.ko");
        await File.WriteAllTextAsync(file, "umoci module");
        await ExternalTool.RunAsync("umoci", "init", "--layout", layout);
        await ExternalTool.RunAsync("umoci", "new", "--image", $"{layout}:base");
        await ExternalTool.RunAsync("umoci", "insert", "--rootless", "--image", $"{layout}:base", file, "/opt/lib/modules/k/mod.ko");

        var resolved = await new OciLayoutImageSource(layout, "base").ResolveAsync(Platform.Default);

        Assert.That(resolved.Layers, Has.Count.EqualTo(1));
        Assert.That(resolved.Layers[0].Descriptor.MediaType, Is.EqualTo(MediaType.OciLayerGzip));
        await LayerContents.DrainAsync(resolved.Layers[0]);
    }

    [Test]
    public async Task Docker_archive_written_by_skopeo_resolves_by_name_and_reads_layers_verified()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (source, image) = await WriteSourceLayoutAsync();
        var archive = Temp.Combine("image.tar");

        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", $"oci:{source}:v1", $"docker-archive:{archive}:example.com/drivers/kmod:v1");
        var byName = await new DockerArchiveImageSource(archive, "example.com/drivers/kmod:v1").ResolveAsync(Platform.Default);
        var only = await new DockerArchiveImageSource(archive).ResolveAsync(Platform.Default);

        Assert.That(only.Digest, Is.EqualTo(byName.Digest));
        Assert.That((await byName.Config.ReadAsync()).DiffIds, Is.EqualTo(image.Layers.Select(l => l.DiffId.ToString())));
        Assert.That(byName.Layers, Has.Count.EqualTo(2));
        var files = await LayerContents.ReadAsync(byName.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(files["opt/lib/modules/6.1.0-56-amd64/extra/mod.ko"]), Is.EqualTo("module"));
        await LayerContents.DrainAsync(byName.Layers[0]);
    }

    [Test]
    public async Task Docker_archive_written_by_skopeo_reports_a_missing_name_with_the_available_ones()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (source, _) = await WriteSourceLayoutAsync();
        var archive = Temp.Combine("image.tar");
        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", $"oci:{source}:v1", $"docker-archive:{archive}:example.com/drivers/kmod:v1");

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new DockerArchiveImageSource(archive, "example.com/drivers/kmod:v2").ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("example.com/drivers/kmod:v1"));
    }

    [Test]
    public async Task Oci_archive_written_by_skopeo_resolves_by_tag()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (source, image) = await WriteSourceLayoutAsync();
        var archive = Temp.Combine("oci.tar");

        await ExternalTool.RunAsync("skopeo", "copy", "--quiet", $"oci:{source}:v1", $"oci-archive:{archive}:v1");
        var resolved = await new DockerArchiveImageSource(archive, "v1").ResolveAsync(Platform.Default);

        Assert.That(resolved.Digest, Is.EqualTo(image.ManifestDescriptor.Digest));
        var files = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(files, Does.ContainKey("opt/lib/modules/6.1.0-56-amd64/extra/mod.ko"));
    }

    private async Task<(string Layout, BuiltImage Image)> WriteSourceLayoutAsync()
    {
        var layout = Temp.Combine("source");
        var image = new ImageBuilder()
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("etc/os-release", "ID=test\n"))
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("opt/lib/modules/6.1.0-56-amd64/extra/mod.ko", "module"))
            .Build();
        await new OciLayoutWriter(layout).WriteImageAsync(image, "v1");
        return (layout, image);
    }
}
