using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

public sealed class ScanEfficiencyTests
{
    private static InMemoryLayer Layer(TarBuilder builder) => InMemoryLayer.Gzip(builder);

    [Test]
    public async Task PathDecidedByTheTopLayerNeverOpensLowerLayers()
    {
        var bottom = Layer(new TarBuilder().Directory("usr").File("usr/x", "bottom"));
        var middle = Layer(new TarBuilder().Directory("usr").File("usr/y", "middle"));
        var top = Layer(new TarBuilder().Directory("usr").File("usr/x", "top"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, middle, top));

        var entry = await fs.GetEntryAsync("/usr/x");

        Assert.That(entry!.LayerIndex, Is.EqualTo(2));
        Assert.That(await fs.ReadAllBytesAsync("/usr/x"), Is.EqualTo("top"u8.ToArray()));
        Assert.That((top.Opens, middle.Opens, bottom.Opens), Is.EqualTo((2, 0, 0)));
    }

    [Test]
    public async Task WhiteoutInAnUpperLayerDecidesAbsenceWithoutReadingBelow()
    {
        var bottom = Layer(new TarBuilder().Directory("d").File("d/f", "f"));
        var top = Layer(new TarBuilder().Directory("d").Whiteout("d/f"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, top));

        Assert.That(await fs.GetEntryAsync("/d/f"), Is.Null);
        Assert.That(bottom.Opens, Is.Zero);
    }

    [Test]
    public async Task PathFoundInTheMiddleLayerStopsThere()
    {
        var bottom = Layer(new TarBuilder().Directory("a").File("a/f", "bottom"));
        var middle = Layer(new TarBuilder().Directory("a").File("a/f", "middle"));
        var top = Layer(new TarBuilder().Directory("b").File("b/g", "top"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, middle, top));

        Assert.That(await fs.ReadAllBytesAsync("/a/f"), Is.EqualTo("middle"u8.ToArray()));
        Assert.That(bottom.Opens, Is.Zero);
        Assert.That(top.Opens, Is.EqualTo(1));
    }

    [Test]
    public async Task SymlinkedParentFromALowerLayerIsResolvedBeforeDeciding()
    {
        // The top layer writes lib/x without defining lib: only the bottom layer says lib is a symlink.
        var bottom = Layer(new TarBuilder().Directory("usr").Directory("usr/lib").Symlink("lib", "usr/lib"));
        var top = Layer(new TarBuilder().File("lib/x", "x"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, top));

        Assert.That((await fs.GetEntryAsync("/lib/x"))!.Path, Is.EqualTo("/usr/lib/x"));
        Assert.That((await fs.GetEntryAsync("/lib", followSymlinks: false))!.Type, Is.EqualTo(EntryType.Symlink));
    }

    [Test]
    public async Task SymlinkedParentDefinedInTheTopLayerDecidesThere()
    {
        var bottom = Layer(new TarBuilder().Directory("lib").File("lib/x", "bottom"));
        var top = Layer(new TarBuilder().Directory("usr").Directory("usr/lib").Symlink("lib", "usr/lib").File("lib/x", "top"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, top));

        var entry = await fs.GetEntryAsync("/lib/x");

        Assert.That(entry!.Path, Is.EqualTo("/usr/lib/x"));
        Assert.That(await fs.ReadAllBytesAsync("/lib/x"), Is.EqualTo("top"u8.ToArray()));
        Assert.That(bottom.Opens, Is.Zero);
    }

    [Test]
    public async Task ListingAnOpaqueDirectoryAlreadyReadNeedsNoLowerLayer()
    {
        var bottom = Layer(new TarBuilder().Directory("d").File("d/old", "o").File("elsewhere", "e"));
        var top = Layer(new TarBuilder().Directory("d").Opaque("d").Directory("d/sub").File("d/sub/new", "n"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, top));

        await fs.GetEntryAsync("/d/sub/new");
        var listing = await fs.ListAsync("/d", recursive: true);
        var found = await fs.FindAsync("/d", e => e.Type == EntryType.File);

        Assert.That(listing.Select(e => e.Path), Is.EqualTo(new[] { "/d/sub", "/d/sub/new" }));
        Assert.That(found.Select(e => e.Path), Is.EqualTo(new[] { "/d/sub/new" }));
        Assert.That(bottom.Opens, Is.Zero);
        Assert.That((await fs.ListAsync("/")).Select(e => e.Path), Is.EqualTo(new[] { "/d", "/elsewhere" }));
        Assert.That(bottom.Opens, Is.EqualTo(1));
    }

    [Test]
    public async Task MissingPathNeedsEveryLayer()
    {
        var bottom = Layer(new TarBuilder().File("a", "a"));
        var top = Layer(new TarBuilder().File("b", "b"));
        var fs = new ImageFileSystem(TestImages.Create(bottom, top));

        Assert.That(await fs.GetEntryAsync("/c"), Is.Null);
        Assert.That((bottom.Opens, top.Opens), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task SharedCacheMeansASecondFileSystemDoesNotReopenLayers()
    {
        var cache = new LayerIndexCache();
        var bottom = Layer(new TarBuilder().Directory("d").File("d/a", "a"));
        var top = Layer(new TarBuilder().Directory("d").File("d/b", "b"));
        var options = new ImageFileSystemOptions { Cache = cache, RetainContent = (path, _) => path.EndsWith("/a", StringComparison.Ordinal) };

        var first = new ImageFileSystem(TestImages.Create(bottom, top), options);
        await first.ListAsync("/", recursive: true);
        var second = new ImageFileSystem(TestImages.Create(bottom, top), options);
        var listing = await second.ListAsync("/d");
        var content = await second.ReadAllBytesAsync("/d/a");

        Assert.That(listing.Select(e => e.Path), Is.EqualTo(new[] { "/d/a", "/d/b" }));
        Assert.That(content, Is.EqualTo("a"u8.ToArray()));
        Assert.That((bottom.Opens, top.Opens, cache.Count), Is.EqualTo((1, 1, 2)));
    }

    [Test]
    public async Task ConcurrentRequestsShareOneScan()
    {
        var cache = new LayerIndexCache();
        var layer = Layer(new TarBuilder().File("f", "f"));
        var image = TestImages.Create(layer);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).GetEntryAsync("/f")));

        Assert.That(layer.Opens, Is.EqualTo(1));
    }

    [Test]
    public async Task DiskCacheServesAFreshProcess()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kmm-lidx-" + Guid.NewGuid().ToString("N"));
        try
        {
            var layer = Layer(new TarBuilder().Directory("m").File("m/x.ko", "ko").File("m/y.ko", "yy"));
            var options = new ImageFileSystemOptions { Cache = new LayerIndexCache(directory), RetainContent = (p, _) => p == "/m/x.ko" };
            await new ImageFileSystem(TestImages.Create(layer), options).ListAsync("/");

            var fresh = new ImageFileSystem(TestImages.Create(layer), options with { Cache = new LayerIndexCache(directory) });
            var entry = await fresh.GetEntryAsync("/m/y.ko");
            var retained = await fresh.ReadAllBytesAsync("/m/x.ko");

            Assert.That(entry!.Size, Is.EqualTo(2));
            Assert.That(retained, Is.EqualTo("ko"u8.ToArray()));
            Assert.That(layer.Opens, Is.EqualTo(1));
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(1));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task CorruptDiskCacheFileIsAMiss()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kmm-lidx-" + Guid.NewGuid().ToString("N"));
        try
        {
            var layer = Layer(new TarBuilder().File("f", "f"));
            await new ImageFileSystem(TestImages.Create(layer), new ImageFileSystemOptions { Cache = new LayerIndexCache(directory) }).ListAsync("/");
            var file = Directory.GetFiles(directory).Single();
            File.WriteAllBytes(file, File.ReadAllBytes(file)[..20]);

            var entry = await new ImageFileSystem(TestImages.Create(layer), new ImageFileSystemOptions { Cache = new LayerIndexCache(directory) }).GetEntryAsync("/f");

            Assert.That(entry!.Size, Is.EqualTo(1));
            Assert.That(layer.Opens, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task ConcurrentQueriesOnOneViewAgree()
    {
        var layers = Enumerable.Range(0, 5).Select(i => Layer(new TarBuilder().Directory("d").File($"d/f{i}", $"{i}"))).ToArray();
        var fs = new ImageFileSystem(TestImages.Create(layers));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => fs.ReadAllBytesAsync($"d/f{i % 5}")));

        Assert.That(results.Select(r => System.Text.Encoding.UTF8.GetString(r)), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"{i % 5}")));
        // Each layer: one shared index scan, then one stream per read of its (non-retained) file.
        Assert.That(layers.Select(l => l.Opens), Is.All.EqualTo(5));
    }

    [Test]
    public async Task RetainedContentNeedsNoSecondPassAndOtherFilesAreStreamed()
    {
        var layer = Layer(new TarBuilder().Directory("m").File("m/kept", "kept bytes").File("m/streamed", "streamed bytes").File("m/tail", "t"));
        var fs = new ImageFileSystem(TestImages.Create(layer), new ImageFileSystemOptions { RetainContent = (p, size) => p == "/m/kept" && size == 10 });

        Assert.That(await fs.ReadAllBytesAsync("/m/kept"), Is.EqualTo("kept bytes"u8.ToArray()));
        Assert.That(layer.Opens, Is.EqualTo(1));
        Assert.That(await fs.ReadAllBytesAsync("/m/streamed"), Is.EqualTo("streamed bytes"u8.ToArray()));
        Assert.That(layer.Opens, Is.EqualTo(2));
    }

    [Test]
    public async Task UncompressedLayerContentIsReadFromItsOffset()
    {
        var layer = InMemoryLayer.Tar(new TarBuilder().File("a", new byte[5000]).File("b", "bee"));
        var fs = new ImageFileSystem(TestImages.Create(layer));

        Assert.That(await fs.ReadAllBytesAsync("/b"), Is.EqualTo("bee"u8.ToArray()));
    }

    [Test]
    public async Task ListingFetchesLayersInParallelAndReportsProgress()
    {
        var reports = new List<LayerScanProgress>();
        var layers = Enumerable.Range(0, 4).Select(i => Layer(new TarBuilder().File($"f{i}", new byte[20_000]))).ToArray();
        var fs = new ImageFileSystem(TestImages.Create(layers), new ImageFileSystemOptions { MaxParallelLayers = 3, Progress = new SynchronousProgress(reports) });

        var all = await fs.ListAsync("/");

        Assert.That(all, Has.Count.EqualTo(4));
        Assert.That(reports.Where(r => r.Completed).Select(r => r.Layer), Is.EquivalentTo(layers.Select(l => l.Descriptor.Digest)));
        Assert.That(reports.Where(r => r.Completed).All(r => r.CompressedBytesRead == r.CompressedSize && r.Verified), Is.True);
    }

    [Test]
    public void ForeignLayerNeededByAQueryFailsClearly()
    {
        var foreign = new InMemoryLayer([], Oci.Manifests.MediaType.DockerForeignLayer);
        var fs = new ImageFileSystem(TestImages.Create(foreign));

        var error = Assert.ThrowsAsync<UnsupportedLayerException>(() => fs.GetEntryAsync("/x"));
        Assert.That(error!.Message, Does.Contain("foreign"));
    }

    private sealed class SynchronousProgress(List<LayerScanProgress> reports) : IProgress<LayerScanProgress>
    {
        public void Report(LayerScanProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
