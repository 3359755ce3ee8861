using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>
/// Images over the same random base layers, each with its own random top layers, merged through one cache (so they
/// share the base's merged tree and derive their own from it) must each agree with the reference merger, and merging
/// one must not change what another sees (whiteouts, opaque directories, symlinked parents, hard links included).
/// </summary>
public sealed class SharedBaseCrossCheckTests
{
    public static IEnumerable<int> Seeds => Enumerable.Range(1, 150);

    [TestCaseSource(nameof(Seeds))]
    public async Task Images_sharing_base_layers_each_merge_as_the_reference_does(int seed)
    {
        var random = new Random(seed);
        var baseLayers = Enumerable.Range(0, random.Next(1, 4)).Select(_ => MergeCrossCheckTests.GenerateLayer(random)).ToList();
        var stacks = new List<List<List<RefLayerEntry>>> { baseLayers };
        for (var image = 0; image < 3; image++)
        {
            stacks.Add([.. baseLayers, .. Enumerable.Range(0, random.Next(1, 3)).Select(_ => MergeCrossCheckTests.GenerateLayer(random))]);
        }

        // The same layer objects (so the same digests) for the shared base, as images over one base have.
        var baseBlobs = baseLayers.Select(entries => (ILayer)InMemoryLayer.Gzip(MergeCrossCheckTests.ToTar(entries))).ToList();
        var images = stacks.Select(stack => TestImages.Create([.. baseBlobs, .. stack.Skip(baseLayers.Count).Select(e => (ILayer)InMemoryLayer.Gzip(MergeCrossCheckTests.ToTar(e)))])).ToList();
        var cache = new LayerIndexCache();

        // Twice round, so later images derive from trees already shared and earlier ones are checked after them.
        for (var round = 0; round < 2; round++)
        {
            for (var i = stacks.Count - 1; i >= 0; i--)
            {
                var description = $"image {i} of seed {seed}, round {round}\n{MergeCrossCheckTests.Describe(stacks[i])}";
                var expected = Expected(stacks[i]);
                var fileSystem = new ImageFileSystem(images[i], new ImageFileSystemOptions { Cache = cache });
                var listing = await fileSystem.ListAsync("/", recursive: true);
                Assert.That(listing.Select(Describe), Is.EqualTo(expected), description);

                // A search filters the directory's entries kept on its node: the same answers, on every image.
                var found = await new ImageFileSystem(images[i], new ImageFileSystemOptions { Cache = cache }).FindAsync("/", e => e.Type != EntryType.Directory);
                Assert.That(found.Select(Describe), Is.EqualTo(expected.Where(e => !e.Contains(" d ", StringComparison.Ordinal))), "FindAsync " + description);
            }
        }
    }

    [Test]
    public async Task Images_over_the_same_base_layers_share_the_base_merge()
    {
        var base0 = InMemoryLayer.Gzip(new TarBuilder().Directory("m").File("m/a.ko", "a").File("m/b.ko", "b"));
        var first = TestImages.Create(base0, InMemoryLayer.Gzip(new TarBuilder().Directory("m").Whiteout("m/b.ko")));
        var second = TestImages.Create(base0, InMemoryLayer.Gzip(new TarBuilder().Directory("x").File("x/c", "c")));
        var cache = new LayerIndexCache();

        var inFirst = await new ImageFileSystem(first, new ImageFileSystemOptions { Cache = cache }).FindAsync("/m", _ => true);
        var inSecond = await new ImageFileSystem(second, new ImageFileSystemOptions { Cache = cache }).FindAsync("/m", _ => true);

        Assert.That(inFirst.Select(e => e.Path), Is.EqualTo(new[] { "/m/a.ko" }));
        Assert.That(inSecond.Select(e => e.Path), Is.EqualTo(new[] { "/m/a.ko", "/m/b.ko" }), "the first image's whiteout did not reach the shared base");
        var firstM = cache.TreesOf(first).Deepest!.Resolve("/m", followLast: true).Node;
        var secondM = cache.TreesOf(second).Deepest!.Resolve("/m", followLast: true).Node;
        Assert.That(secondM, Is.Not.SameAs(firstM), "the whiteout's image has its own copy of /m");
        Assert.That(secondM!.Owner, Is.Not.SameAs(cache.TreesOf(second).Deepest), "the second image uses the base's /m without copying it");
    }

    private static List<string> Expected(List<List<RefLayerEntry>> stack)
    {
        var reference = new ReferenceMerger();
        for (var i = 0; i < stack.Count; i++)
        {
            reference.Apply(i, stack[i]);
        }

        return [.. reference.State.Where(p => p.Key.Length > 0).OrderBy(p => "/" + p.Key, StringComparer.Ordinal)
            .Select(p => $"/{p.Key} {p.Value.Kind} {p.Value.Target} {p.Value.Content?.Length ?? 0} L{p.Value.Layer}")];
    }

    private static string Describe(FileSystemEntry e) => $"{e.Path} {MergeCrossCheckTests.Kind(e.Type)} {e.LinkTarget} {e.Size} L{e.LayerIndex}";
}
