using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>Layouts written by <see cref="OciLayoutWriter"/> pushed by skopeo to a real registry and read back.</summary>
[TestFixture]
public sealed class OciLayoutPushTests : TemporaryDirectoryFixture
{
    [Test]
    public async Task Multi_platform_layout_pushed_by_skopeo_reads_back_identically_from_the_registry()
    {
        ExternalTool.RequireOrIgnore("skopeo");
        ExternalTool.RequireOrIgnore("docker-registry");
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var layout = Temp.Combine("layout");
        var amd = new ImageBuilder().WithPlatform("linux/amd64")
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("opt/lib/modules/k/extra/a.ko", "amd64"), LayerCompression.Zstd)
            .Build();
        var arm = new ImageBuilder().WithPlatform("linux/arm64")
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("opt/lib/modules/k/extra/a.ko", "arm64"), LayerCompression.Gzip)
            .Build();
        var index = new ImageIndexBuilder().Add(amd).Add(arm).Build();
        await new OciLayoutWriter(layout).WriteIndexAsync(index, "multi");
        var reference = registry.Reference($"sources/push-{Guid.NewGuid():N}:multi");

        await Skopeo.RunAsync(["copy", "--quiet", "--all", "--dest-tls-verify=false", $"oci:{layout}:multi", $"docker://{reference}"]);
        var source = new RegistryImageSource(registry.CreateClient(), reference);
        var resolved = await source.ResolveAsync(Platform.Parse("linux/arm64"));

        Assert.That(resolved.Index?.Digest, Is.EqualTo(index.Descriptor.Digest));
        Assert.That(resolved.Digest, Is.EqualTo(arm.ManifestDescriptor.Digest));
        var files = await LayerContents.ReadAsync(resolved.Layers[0]);
        Assert.That(Encoding.UTF8.GetString(files["opt/lib/modules/k/extra/a.ko"]), Is.EqualTo("arm64"));
    }
}
