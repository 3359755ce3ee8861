using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>One merged tree per resolved image and cache, however many file systems (one a module) read it.</summary>
public sealed class SharedMergedTreeTests
{
    [Test]
    public async Task File_systems_over_one_resolved_image_and_cache_merge_its_layers_once()
    {
        var image = TestImages.Create(
            InMemoryLayer.Gzip(new TarBuilder().Directory("m").File("m/a.ko", "a").File("m/b.ko", "b")),
            InMemoryLayer.Gzip(new TarBuilder().Directory("m").Whiteout("m/b.ko").File("m/c.ko", "c")));
        var cache = new LayerIndexCache();

        var first = await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).FindAsync("/m", e => e.Path.EndsWith(".ko", StringComparison.Ordinal));
        var tree = cache.TreesOf(image).Deepest;
        var second = await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).FindAsync("/m", e => e.Path.EndsWith(".ko", StringComparison.Ordinal));

        Assert.That(first.Select(e => e.Path), Is.EqualTo(new[] { "/m/a.ko", "/m/c.ko" }));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(tree, Is.Not.Null.And.SameAs(cache.TreesOf(image).Deepest), "the second file system reused the first's tree");
        Assert.That(new LayerIndexCache().TreesOf(image).Deepest, Is.Null, "another cache has its own");
    }
}
