using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Tests.Registry;
using Kmm.Preflight.Oci.Tests.Sources;
using Kmm.Preflight.Oci.Writing;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using DockerArchiveWriter = Kmm.Preflight.Testing.Images.DockerArchiveWriter;

namespace Kmm.Preflight.Oci.Tests.Writing;

[Category("Integration")]
public sealed class ImagePusherTests : TemporaryDirectoryFixture
{
    private RegistryProcess _registry = null!;

    [OneTimeSetUp]
    public async Task Start() => _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);

    private static int Uploads(FaultInjectingHandler recorder) =>
        recorder.Requests.Count(r => r.Method == HttpMethod.Put && r.Path.Contains("/blobs/uploads/", StringComparison.Ordinal));

    private static int BlobDownloads(FaultInjectingHandler recorder) =>
        recorder.Requests.Count(r => r.Method == HttpMethod.Get && r.Path.Contains("/blobs/sha256:", StringComparison.Ordinal));

    // A base of two layers: a 1 MiB incompressible "kernel module tree" and a small release file, pushed by our test pusher.
    private async Task<(ImageReference Reference, long LayerBytes)> PushBaseAsync(string repository, bool docker = false)
    {
        var big = new byte[1 << 20];
        new Random(42).NextBytes(big);
        var layers = new[]
        {
            new LayerBuilder().AddFile("opt/lib/modules/k/kernel/big.ko", big).AddFile("opt/lib/modules/k/extra/m.ko", "unsigned").Build(),
            new LayerBuilder().AddFile("etc/os-release", "ID=base\n").Build(),
        };
        var reference = _registry.Reference($"{repository}:base");
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, reference, layers.Select(l => new TestLayer(l.Content!, MediaType.OciLayerGzip)).ToList(), dockerSchema2: docker);
        return (reference, layers.Sum(l => l.Size));
    }

    private static async Task<WrittenLayer> SignedLayerAsync()
    {
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync("opt/lib/modules/k/extra/m.ko", "signed module"u8.ToArray());
        return await writer.CompleteAsync();
    }

    private static async Task<ResolvedImage> AppendAsync(RegistryClient client, ImageReference baseReference, WrittenLayer layer) =>
        await ImageAppender.AppendAsync(await new RegistryImageSource(client, baseReference).ResolveAsync(Platform.Default), [layer], "kmm-preflight sign");

    [TestCase(false)]
    [TestCase(true)]
    public async Task Pushing_an_appended_image_uploads_only_the_new_layer_and_the_config(bool docker)
    {
        var repository = $"writing/append-{(docker ? "docker" : "oci")}-{Guid.NewGuid():N}";
        var (baseReference, baseBytes) = await PushBaseAsync(repository, docker);
        using var reader = _registry.CreateClient();
        using var layer = await SignedLayerAsync();
        var image = await AppendAsync(reader, baseReference, layer);
        using var recorder = new FaultInjectingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = recorder });
        var target = baseReference.WithTag("signed");

        var result = await new ImagePusher(client).PushAsync(image, target);

        TestContext.Out.WriteLine($"base layers {baseBytes} bytes; uploaded {result.BytesUploaded} bytes (new layer {layer.Descriptor.Size} + config {image.Manifest.Config.Size})");
        Assert.That(result.Blobs.Select(b => b.Outcome), Is.EqualTo(new[] { BlobPushOutcome.AlreadyPresent, BlobPushOutcome.AlreadyPresent, BlobPushOutcome.Uploaded, BlobPushOutcome.Uploaded }));
        Assert.That(Uploads(recorder), Is.EqualTo(2), "one upload for the new layer, one for the config: base layers are never sent again");
        Assert.That(BlobDownloads(recorder), Is.Zero, "nor downloaded");
        Assert.That(result.BytesUploaded, Is.EqualTo(layer.Descriptor.Size + image.Manifest.Config.Size));
        Assert.That(result.BytesUploaded, Is.LessThan(baseBytes / 100));
        Assert.That(result.Digest, Is.EqualTo(image.Digest));
        Assert.That(await Skopeo.InspectRawAsync(_registry, target.ToString()), Is.EqualTo(Encoding.UTF8.GetString(image.RawManifest.Span)));
        Assert.That(await Skopeo.InspectDigestAsync(_registry, target.ToString()), Is.EqualTo(image.Digest.ToString()));
        var pushed = await new RegistryImageSource(reader, target).ResolveAsync(Platform.Default);
        Assert.That(pushed.Manifest.MediaType, Is.EqualTo(docker ? MediaType.DockerManifest : MediaType.OciManifest));
        Assert.That(await new ImageFileSystem(pushed).ReadAllBytesAsync("/opt/lib/modules/k/extra/m.ko"), Is.EqualTo("signed module"u8.ToArray()));
    }

    [Test]
    public async Task Pushing_again_sends_no_blob()
    {
        var (baseReference, _) = await PushBaseAsync($"writing/again-{Guid.NewGuid():N}");
        using var reader = _registry.CreateClient();
        using var layer = await SignedLayerAsync();
        var image = await AppendAsync(reader, baseReference, layer);
        await new ImagePusher(reader).PushAsync(image, baseReference.WithTag("signed"));
        using var recorder = new FaultInjectingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = recorder });

        var result = await new ImagePusher(client).PushAsync(image, baseReference.WithTag("signed-again"));

        Assert.That(result.AlreadyPresent, Is.EqualTo(4));
        Assert.That(result.BytesUploaded, Is.Zero);
        Assert.That(Uploads(recorder), Is.Zero);
    }

    [Test]
    public async Task Base_layers_from_another_repository_of_the_same_registry_are_mounted()
    {
        var (baseReference, _) = await PushBaseAsync($"writing/mount-source-{Guid.NewGuid():N}");
        using var reader = _registry.CreateClient();
        using var layer = await SignedLayerAsync();
        var image = await AppendAsync(reader, baseReference, layer);
        using var recorder = new FaultInjectingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = recorder });
        var target = _registry.Reference($"writing/mount-target-{Guid.NewGuid():N}:signed");

        var result = await new ImagePusher(client).PushAsync(image, target);

        Assert.That(result.Blobs.Take(2).Select(b => (b.Outcome, b.MountedFrom?.Repository)), Is.All.EqualTo((BlobPushOutcome.Mounted, baseReference.Repository)));
        Assert.That(result.Uploaded, Is.EqualTo(2));
        Assert.That(Uploads(recorder), Is.EqualTo(2));
        Assert.That(BlobDownloads(recorder), Is.Zero);
        Assert.That(await Skopeo.InspectDigestAsync(_registry, target.ToString()), Is.EqualTo(result.Digest.ToString()));
    }

    [Test]
    public async Task Base_layers_from_another_registry_are_streamed_from_it_and_verified()
    {
        var (baseReference, baseBytes) = await PushBaseAsync($"writing/cross-{Guid.NewGuid():N}");
        await using var other = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        using var recorder = new FaultInjectingHandler();
        var hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase)
        {
            [_registry.Host] = new(Insecure: true),
            [other.Host] = new(Insecure: true),
        };
        using var client = new RegistryClient(_registry.CreateClientOptions() with { Hosts = hosts, InnerHandler = recorder });
        using var layer = await SignedLayerAsync();
        var image = await AppendAsync(client, baseReference, layer);
        var target = other.Reference("mirror/app:signed");

        var result = await new ImagePusher(client, new ImagePusherOptions { MaxParallelLayers = 2 }).PushAsync(image, target);

        Assert.That(result.Uploaded, Is.EqualTo(4));
        Assert.That(result.BytesUploaded, Is.EqualTo(baseBytes + layer.Descriptor.Size + image.Manifest.Config.Size));
        foreach (var baseLayer in image.Manifest.Layers.Take(2))
        {
            // The top one while the image was resolved (prefetch), the other while it was uploaded.
            Assert.That(recorder.Requests.Count(r => r.Method == HttpMethod.Get && r.Path.EndsWith(baseLayer.Digest.ToString(), StringComparison.Ordinal)), Is.EqualTo(1),
                "each base layer is downloaded once");
        }
        Assert.That(await Skopeo.InspectDigestAsync(other, target.ToString()), Is.EqualTo(image.Digest.ToString()));
        var copy = Temp.Combine("copy");
        await Skopeo.RunAsync(["copy", "--quiet", .. other.SkopeoOptions().Select(o => o.Replace("--tls-verify", "--src-tls-verify", StringComparison.Ordinal)), $"docker://{target}", $"oci:{copy}:x"]);
    }

    [Test]
    public async Task A_source_layer_that_does_not_match_its_digest_is_not_pushed()
    {
        var (baseReference, _) = await PushBaseAsync($"writing/corrupt-{Guid.NewGuid():N}");
        await using var other = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        using var recorder = new FaultInjectingHandler();
        var hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase)
        {
            [_registry.Host] = new(Insecure: true),
            [other.Host] = new(Insecure: true),
        };
        using var client = new RegistryClient(_registry.CreateClientOptions() with { Hosts = hosts, InnerHandler = recorder, MaxRetries = 0 });
        using var reader = _registry.CreateClient();
        using var layer = await SignedLayerAsync();
        var image = await AppendAsync(client, baseReference, layer);
        var big = image.Manifest.Layers[0].Digest.ToString();
        recorder.Corrupt = r => r.Method == HttpMethod.Get && r.RequestUri!.AbsolutePath.EndsWith(big, StringComparison.Ordinal);
        var target = other.Reference("mirror/corrupt:signed");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new ImagePusher(client).PushAsync(image, target));

        Assert.That(error!.Message, Does.Contain("digest"));
        Assert.ThrowsAsync<RegistryNotFoundException>(() => reader.GetManifestAsync(target));
    }

    [Test]
    public async Task An_image_read_from_a_docker_archive_is_pushed_under_the_digest_it_was_read_with()
    {
        var built = new ImageBuilder(ManifestFormat.Docker)
            .AddLayer(new LayerBuilder().AddFile("opt/lib/modules/k/extra/m.ko", "from docker save"))
            .Build();
        var archive = Temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(archive, [(built, ["example.com/drivers:v1"])], DockerArchiveStyle.Legacy);
        var image = await new DockerArchiveImageSource(archive, "example.com/drivers:v1").ResolveAsync(Platform.Default);
        using var client = _registry.CreateClient();
        var target = _registry.Reference($"writing/archive-{Guid.NewGuid():N}:v1");

        var result = await new ImagePusher(client).PushAsync(image, target);

        Assert.That(result.Digest, Is.EqualTo(image.Digest));
        Assert.That(await Skopeo.InspectDigestAsync(_registry, target.ToString()), Is.EqualTo(image.Digest.ToString()));
        var pushed = await new RegistryImageSource(client, target.WithDigest(result.Digest)).ResolveAsync(Platform.Default);
        Assert.That(Encoding.UTF8.GetString(await new ImageFileSystem(pushed).ReadAllBytesAsync("/opt/lib/modules/k/extra/m.ko")), Is.EqualTo("from docker save"));
    }

    [Test]
    public async Task A_target_pinned_to_another_digest_is_refused_before_anything_is_sent()
    {
        var (baseReference, _) = await PushBaseAsync($"writing/pinned-{Guid.NewGuid():N}");
        using var client = _registry.CreateClient();
        var image = await new RegistryImageSource(client, baseReference).ResolveAsync(Platform.Default);

        Assert.ThrowsAsync<ArgumentException>(() => new ImagePusher(client).PushAsync(image, baseReference.WithDigest(Digest.Sha256("other"u8))));
        var same = await new ImagePusher(client).PushAsync(image, _registry.Reference($"writing/pinned-copy:x").WithDigest(image.Digest));
        Assert.That(same.Digest, Is.EqualTo(image.Digest));
    }
}
