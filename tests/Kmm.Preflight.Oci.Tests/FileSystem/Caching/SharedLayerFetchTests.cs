using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>
/// Many images over shared base layers, read through one cache against a real docker-registry: each distinct layer
/// is downloaded at most once, counted in the registry's log, whether other images stop early or give up.
/// </summary>
[NonParallelizable]
public sealed class SharedLayerFetchTests
{
    private const string KernelDirectory = "/opt/lib/modules/6.1.0-56-amd64";
    private RegistryProcess _registry = null!;
    private RegistryClient _client = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        _registry = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        _client = _registry.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        _client.Dispose();
        await _registry.DisposeAsync();
    }

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("kmm-shared-fetch-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    private static TestLayer Layer(LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);

    private static TestLayer KernelBase()
    {
        var builder = new LayerBuilder().WithParentDirectories();
        for (var i = 0; i < 200; i++)
        {
            builder.AddFile($"{KernelDirectory[1..]}/kernel/drivers/net/m{i}.ko", new byte[2000 + i]);
        }

        return Layer(builder.AddFile($"{KernelDirectory[1..]}/modules.dep", "kernel/drivers/net/m0.ko:\n"));
    }

    private async Task<ResolvedImage> ResolveAsync(string name) => await new RegistryImageSource(_client, _registry.Reference(name)).ResolveAsync(Platform.Default);

    [Test]
    public async Task Sixty_lookups_over_six_images_sharing_two_base_layers_fetch_each_layer_once_even_when_some_stop_early()
    {
        var kernel = KernelBase();
        var os = Layer(new LayerBuilder().AddFile("etc/os-release", "ID=test\n"));
        var tops = new List<TestLayer>();
        for (var i = 0; i < 6; i++)
        {
            var top = Layer(new LayerBuilder().WithParentDirectories().AddFile($"{KernelDirectory[1..]}/extra/top{i}.ko", new byte[100 + i]));
            tops.Add(top);
            await TestImagePusher.PushImageAsync(_client, _registry.Reference($"shared/image{i}:v1"), [kernel, os, top]);
        }

        var mark = _registry.LogMark;
        var cache = new LayerIndexCache(new LayerIndexCacheOptions { Directory = _directory });
        var images = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => ResolveAsync($"shared/image{i}:v1")));

        // Images 0-2 only ask what their top layer decides (they stop there, never needing the bases); images 3-5
        // list the kernel directory, which needs every layer. One file system a lookup, as the validator opens one a module.
        var lookups = Enumerable.Range(0, 60).Select(async n =>
        {
            var i = n % 6;
            var fs = new ImageFileSystem(images[i], new ImageFileSystemOptions { Cache = cache });
            if (i < 3)
            {
                var entry = await fs.GetEntryAsync($"{KernelDirectory}/extra/top{i}.ko");
                Assert.That(entry?.LayerIndex, Is.EqualTo(2));
            }
            else
            {
                var found = await fs.FindAsync(KernelDirectory, e => e.Path.EndsWith(".ko", StringComparison.Ordinal));
                Assert.That(found, Has.Count.EqualTo(201));
            }
        });
        await Task.WhenAll(lookups);

        var gets = await RegistryBlobReads.SinceAsync(_registry, mark);
        var layerDigests = tops.Select(t => t.Digest).Append(kernel.Digest).Append(os.Digest).ToHashSet();
        var log = string.Join(", ", gets.Select(g => $"{g.Key.Hex[..12]}={g.Value.Gets}"));
        Assert.That(gets.Where(g => layerDigests.Contains(g.Key)).All(g => g.Value.Gets == 1), Is.True, log);
        Assert.That(gets.GetValueOrDefault(kernel.Digest).Gets, Is.EqualTo(1), log);
        Assert.That(tops.All(t => gets.GetValueOrDefault(t.Digest).Gets == 1), Is.True, log);
        Assert.That(Directory.GetFiles(_directory, "*.lidx"), Has.Length.EqualTo(8), "every layer read to its end is persisted");
    }

    [Test]
    public async Task A_shared_scan_one_image_abandons_midway_still_completes_once_for_the_other_and_is_persisted()
    {
        var random = new byte[24 << 20];
        new Random(13).NextBytes(random);
        var big = Layer(new LayerBuilder().WithParentDirectories().AddFile("data/big.bin", random).AddFile("data/after", "after\n"));
        var topX = Layer(new LayerBuilder().AddFile("x", "x"));
        var topY = Layer(new LayerBuilder().AddFile("y", "y"));
        await TestImagePusher.PushImageAsync(_client, _registry.Reference("shared/x:v1"), [big, topX]);
        await TestImagePusher.PushImageAsync(_client, _registry.Reference("shared/y:v1"), [big, topY]);
        var mark = _registry.LogMark;
        var cache = new LayerIndexCache(new LayerIndexCacheOptions { Directory = _directory });
        var (x, y) = (await ResolveAsync("shared/x:v1"), await ResolveAsync("shared/y:v1"));

        using var giveUp = new CancellationTokenSource();
        var progress = new CancelOnProgress(giveUp, big.Digest);
        var fsX = new ImageFileSystem(x, new ImageFileSystemOptions { Cache = cache, Progress = progress });
        var fsY = new ImageFileSystem(y, new ImageFileSystemOptions { Cache = cache });
        var listX = fsX.ListAsync("/data", cancellationToken: giveUp.Token);
        var listY = fsY.ListAsync("/data");

        Assert.That(async () => await listX, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(progress.Cancelled, Is.True, "X gave up while the shared layer was being read");
        Assert.That((await listY).Select(e => e.Path), Is.EqualTo(new[] { "/data/after", "/data/big.bin" }));
        var gets = await RegistryBlobReads.SinceAsync(_registry, mark);
        Assert.That(gets.GetValueOrDefault(big.Digest).Gets, Is.EqualTo(1), string.Join(", ", gets.Select(g => $"{g.Key.Hex[..12]}={g.Value.Gets}")));
        Assert.That(File.Exists(Path.Combine(_directory, $"sha256-{big.Digest.Hex}.lidx")), Is.True, "Y's whole, verified read is persisted");
    }

    /// <summary>Cancels when the first progress of the watched layer arrives (the scan is then midway).</summary>
    private sealed class CancelOnProgress(CancellationTokenSource source, Digest watched) : IProgress<LayerScanProgress>
    {
        public bool Cancelled { get; private set; }

        public void Report(LayerScanProgress value)
        {
            if (value.Layer == watched && !value.Completed && !Cancelled)
            {
                Cancelled = true;
                source.Cancel();
            }
        }
    }
}
