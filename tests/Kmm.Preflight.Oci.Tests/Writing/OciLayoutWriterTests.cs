using System.Text;
using System.Text.Json.Nodes;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Tests.Sources;
using Kmm.Preflight.Oci.Writing;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using OciLayoutWriter = Kmm.Preflight.Oci.Writing.OciLayoutWriter;

namespace Kmm.Preflight.Oci.Tests.Writing;

[Category("Integration")]
public sealed class OciLayoutWriterTests : TemporaryDirectoryFixture
{
    private static async Task<WrittenLayer> SignedLayerAsync(string content = "signed module")
    {
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync("opt/lib/modules/k/extra/m.ko", Encoding.UTF8.GetBytes(content));
        return await writer.CompleteAsync();
    }

    // The base lives in a registry: the layout writer has to fetch its layers through ILayer.
    private static async Task<(RegistryProcess Registry, ResolvedImage Base)> RegistryBaseAsync(bool docker = false)
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var layers = new[]
        {
            new LayerBuilder().AddFile("etc/os-release", "ID=base\n").AddFile("opt/lib/modules/k/extra/m.ko", "unsigned").Build(),
        };
        var reference = registry.Reference($"writing/layout-base-{Guid.NewGuid():N}:v1");
        var client = registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, reference, layers.Select(l => new TestLayer(l.Content!, MediaType.OciLayerGzip)).ToList(), dockerSchema2: docker);
        return (registry, await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task An_appended_image_saved_as_a_layout_is_read_by_skopeo_umoci_and_this_library_and_copies_to_a_registry(bool docker)
    {
        ExternalTool.RequireOrIgnore("skopeo");
        var (registry, baseImage) = await RegistryBaseAsync(docker);
        using var layer = await SignedLayerAsync();
        var image = await ImageAppender.AppendAsync(baseImage, [layer], "kmm-preflight sign");
        var layout = Temp.Combine("layout");

        var entry = await OciLayoutWriter.WriteAsync(image, layout, "signed");

        // A Docker schema 2 image goes into the layout with an OCI manifest over the same blobs, as skopeo stores it.
        Assert.That(entry.Digest == image.Digest, Is.EqualTo(!docker));
        Assert.That(entry.MediaType, Is.EqualTo(MediaType.OciManifest));
        Assert.That(entry.Annotations["org.opencontainers.image.ref.name"], Is.EqualTo("signed"));
        Assert.That((await ExternalTool.RunAsync("skopeo", "inspect", "--format", "{{.Digest}}", $"oci:{layout}:signed")).Trim(), Is.EqualTo(entry.Digest.ToString()));
        var raw = await ExternalTool.RunAsync("skopeo", "inspect", "--raw", $"oci:{layout}:signed");
        Assert.That(raw == Encoding.UTF8.GetString(image.RawManifest.Span), Is.EqualTo(!docker));
        if (ExternalTool.Exists("umoci"))
        {
            Assert.That(await ExternalTool.RunAsync("umoci", "ls", "--layout", layout), Does.Contain("signed"));
        }

        var target = registry.Reference($"writing/layout-copy-{Guid.NewGuid():N}:signed");
        await Skopeo.RunAsync(["copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:signed", $"docker://{target}"]);
        Assert.That(await Skopeo.InspectDigestAsync(registry, target.ToString()), Is.EqualTo(entry.Digest.ToString()), "skopeo pushed the bytes unchanged");
        var reread = await new OciLayoutImageSource(layout, "signed").ResolveAsync(Platform.Default);
        Assert.That(reread.Digest, Is.EqualTo(entry.Digest));
        Assert.That(reread.Manifest.Layers.Select(l => l.Digest), Is.EqualTo(image.Manifest.Layers.Select(l => l.Digest)));
        Assert.That((await reread.Config.ReadBytesAsync()).ToArray(), Is.EqualTo((await image.Config.ReadBytesAsync()).ToArray()));
        var fileSystem = new ImageFileSystem(reread);
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/opt/lib/modules/k/extra/m.ko")), Is.EqualTo("signed module"));
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/etc/os-release")), Is.EqualTo("ID=base\n"));
    }

    [Test]
    public async Task A_second_image_keeps_the_first_and_the_same_tag_replaces_its_entry()
    {
        var layout = Temp.Combine("layout");
        var first = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("etc/first", "1")).Build();
        await new Testing.Images.OciLayoutWriter(layout).WriteImageAsync(first, "first");
        var indexPath = Path.Combine(layout, "index.json");
        var withUnknown = JsonNode.Parse(File.ReadAllBytes(indexPath))!.AsObject();
        withUnknown["annotations"] = new JsonObject { ["org.example.kept"] = "yes" };
        File.WriteAllText(indexPath, withUnknown.ToJsonString());
        var baseImage = await new OciLayoutImageSource(layout, "first").ResolveAsync(Platform.Default);
        using var one = await SignedLayerAsync("one");
        using var two = await SignedLayerAsync("two");

        await OciLayoutWriter.WriteAsync(await ImageAppender.AppendAsync(baseImage, [one], "sign"), layout, "second");
        var last = await ImageAppender.AppendAsync(baseImage, [two], "sign");
        await OciLayoutWriter.WriteAsync(last, layout, "second");

        var index = JsonNode.Parse(File.ReadAllBytes(indexPath))!;
        Assert.That(index["annotations"]!["org.example.kept"]!.GetValue<string>(), Is.EqualTo("yes"));
        Assert.That(index["manifests"]!.AsArray().Select(m => m!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>()), Is.EqualTo(new[] { "first", "second" }));
        Assert.That((await new OciLayoutImageSource(layout, "first").ResolveAsync(Platform.Default)).Digest, Is.EqualTo(baseImage.Digest));
        var second = await new OciLayoutImageSource(layout, "second").ResolveAsync(Platform.Default);
        Assert.That(second.Digest, Is.EqualTo(last.Digest));
        Assert.That(Encoding.UTF8.GetString(await new ImageFileSystem(second).ReadAllBytesAsync("/opt/lib/modules/k/extra/m.ko")), Is.EqualTo("two"));
        Assert.That(Directory.GetFiles(layout, ".tmp-*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task A_layer_that_does_not_match_its_digest_is_not_stored_and_the_index_is_untouched()
    {
        var layout = Temp.Combine("layout");
        var first = new ImageBuilder().AddLayer(new LayerBuilder().AddFile("etc/first", "1")).Build();
        await new Testing.Images.OciLayoutWriter(layout).WriteImageAsync(first, "first");
        var index = File.ReadAllBytes(Path.Combine(layout, "index.json"));
        var baseImage = await new OciLayoutImageSource(layout, "first").ResolveAsync(Platform.Default);
        var path = Temp.Combine("layer.tgz");
        using var layer = await WriteToFileAsync(path);
        var bytes = File.ReadAllBytes(path);
        bytes[^9] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.ThrowsAsync<InvalidDataException>(async () => await OciLayoutWriter.WriteAsync(await ImageAppender.AppendAsync(baseImage, [layer], "sign"), layout, "broken"));

        Assert.That(File.Exists(Path.Combine(layout, "blobs", "sha256", layer.Descriptor.Digest.Hex)), Is.False);
        Assert.That(Directory.GetFiles(layout, ".tmp-*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(File.ReadAllBytes(Path.Combine(layout, "index.json")), Is.EqualTo(index));
    }

    private static async Task<WrittenLayer> WriteToFileAsync(string path)
    {
        await using var writer = LayerWriter.CreateFile(path);
        await writer.AddFileAsync("opt/x", new byte[4096]);
        return await writer.CompleteAsync();
    }
}
