using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>The size bound of a cache directory: least recently used first, safe when several writers evict at once.</summary>
public sealed class LayerIndexStoreEvictionTests
{
    private const int ContentBytes = 10_000;
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("kmm-lidx-lru-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    private static LayerIndex Index(int n)
    {
        var content = new byte[ContentBytes];
        Random.Shared.NextBytes(content);
        var digest = Digest.Sha256(BitConverter.GetBytes(n));
        return new LayerIndex(digest, [new LayerIndexEntry($"f{n}", LayerEntryKind.File, ContentBytes, null, 0x1a4, 512) { Content = content }], 20_000) { DigestVerified = true };
    }

    private long FileBytes(LayerIndexStore store) => Directory.GetFiles(store.Directory, "*.lidx").Sum(f => new FileInfo(f).Length);

    [Test]
    public async Task Eviction_keeps_the_directory_under_the_bound_and_drops_the_least_recently_used_first()
    {
        var indexes = Enumerable.Range(0, 5).Select(Index).ToArray();
        var fileSize = LayerIndexFile.Encode(indexes[0]).Length;
        var store = new LayerIndexStore(_directory, (long)(fileSize * 3.5), logger: null);
        var now = DateTime.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            store.Save(indexes[i]);
            File.SetLastWriteTimeUtc(store.FileOf(indexes[i].Digest), now.AddMinutes(-30 + (10 * i)));
        }

        // A hit makes index 0 the most recently used, so index 1 is now the oldest.
        Assert.That(await store.TryLoadAsync(indexes[0].Digest, CancellationToken.None), Is.Not.Null);
        store.Save(indexes[3]);

        Assert.That(File.Exists(store.FileOf(indexes[1].Digest)), Is.False, "least recently used goes first");
        Assert.That(new[] { 0, 2, 3 }.All(i => File.Exists(store.FileOf(indexes[i].Digest))), Is.True);
        Assert.That(FileBytes(store), Is.LessThanOrEqualTo(fileSize * 3.5));

        store.Save(indexes[4]);
        Assert.That(File.Exists(store.FileOf(indexes[2].Digest)), Is.False, "then the next oldest");
        Assert.That(FileBytes(store), Is.LessThanOrEqualTo(fileSize * 3.5));
    }

    [Test]
    public async Task Writers_and_readers_evicting_at_once_never_fail_and_leave_valid_files_under_the_bound()
    {
        var indexes = Enumerable.Range(0, 80).Select(Index).ToArray();
        var bound = LayerIndexFile.Encode(indexes[0]).Length * 6L;

        // Separate store instances, as separate processes would have.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var store = new LayerIndexStore(_directory, bound, logger: null);
            for (var i = worker; i < indexes.Length; i += 4)
            {
                store.Save(indexes[i]);
                await store.TryLoadAsync(indexes[(i + 3) % indexes.Length].Digest, CancellationToken.None);
            }
        })));

        var check = new LayerIndexStore(_directory, bound, logger: null);
        var files = Directory.GetFiles(_directory);
        Assert.That(files.Where(f => !f.EndsWith(".lidx", StringComparison.Ordinal)), Is.Empty, "no temporary file left");
        Assert.That(FileBytes(check), Is.LessThanOrEqualTo(bound));
        Assert.That(files, Is.Not.Empty);
        foreach (var index in indexes.Where(i => File.Exists(check.FileOf(i.Digest))))
        {
            var loaded = await check.TryLoadAsync(index.Digest, CancellationToken.None);
            Assert.That(loaded?.Entries.Single().Content, Is.EqualTo(index.Entries.Single().Content), "every file left is whole");
        }
    }
}
