using System.Net;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// A small top layer is fetched while the config is read; a lookup it answers then costs no further round trip, and
/// a failed prefetch changes nothing a caller sees.
/// </summary>
[Category("Integration")]
public sealed class TopLayerPrefetchTests
{
    private RegistryProcess _registry = null!;
    private ImageReference _reference = null!;
    private TestLayer _bottom = null!;
    private TestLayer _top = null!;
    private FaultInjectingHandler _faults = null!;

    [OneTimeSetUp]
    public async Task PushImage()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _reference = _registry.Reference("prefetch/app:v1");
        _bottom = TestLayers.Gzip("lib/modules/6.1.0/kernel/base.ko", new string('b', 5_000));
        _top = TestLayers.Gzip("lib/modules/6.1.0/extra/probe.ko", "probe module");
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _reference, [_bottom, _top]);
    }

    [SetUp]
    public void CreateHandler() => _faults = new FaultInjectingHandler();

    [TearDown]
    public void DisposeHandler() => _faults.Dispose();

    private RegistryClient Client(long prefetchBytes = 1 << 20) =>
        new(_registry.CreateClientOptions() with { InnerHandler = _faults, TopLayerPrefetchBytes = prefetchBytes, MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

    private int BlobGets(TestLayer layer) =>
        _faults.Requests.Count(r => r.Method == HttpMethod.Get && r.Path.EndsWith($"/blobs/{layer.Digest}", StringComparison.Ordinal));

    [Test]
    public async Task Only_the_top_layer_is_prefetched_and_opening_it_sends_no_second_request()
    {
        using var client = Client();
        var image = await new RegistryImageSource(client, _reference).ResolveAsync(Platform.Default);

        Assert.That(image.Layers.Select(l => ((RegistryLayer)l).IsPrefetching), Is.EqualTo(new[] { false, true }));
        for (var open = 0; open < 2; open++)
        {
            Assert.That(await ReadAllAsync(image.Layers[1]), Is.EqualTo(_top.Content));
        }

        await using (var tail = await image.Layers[1].OpenAsync(10))
        {
            using var copy = new MemoryStream();
            await tail.CopyToAsync(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(_top.Content[10..]));
        }

        Assert.That(BlobGets(_top), Is.EqualTo(1));
        Assert.That(BlobGets(_bottom), Is.Zero);
    }

    [Test]
    public async Task A_lookup_reads_the_prefetched_top_layer_without_fetching_it_again()
    {
        using var client = Client();
        var image = await new RegistryImageSource(client, _reference).ResolveAsync(Platform.Default);

        var entry = await new ImageFileSystem(image).GetEntryAsync("/lib/modules/6.1.0/extra/probe.ko");

        // The base is read too (the top layer names no parent directories, so a symlink below could redirect them),
        // but the top layer's blob is fetched once: the file system reads the prefetched copy.
        Assert.That(entry?.LayerIndex, Is.EqualTo(1));
        Assert.That(BlobGets(_top), Is.EqualTo(1));
    }

    [TestCase(0)]
    [TestCase(64)]
    public async Task No_prefetch_when_turned_off_or_when_the_top_layer_is_larger_than_the_limit(long limit)
    {
        Assume.That(_top.Content.Length, Is.GreaterThan(64));
        using var client = Client(limit);
        var image = await new RegistryImageSource(client, _reference).ResolveAsync(Platform.Default);

        Assert.That(image.Layers.Any(l => ((RegistryLayer)l).IsPrefetching), Is.False);
        Assert.That(await ReadAllAsync(image.Layers[1]), Is.EqualTo(_top.Content));
        Assert.That(BlobGets(_top), Is.EqualTo(1));
    }

    [Test]
    public async Task A_failed_prefetch_is_repeated_by_the_open_which_succeeds()
    {
        _faults.AnswerOnce(r => r.RequestUri!.AbsolutePath.EndsWith($"/blobs/{_top.Digest}", StringComparison.Ordinal), () => FaultInjectingHandler.Status(HttpStatusCode.NotFound));
        using var client = Client();
        var image = await new RegistryImageSource(client, _reference).ResolveAsync(Platform.Default);

        Assert.That(await ReadAllAsync(image.Layers[1]), Is.EqualTo(_top.Content));
        Assert.That(BlobGets(_top), Is.EqualTo(2));
    }

    [Test]
    public async Task A_corrupt_top_layer_is_still_reported_as_failing_its_digest()
    {
        _faults.Corrupt = r => r.RequestUri!.AbsolutePath.EndsWith($"/blobs/{_top.Digest}", StringComparison.Ordinal);
        using var client = Client();
        var image = await new RegistryImageSource(client, _reference).ResolveAsync(Platform.Default);

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(image.Layers[1]));

        Assert.That(error!.Message, Does.Contain("does not match its digest").And.Contain(_top.Digest.ToString()));
        Assert.That(BlobGets(_top), Is.EqualTo(2), "the prefetch's failure is not reused: the open fetches and verifies again");
    }

    [Test]
    public void Foreign_and_non_tar_layers_are_never_prefetched()
    {
        Descriptor Layer(MediaType type) => new() { MediaType = type, Digest = Digest.Parse("sha256:" + new string('a', 64)), Size = 10 };

        Assert.That(LayerDecoders.CanRead(Layer(MediaType.OciLayerGzip)), Is.True);
        Assert.That(LayerDecoders.CanRead(Layer(MediaType.OciLayerZstd)), Is.True);
        Assert.That(LayerDecoders.CanRead(Layer(MediaType.DockerForeignLayer)), Is.False);
        Assert.That(LayerDecoders.CanRead(Layer(MediaType.OciForeignLayerGzip)), Is.False);
        Assert.That(LayerDecoders.CanRead(Layer(new MediaType("application/vnd.example.helm.chart"))), Is.False);
    }

    private static async Task<byte[]> ReadAllAsync(ILayer layer)
    {
        await using var stream = await layer.OpenAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
