using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[TestFixture(RegistryMode.PlainHttp)]
[TestFixture(RegistryMode.BasicAuth)]
[TestFixture(RegistryMode.Tls)]
[TestFixture(RegistryMode.TokenAuth)]
[Category("Integration")]
public sealed class RegistryRoundTripTests(RegistryMode mode)
{
    private RegistryProcess _registry = null!;

    [OneTimeSetUp]
    public async Task StartRegistry() => _registry = await RegistryProcess.GetSharedAsync(mode);

    [TestCase(false)]
    [TestCase(true)]
    public async Task Pushed_image_reads_back_and_matches_skopeo(bool dockerSchema2)
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference($"roundtrip/{(dockerSchema2 ? "docker" : "oci")}:v1");
        var layer = TestLayers.Gzip("lib/modules/6.1.0/extra/hello.ko", "module " + mode);

        var pushed = await TestImagePusher.PushImageAsync(client, reference, [layer], dockerSchema2: dockerSchema2);

        var manifest = await client.GetManifestAsync(reference);
        Assert.That(manifest.Digest, Is.EqualTo(pushed.Digest));
        Assert.That(manifest.MediaType.Value, Is.EqualTo(pushed.MediaType.Value));
        Assert.That(manifest.Content, Is.EqualTo(pushed.Manifest));
        await using (var blob = await client.OpenBlobAsync(reference, layer.Digest, layer.Content.Length))
        using (var copy = new MemoryStream())
        {
            await blob.CopyToAsync(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(layer.Content));
        }

        var skopeoDigest = await Skopeo.InspectDigestAsync(_registry, reference.ToString());
        Assert.That(skopeoDigest, Is.EqualTo(pushed.Digest.ToString()));
    }

    [Test]
    public async Task Index_resolves_the_requested_platform()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("roundtrip/multi:v1");
        var amd64 = TestLayers.Gzip("amd64.txt", "amd64 " + mode);
        var arm64 = TestLayers.Gzip("arm64.txt", "arm64 " + mode);
        var index = await TestImagePusher.PushIndexAsync(client, reference, [(Platform.Parse("linux/amd64"), [amd64]), (Platform.Parse("linux/arm64"), [arm64])]);

        var resolved = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Parse("linux/aarch64"));

        Assert.That(resolved.Index!.Digest, Is.EqualTo(index.Digest));
        Assert.That(resolved.Platform, Is.EqualTo(Platform.Parse("linux/arm64")));
        Assert.That(resolved.Digest, Is.EqualTo(index.Platforms[1].Digest));
        Assert.That((await resolved.Config.ReadAsync()).Architecture, Is.EqualTo("arm64"));
        Assert.That(resolved.Layers.Select(l => l.Descriptor.Digest), Is.EqualTo(new[] { arm64.Digest }));
        await using var stream = await resolved.Layers[0].OpenAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.That(copy.ToArray(), Is.EqualTo(arm64.Content));
        Assert.That(await Skopeo.InspectDigestAsync(_registry, reference.ToString()), Is.EqualTo(index.Digest.ToString()));
    }

    [Test]
    public async Task Missing_platform_names_the_available_ones()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("roundtrip/multi-only-amd64:v1");
        await TestImagePusher.PushIndexAsync(client, reference, [(Platform.Parse("linux/amd64"), [TestLayers.Gzip("a", "a")])]);

        var error = Assert.ThrowsAsync<ImageNotFoundException>(() => new RegistryImageSource(client, reference).ResolveAsync(Platform.Parse("linux/s390x")));

        Assert.That(error!.Message, Does.Contain("linux/s390x").And.Contain("available: linux/amd64").And.Contain(reference.ToString()));
    }

    [Test]
    public async Task Missing_tag_is_a_typed_not_found()
    {
        using var client = _registry.CreateClient();
        var reference = _registry.Reference("roundtrip/nothing-here:v9");

        var error = Assert.ThrowsAsync<RegistryNotFoundException>(() => client.GetManifestAsync(reference));
        Assert.That(error!.Message, Does.Contain(reference.ToString()));
        Assert.That(error.ErrorCodes, Has.Some.Matches<string>(c => c is "MANIFEST_UNKNOWN" or "NAME_UNKNOWN"));
        Assert.ThrowsAsync<ImageNotFoundException>(() => new RegistryImageSource(client, reference).ResolveAsync(Platform.Default));
    }
}
