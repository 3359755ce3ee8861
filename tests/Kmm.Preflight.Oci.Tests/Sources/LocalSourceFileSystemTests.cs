using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>The merged filesystem read through the local sources: whiteouts across layers and odd tar names.</summary>
[TestFixture]
public sealed class LocalSourceFileSystemTests : TemporaryDirectoryFixture
{
    [TestCase("oci")]
    [TestCase("docker-archive")]
    public async Task Whiteouts_and_name_styles_merge_through_local_sources(string kind)
    {
        var image = new ImageBuilder()
            .AddLayer(new LayerBuilder().WithNameStyle(TarNameStyle.DotSlash).WithParentDirectories()
                .AddFile("opt/lib/modules/k/extra/gone.ko", "old")
                .AddFile("opt/lib/modules/k/extra/kept.ko", "kept")
                .AddFile("opt/lib/modules/k/updates/hidden.ko", "hidden"), LayerCompression.Gzip)
            .AddLayer(new LayerBuilder().WithNameStyle(TarNameStyle.Slash).WithParentDirectories()
                .AddWhiteout("opt/lib/modules/k/extra/gone.ko")
                .AddOpaqueWhiteout("opt/lib/modules/k/updates")
                .AddFile("opt/lib/modules/k/updates/new.ko", "new"), LayerCompression.Zstd)
            .Build();
        IImageSource source;
        if (kind == "oci")
        {
            await new OciLayoutWriter(Temp.Combine("layout")).WriteImageAsync(image, "v1");
            source = new OciLayoutImageSource(Temp.Combine("layout"), "v1");
        }
        else
        {
            await DockerArchiveWriter.WriteAsync(Temp.Combine("image.tar"), [(image, ["x:v1"])], DockerArchiveStyle.Legacy);
            source = new DockerArchiveImageSource(Temp.Combine("image.tar"), "x:v1");
        }

        var fileSystem = new ImageFileSystem(await source.ResolveAsync(Platform.Default));
        var modules = await fileSystem.FindAsync("/opt/lib/modules/k", e => e.Path.EndsWith(".ko", StringComparison.Ordinal));

        Assert.That(modules.Select(m => m.Path), Is.EqualTo(new[]
        {
            "/opt/lib/modules/k/extra/kept.ko", "/opt/lib/modules/k/updates/new.ko",
        }));
        Assert.That(await fileSystem.ReadAllBytesAsync("/opt/lib/modules/k/extra/kept.ko"), Is.EqualTo("kept"u8.ToArray()));
    }
}
