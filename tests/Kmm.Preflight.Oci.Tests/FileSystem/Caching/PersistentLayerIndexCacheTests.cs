using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>The layer index cache persisted in a directory: what is written, when, and what a damaged file does.</summary>
public sealed class PersistentLayerIndexCacheTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("kmm-lidx-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    // Compressed once: a fresh InMemoryLayer over the same bytes is the same layer (same digest) read anew.
    private static readonly byte[] BottomBlob = LayerCompressor.Gzip(new TarBuilder().Directory("usr").File("usr/a", "bottom a").File("usr/b", new byte[5000]).Build());
    private static readonly byte[] TopBlob = LayerCompressor.Gzip(new TarBuilder().Directory("usr").File("usr/c", "top c").Whiteout("usr/b").Build());

    private static InMemoryLayer Bottom() => new(BottomBlob, Oci.Manifests.MediaType.OciLayerGzip);

    private static InMemoryLayer Top() => new(TopBlob, Oci.Manifests.MediaType.OciLayerGzip);

    private LayerIndexCache Cache() => new(new LayerIndexCacheOptions { Directory = _directory });

    private string[] IndexFiles() => Directory.GetFiles(_directory, "*.lidx").Order(StringComparer.Ordinal).ToArray();

    private static async Task<string[]> ListAsync(LayerIndexCache cache, params InMemoryLayer[] layers)
    {
        var fs = new ImageFileSystem(TestImages.Create(layers), new ImageFileSystemOptions { Cache = cache });
        return (await fs.ListAsync("/", recursive: true)).Select(e => $"{e.Path} {e.Type} {e.Size}").ToArray();
    }

    [Test]
    public async Task A_verified_scan_is_persisted_and_a_new_cache_over_the_directory_opens_no_layer()
    {
        var expected = await ListAsync(Cache(), Bottom(), Top());
        Assert.That(IndexFiles(), Has.Length.EqualTo(2));

        var (bottom, top) = (Bottom(), Top());
        var listed = await ListAsync(Cache(), bottom, top);

        Assert.That(listed, Is.EqualTo(expected));
        Assert.That(listed, Does.Contain("/usr/a File 8").And.Contain("/usr/c File 5").And.Not.Contain("/usr/b File 5000"));
        Assert.That((bottom.Opens, top.Opens), Is.EqualTo((0, 0)));
    }

    [TestCase("truncated in the middle")]
    [TestCase("one byte flipped")]
    [TestCase("empty")]
    public async Task A_torn_or_corrupted_file_is_ignored_the_layer_read_again_and_the_file_replaced(string damage)
    {
        var expected = await ListAsync(Cache(), Bottom());
        var file = IndexFiles().Single();
        var original = await File.ReadAllBytesAsync(file);
        var damaged = damage switch
        {
            "truncated in the middle" => original[..(original.Length / 2)],
            "one byte flipped" => original.Select((b, i) => i == original.Length / 3 ? (byte)(b ^ 0x20) : b).ToArray(),
            _ => [],
        };
        await File.WriteAllBytesAsync(file, damaged);

        var bottom = Bottom();
        var listed = await ListAsync(Cache(), bottom);

        Assert.That(listed, Is.EqualTo(expected));
        Assert.That(bottom.Opens, Is.EqualTo(1), "the damaged file must not be trusted");
        Assert.That(await File.ReadAllBytesAsync(file), Is.EqualTo(original), "the file is replaced by the new scan's");
    }

    [Test]
    public async Task A_layer_whose_digest_check_fails_is_never_persisted()
    {
        var bad = new InMemoryLayer(BottomBlob, Oci.Manifests.MediaType.OciLayerGzip)
        {
            FailAtEnd = new InvalidDataException("digest mismatch: expected sha256:…, got sha256:…"),
        };

        Assert.ThrowsAsync<InvalidDataException>(() => ListAsync(Cache(), bad));
        Assert.That(bad.ReadToEnd, Is.True);
        Assert.That(IndexFiles(), Is.Empty);
    }

    [Test]
    public async Task A_scan_abandoned_by_its_only_caller_is_never_persisted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var layer = new InMemoryLayer(BottomBlob, Oci.Manifests.MediaType.OciLayerGzip) { Gate = gate };
        var fs = new ImageFileSystem(TestImages.Create(layer), new ImageFileSystemOptions { Cache = Cache() });
        using var cancel = new CancellationTokenSource();

        var lookup = fs.GetEntryAsync("/usr/a", cancellationToken: cancel.Token);
        await Task.Delay(50);
        await cancel.CancelAsync();
        gate.SetResult();

        Assert.That(async () => await lookup, Throws.InstanceOf<OperationCanceledException>());
        await Task.Delay(500); // time for a wrongly continued scan to finish and write
        Assert.That(IndexFiles(), Is.Empty);
    }

    [Test]
    public async Task An_index_from_a_read_that_did_not_reach_the_blob_end_is_used_but_not_persisted()
    {
        var cache = Cache();
        var layer = Bottom();
        var unverified = new LayerIndex(layer.Descriptor.Digest, [new LayerIndexEntry("usr", LayerEntryKind.Directory, 0, null, 0x1ed, 0)], 1024);

        var index = await cache.GetOrAddAsync(layer.Descriptor.Digest, _ => Task.FromResult(unverified), CancellationToken.None);

        Assert.That(index, Is.SameAs(unverified));
        Assert.That(IndexFiles(), Is.Empty);
    }

    [Test]
    public async Task Contains_says_whether_an_index_is_in_memory_or_on_disk()
    {
        var layer = Bottom();
        Assert.That(Cache().Contains(layer.Descriptor.Digest), Is.False);

        await ListAsync(Cache(), layer);

        Assert.That(Cache().Contains(layer.Descriptor.Digest), Is.True, "a new cache finds the file");
        Assert.That(new LayerIndexCache().Contains(layer.Descriptor.Digest), Is.False, "a memory-only cache knows nothing of the directory");
    }

    [Test]
    public void Invalid_options_are_all_listed()
    {
        var e = Assert.Throws<ArgumentException>(() => new LayerIndexCache(new LayerIndexCacheOptions { Directory = string.Empty, MaxSizeBytes = 0 }));
        Assert.That(e!.Message, Does.Contain("MaxSizeBytes must be positive (got 0)").And.Contain("Directory must not be empty"));
    }
}
