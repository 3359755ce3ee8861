using System.Net;
using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[Category("Integration")]
public sealed class RegistryImageSourceTests
{
    private RegistryProcess _registry = null!;

    [OneTimeSetUp]
    public async Task Start() => _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);

    [Test]
    public async Task Single_manifest_takes_its_platform_from_the_config()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("source/single:v1");
        var layers = new[] { TestLayers.Gzip("a", "bottom"), TestLayers.Gzip("b", "top") };
        var pushed = await TestImagePusher.PushImageAsync(client, reference, layers, Platform.Parse("linux/arm64"),
            labels: new Dictionary<string, string> { ["kmm"] = "yes" });

        var resolved = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);

        Assert.That(resolved.Index, Is.Null);
        Assert.That(resolved.Digest, Is.EqualTo(pushed.Digest));
        Assert.That(resolved.Platform, Is.Null, "no index entry names it");
        Assert.That(resolved.Config.IsRead, Is.False, "the config is read when asked for");
        Assert.That(await resolved.GetPlatformAsync(), Is.EqualTo(Platform.Parse("linux/arm64")), "the config names it");
        var config = await resolved.Config.ReadAsync();
        Assert.That(config.Labels["kmm"], Is.EqualTo("yes"));
        Assert.That(config.DiffIds, Is.EqualTo(layers.Select(l => l.DiffId().ToString())));
        Assert.That(resolved.Layers.Select(l => l.Descriptor.Digest), Is.EqualTo(layers.Select(l => l.Digest)));
        Assert.That(resolved.Name, Is.EqualTo(reference.ToString()));
    }

    [Test]
    public async Task The_config_is_requested_only_when_read_and_then_once_for_every_copy_of_the_image()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("source/lazy-config:v1");
        var pushed = await TestImagePusher.PushImageAsync(client, reference, [TestLayers.Gzip("a", "only")], labels: new Dictionary<string, string> { ["lazy"] = "yes" });
        var configDigest = Oci.References.Digest.Sha256(pushed.Config);

        var mark = _registry.LogMark;
        var resolved = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);
        var afterResolve = await RegistryBlobReads.SinceAsync(_registry, mark);

        Assert.That(afterResolve.ContainsKey(configDigest), Is.False, "resolving does not fetch the config");
        var copy = resolved with { Name = "copy" };
        var reads = await Task.WhenAll(resolved.Config.ReadAsync(), copy.Config.ReadAsync(), resolved.Config.ReadAsync());
        Assert.That(reads.Select(c => c.Labels["lazy"]), Is.All.EqualTo("yes"));
        Assert.That((await copy.Config.ReadBytesAsync()).ToArray(), Is.EqualTo(pushed.Config));
        var afterReads = await RegistryBlobReads.SinceAsync(_registry, mark);
        Assert.That(afterReads[configDigest].Gets, Is.EqualTo(1), "one request, shared by every read and copy");
    }

    [Test]
    public async Task Docker_manifest_list_is_resolved_and_pinned_digest_works()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("source/list:v1");
        var index = await TestImagePusher.PushIndexAsync(client, reference,
            [(Platform.Parse("linux/amd64"), [TestLayers.Gzip("x", "amd")]), (Platform.Parse("linux/arm/v7"), [TestLayers.Gzip("y", "arm")])],
            dockerManifestList: true);

        var resolved = await new RegistryImageSource(client, reference.WithDigest(index.Digest)).ResolveAsync(Platform.Parse("linux/arm/v7"));

        Assert.That(resolved.Index!.MediaType, Is.EqualTo(MediaType.DockerManifestList));
        Assert.That(resolved.Manifest.MediaType, Is.EqualTo(MediaType.DockerManifest));
        Assert.That(resolved.Digest, Is.EqualTo(index.Platforms[1].Digest));
        Assert.That(resolved.Platform!.Variant, Is.EqualTo("v7"));
    }

    [Test]
    public void Missing_repository_is_image_not_found_naming_the_reference()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("source/never-pushed:v1");

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new RegistryImageSource(client, reference).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain(reference.ToString()));
        Assert.That(error.InnerException, Is.InstanceOf<RegistryNotFoundException>());
    }

    [Test]
    public async Task Layer_can_be_opened_at_an_offset()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("source/offset:v1");
        var layer = TestLayers.Random(10_000, seed: 3);
        await TestImagePusher.PushImageAsync(client, reference, [layer]);
        var resolved = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);

        await using var stream = await resolved.Layers[0].OpenAsync(9_000);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.That(copy.ToArray(), Is.EqualTo(layer.Content[9_000..]));
    }

    [Test]
    public void Schema1_manifest_is_refused_with_a_clear_message()
    {
        var faults = new FaultInjectingHandler();
        faults.AnswerOnce(
            r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal),
            () => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"schemaVersion\":1,\"name\":\"old\",\"tag\":\"v1\",\"fsLayers\":[]}"))
                {
                    Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.docker.distribution.manifest.v1+prettyjws") },
                },
            });
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = faults });

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new RegistryImageSource(client, _registry.Reference("source/old:v1")).ResolveAsync(Platform.Default));

        Assert.That(error!.Message, Does.Contain("schema 1").And.Contain("source/old:v1"));
        faults.Dispose();
    }

    [Test]
    public void Manifest_over_4_MiB_is_refused()
    {
        var faults = new FaultInjectingHandler();
        faults.AnswerOnce(
            r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal),
            () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[ManifestParser.MaxManifestBytes + 1]) });
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = faults });

        var error = Assert.ThrowsAsync<InvalidDataException>(() => client.GetManifestAsync(_registry.Reference("source/huge:v1")));

        Assert.That(error!.Message, Does.Contain("limit").And.Contain("source/huge:v1"));
        faults.Dispose();
    }
}
