using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>The same image through every source kind: what callers see must not depend on where it came from.</summary>
[TestFixture]
public sealed class ImageSourceConformanceTests : TemporaryDirectoryFixture
{
    private static readonly string[] Kinds =
    [
        "oci", "docker-archive-legacy", "docker-archive-oci", "docker-archive-links", "docker-archive-skopeo", "registry",
    ];

    [TestCaseSource(nameof(Kinds))]
    public async Task Every_source_shows_the_same_image(string kind)
    {
        var image = new ImageBuilder()
            .WithLabel("org.example.kind", "conformance")
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("etc/os-release", "ID=conformance\n"), LayerCompression.Gzip)
            .AddLayer(new LayerBuilder().WithParentDirectories().AddFile("opt/lib/modules/k/extra/m.ko", "module"), LayerCompression.Gzip)
            .Build();
        var source = await OpenAsync(kind, image);

        var resolved = await source.ResolveAsync(Platform.Default);

        var config = await resolved.Config.ReadAsync();
        Assert.That(config.DiffIds, Is.EqualTo(image.Layers.Select(l => l.DiffId.ToString())));
        Assert.That(config.Labels["org.example.kind"], Is.EqualTo("conformance"));
        Assert.That(await resolved.GetPlatformAsync(), Is.EqualTo(Platform.Default));
        Assert.That(resolved.Layers, Has.Count.EqualTo(2));
        Assert.That(resolved.Layers.Select(l => l.Descriptor), Is.EqualTo(resolved.Manifest.Layers));
        Assert.That(resolved.Name, Is.EqualTo(source.Name));
        var top = await LayerContents.ReadAsync(resolved.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(top["opt/lib/modules/k/extra/m.ko"]), Is.EqualTo("module"));
        await LayerContents.DrainAsync(resolved.Layers[0]);
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task Every_source_keeps_the_raw_manifest_and_config_matching_their_digests(string kind)
    {
        var image = new ImageBuilder()
            .WithLabel("org.example.kind", "raw")
            .AddLayer(new LayerBuilder().AddFile("etc/os-release", "ID=raw\n"), LayerCompression.Gzip)
            .Build();
        var source = await OpenAsync(kind, image);

        var resolved = await source.ResolveAsync(Platform.Default);

        // A legacy archive's manifest is synthesised: its digest must still be that of the bytes a push would send.
        Assert.That(Oci.References.Digest.Sha256(resolved.RawManifest.Span), Is.EqualTo(resolved.Digest));
        Assert.That(ManifestParser.Parse(resolved.RawManifest.Span, null, kind).Manifest, Is.EqualTo(resolved.Manifest).Using<ImageManifest>(SameManifest));
        var rawConfig = await resolved.Config.ReadBytesAsync();
        Assert.That(Oci.References.Digest.Sha256(rawConfig.Span), Is.EqualTo(resolved.Manifest.Config.Digest));
        Assert.That(rawConfig.Length, Is.EqualTo(resolved.Manifest.Config.Size));
        Assert.That(rawConfig.ToArray(), Is.EqualTo(image.Config), "the config blob is never rewritten, whatever the source");
    }

    private static bool SameManifest(ImageManifest a, ImageManifest b) =>
        a.Digest == b.Digest && a.Config.Digest == b.Config.Digest && a.Layers.Select(l => l.Digest).SequenceEqual(b.Layers.Select(l => l.Digest));

    private async Task<IImageSource> OpenAsync(string kind, BuiltImage image)
    {
        var layout = Temp.Combine("layout");
        var archive = Temp.Combine("image.tar");
        switch (kind)
        {
            case "oci":
                await new OciLayoutWriter(layout).WriteImageAsync(image, "v1");
                return new OciLayoutImageSource(layout, "v1");
            case "docker-archive-legacy":
                await DockerArchiveWriter.WriteAsync(archive, [(image, ["example.com/c:v1"])], DockerArchiveStyle.Legacy);
                return new DockerArchiveImageSource(archive, "example.com/c:v1");
            case "docker-archive-oci":
                await DockerArchiveWriter.WriteAsync(archive, [(image, ["example.com/c:v1"])], DockerArchiveStyle.OciLayout);
                return new DockerArchiveImageSource(archive, "example.com/c:v1");
            case "docker-archive-links":
                await DockerArchiveWriter.WriteAsync(archive, [(image, ["example.com/c:v1"])], DockerArchiveStyle.OciLayoutWithLegacyLinks);
                return new DockerArchiveImageSource(archive, "example.com/c:v1");
            case "docker-archive-skopeo":
                ExternalTool.RequireOrIgnore("skopeo");
                await new OciLayoutWriter(layout).WriteImageAsync(image, "v1");
                await ExternalTool.RunAsync("skopeo", "copy", "--quiet", $"oci:{layout}:v1", $"docker-archive:{archive}:example.com/c:v1");
                return new DockerArchiveImageSource(archive, "example.com/c:v1");
            default:
                ExternalTool.RequireOrIgnore("skopeo");
                ExternalTool.RequireOrIgnore("docker-registry");
                var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
                await new OciLayoutWriter(layout).WriteImageAsync(image, "v1");
                var reference = registry.Reference($"sources/conformance-{Guid.NewGuid():N}:v1");
                await Skopeo.RunAsync(["copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{reference}"]);
                return new RegistryImageSource(registry.CreateClient(), reference);
        }
    }
}
