using System.Globalization;
using System.Text.RegularExpressions;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.FileSystem.RandomAccess;

/// <summary>
/// After one full scan with a cache directory, a file deep in a gzip or zstd layer is read with one bounded ranged
/// GET from the real docker-registry, and returned only when it matches the recorded SHA-256; every failure of that
/// path (Range ignored, damaged checkpoints, wrong digest, corrupt bytes) falls back to streaming with correct bytes.
/// </summary>
[Category("Integration")]
public sealed partial class RandomAccessTests
{
    private static readonly Dictionary<string, Task<(ImageReference Reference, TestLayer Layer)>> Pushed = [];
    private RegistryProcess _registry = null!;
    private string _cacheDirectory = null!;

    [OneTimeSetUp]
    public async Task StartRegistry() => _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);

    [SetUp]
    public void CreateCacheDirectory() => _cacheDirectory = Directory.CreateTempSubdirectory("kmm-random-access-").FullName;

    [TearDown]
    public void DeleteCacheDirectory() => Directory.Delete(_cacheDirectory, recursive: true);

    [TestCase("gzip-builder")]
    [TestCase("gzip-cli")]
    [TestCase("pigz-cli")]
    [TestCase("gzip-cli-3-members")]
    [TestCase("gzip-builder-members")]
    [TestCase("zstd-frames")]
    public async Task A_file_deep_in_the_layer_is_read_with_one_small_ranged_get_after_a_full_scan(string kind)
    {
        RequireCheckpointingDecoder(kind);
        var (reference, layer) = await PushAsync(kind);
        await ScanAsync(reference);

        using var handler = new RangeRecordingHandler();
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            var bytes = await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath);
            var middle = await fileSystem.ReadAllBytesAsync(RandomAccessLayers.MiddlePath);

            Assert.That(bytes, Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(middle, Is.EqualTo(RandomAccessLayers.MiddleContent));
            var statistics = fileSystem.RandomAccessStatistics;
            Assert.That((statistics.VerifiedRangedReads, statistics.Fallbacks), Is.EqualTo((2L, 0L)), statistics.LastFallbackReason);
            var gets = handler.BlobGets.Where(g => g.Path.EndsWith(layer.Digest.ToString(), StringComparison.Ordinal)).ToList();
            Assert.That(gets, Has.Count.EqualTo(2));
            Assert.That(gets.Select(g => (g.Range is not null, g.Status)), Is.All.EqualTo((true, 206)));

            // The registry's own log says how many bytes it sent for those ranged GETs: a small share of the blob. Its
            // lines arrive on another thread, a moment after the responses.
            var written = RegistryBytesWritten(layer.Digest).ToList();
            for (var wait = 0; wait < 50 && written.Count < 2; wait++)
            {
                await Task.Delay(100);
                written = RegistryBytesWritten(layer.Digest).ToList();
            }

            Assert.That(written, Has.Count.GreaterThanOrEqualTo(2), string.Join("\n", _registry.RecentLog.Where(l => l.Contains(layer.Digest.Hex, StringComparison.Ordinal)).TakeLast(6)));
            Assert.That(written.TakeLast(2).Max(), Is.LessThan(layer.Content.Length / 3), $"blob {layer.Content.Length} bytes");
            Assert.That(statistics.CompressedBytesRead, Is.LessThan(layer.Content.Length / 2));
        }
    }

    [Test]
    public async Task A_single_frame_zstd_layer_has_no_checkpoints_and_is_streamed()
    {
        var (reference, _) = await PushAsync("zstd-one-frame");
        await ScanAsync(reference);

        using var handler = new RangeRecordingHandler();
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.Zero);
            Assert.That(handler.BlobGets.Where(g => g.Range is not null), Is.Empty);
        }
    }

    [Test]
    public async Task A_registry_that_ignores_range_gets_the_file_streamed()
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, _) = await PushAsync("gzip-builder");
        await ScanAsync(reference);

        using var handler = new RangeRecordingHandler { IgnoreRange = true };
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
            var statistics = fileSystem.RandomAccessStatistics;
            Assert.That((statistics.VerifiedRangedReads, statistics.Fallbacks), Is.EqualTo((0L, 1L)));
            Assert.That(statistics.LastFallbackReason, Does.Contain("Range"));
        }
    }

    [Test]
    public async Task Corrupt_ranged_bytes_fail_the_digest_and_the_file_is_streamed()
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, _) = await PushAsync("gzip-builder");
        await ScanAsync(reference);

        // The deep file ends ~1 KiB before the blob does (the tar's end blocks follow it): this byte is its data.
        using var faults = new RangeRecordingHandler { CorruptFromEnd = 600 };
        var (fileSystem, client) = await OpenAsync(reference, faults);
        using (client)
        {
            Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.Zero);
            Assert.That(fileSystem.RandomAccessStatistics.Fallbacks, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Tampered_checkpoint_data_in_the_cache_file_is_dropped_and_the_file_is_streamed()
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, layer) = await PushAsync("gzip-builder");
        await ScanAsync(reference);
        var file = CacheFile(layer.Digest);
        var bytes = await File.ReadAllBytesAsync(file);

        // Behind the file's integrity trailer (a change there is a whole-file miss, not this case): the body is changed
        // and framed again, so only the random-access section's own checksum can catch it.
        var body = bytes[..^LayerIndexFile.TrailerBytes];
        body[body.Length - 40] ^= 0x55; // inside the random-access section, just before its checksum
        await File.WriteAllBytesAsync(file, LayerIndexFile.Frame(body));

        using var handler = new RangeRecordingHandler();
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.Zero);
            Assert.That(handler.BlobGets.Where(g => g.Range is not null), Is.Empty);
        }
    }

    [TestCase("digest")]
    [TestCase("offsets")]
    [TestCase("state")]
    public async Task Wrong_but_well_formed_random_access_data_is_caught_by_the_file_digest(string damage)
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, layer) = await PushAsync("gzip-builder");
        await ScanAsync(reference);
        Rewrite(layer.Digest, index => damage switch
        {
            "digest" => WithEntries(index, e => e.Path.EndsWith("veth.ko", StringComparison.Ordinal) && e.Sha256 is not null ? e with { Sha256 = new byte[32] } : e),
            "offsets" => WithCheckpoints(index, c => c with { CompressedOffset = c.CompressedOffset + 1000 }),
            _ => WithCheckpoints(index, c => c with { State = Scrambled(c.State) }),
        });

        using var handler = new RangeRecordingHandler();
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.Zero);
            Assert.That(fileSystem.RandomAccessStatistics.Fallbacks, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Copying_a_file_uses_the_ranged_read_too()
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, _) = await PushAsync("gzip-builder");
        await ScanAsync(reference);

        using var handler = new RangeRecordingHandler();
        var (fileSystem, client) = await OpenAsync(reference, handler);
        using (client)
        {
            using var copy = new MemoryStream();
            Assert.That(await fileSystem.CopyFileToAsync(RandomAccessLayers.DeepPath, copy), Is.EqualTo(RandomAccessLayers.DeepContent.Length));
            Assert.That(copy.ToArray(), Is.EqualTo(RandomAccessLayers.DeepContent));
            Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_file_wanted_under_another_retention_predicate_costs_a_ranged_get_not_a_second_pass()
    {
        RequireCheckpointingDecoder("gzip");
        var (reference, layer) = await PushAsync("gzip-builder");
        await ScanAsync(reference);

        using var handler = new RangeRecordingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = handler, TopLayerPrefetchBytes = 0 });
        var image = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions
        {
            Cache = new LayerIndexCache(_cacheDirectory),
            RetainContent = (path, _) => path.EndsWith(".ko", StringComparison.Ordinal),
        });

        Assert.That(await fileSystem.ReadAllBytesAsync(RandomAccessLayers.DeepPath), Is.EqualTo(RandomAccessLayers.DeepContent));
        Assert.That(fileSystem.RandomAccessStatistics.VerifiedRangedReads, Is.EqualTo(1));
        var gets = handler.BlobGets.Where(g => g.Path.EndsWith(layer.Digest.ToString(), StringComparison.Ordinal)).ToList();
        Assert.That(gets.Select(g => g.Status), Is.EqualTo(new[] { 206 }));
    }

    private static void RequireCheckpointingDecoder(string kind)
    {
        if (kind.StartsWith("gzip", StringComparison.Ordinal) || kind.StartsWith("pigz", StringComparison.Ordinal))
        {
            if (!IsalSnapshots.IsAvailable)
            {
                var message = $"gzip checkpoints need ISA-L (libisal2) with resumable state: {IsalLibrary.UnavailableReason ?? "its snapshot self-test failed"}";
                if (Environment.GetEnvironmentVariable("KMM_PREFLIGHT_REQUIRE_ISAL") == "1")
                {
                    Assert.Fail(message);
                }

                Assert.Ignore(message);
            }
        }
    }

    private static byte[]? Scrambled(byte[]? state)
    {
        if (state is null)
        {
            return null;
        }

        // Only the history (after the fixed part) changes, so the state stays well formed and the decoder runs.
        var copy = (byte[])state.Clone();
        for (var i = IsalLayout.TmpOutBuffer; i < copy.Length; i++)
        {
            copy[i] ^= 0x5a;
        }

        return copy;
    }

    private Task<(ImageReference Reference, TestLayer Layer)> PushAsync(string kind)
    {
        lock (Pushed)
        {
            var key = $"{_registry.Host}/{kind}";
            if (!Pushed.TryGetValue(key, out var task))
            {
                Pushed[key] = task = PushNewAsync(kind);
            }

            return task;
        }
    }

    private async Task<(ImageReference Reference, TestLayer Layer)> PushNewAsync(string kind)
    {
        var layer = kind switch
        {
            "gzip-builder" => Blob(new LayerBlobOptions { Compression = LayerCompression.Gzip }),
            "gzip-builder-members" => Blob(new LayerBlobOptions { Compression = LayerCompression.Gzip, FrameSize = 3 << 20 }),
            "gzip-cli" => new TestLayer(RandomAccessLayers.CompressWith("gzip"), MediaType.OciLayerGzip),
            "pigz-cli" => new TestLayer(RandomAccessLayers.CompressWith("pigz"), MediaType.OciLayerGzip),
            "gzip-cli-3-members" => new TestLayer(RandomAccessLayers.CompressWith("gzip", members: 3), MediaType.OciLayerGzip),
            "zstd-frames" => Blob(new LayerBlobOptions { Compression = LayerCompression.Zstd, FrameSize = 1 << 20 }),
            "zstd-one-frame" => new TestLayer(RandomAccessLayers.CompressWith("zstd"), MediaType.OciLayerZstd),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var reference = _registry.Reference($"random-access/{kind}:v1");
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, reference, [layer]);
        return (reference, layer);
    }

    private static TestLayer Blob(LayerBlobOptions options)
    {
        var blob = RandomAccessLayers.Build(options);
        return new TestLayer(blob.Content!, blob.MediaTypeFor(ManifestFormat.Oci));
    }

    /// <summary>The first, full scan: indexes the layer (recording checkpoints and digests) into the cache directory.</summary>
    private async Task ScanAsync(ImageReference reference)
    {
        using var client = _registry.CreateClient();
        var image = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = new LayerIndexCache(_cacheDirectory) });
        Assert.That(await fileSystem.GetEntryAsync("/does/not/exist"), Is.Null);
    }

    /// <summary>A later run: a fresh cache over the same directory (so the index comes from disk), through <paramref name="handler"/>.</summary>
    private async Task<(ImageFileSystem FileSystem, RegistryClient Client)> OpenAsync(ImageReference reference, HttpMessageHandler handler)
    {
        var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = handler, TopLayerPrefetchBytes = 0 });
        var image = await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);
        return (new ImageFileSystem(image, new ImageFileSystemOptions { Cache = new LayerIndexCache(_cacheDirectory) }), client);
    }

    private string CacheFile(Digest digest) => Path.Combine(_cacheDirectory, $"{digest.Algorithm}-{digest.Hex}.lidx");

    private void Rewrite(Digest digest, Func<LayerIndex, LayerIndex> change)
    {
        var index = LayerIndexFile.TryDecode(File.ReadAllBytes(CacheFile(digest)), digest) ?? throw new InvalidOperationException("the first scan wrote no readable index");
        Assert.That(index.RandomAccess?.Checkpoints, Is.Not.Empty, "the first scan recorded checkpoints");

        // Framed with a valid trailer: the damage must be caught by the file digests, not by the file's integrity check.
        File.WriteAllBytes(CacheFile(digest), LayerIndexFile.Encode(change(index)));
    }

    private static LayerIndex WithEntries(LayerIndex index, Func<LayerIndexEntry, LayerIndexEntry> change) =>
        new(index.Digest, index.Entries.Select(change).ToList(), index.UncompressedSize) { RandomAccess = index.RandomAccess };

    private static LayerIndex WithCheckpoints(LayerIndex index, Func<DecoderCheckpoint, DecoderCheckpoint> change) =>
        new(index.Digest, index.Entries, index.UncompressedSize)
        {
            RandomAccess = index.RandomAccess! with { Checkpoints = index.RandomAccess.Checkpoints.Select(change).ToList() },
        };

    private IEnumerable<long> RegistryBytesWritten(Digest digest)
    {
        foreach (var line in _registry.RecentLog)
        {
            if (line.Contains($"/blobs/{digest}", StringComparison.Ordinal) && line.Contains("http.response.status=206", StringComparison.Ordinal)
                && WrittenPattern().Match(line) is { Success: true } match)
            {
                yield return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }
    }

    [GeneratedRegex(@"http\.response\.written=(\d+)")]
    private static partial Regex WrittenPattern();
}
