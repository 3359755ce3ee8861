using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

/// <summary>Random layer stacks merged by <see cref="ImageFileSystem"/> and by <see cref="ReferenceMerger"/> must agree.</summary>
public sealed class MergeCrossCheckTests
{
    private static readonly string[] Names = ["a", "b", "c", "lib"];

    public static IEnumerable<int> Seeds => Enumerable.Range(1, 300);

    [TestCaseSource(nameof(Seeds))]
    public async Task RandomStacksAgreeWithTheReferenceMerger(int seed)
    {
        var random = new Random(seed);
        await AgreeWithTheReferenceMergerAsync(Enumerable.Range(0, random.Next(1, 5)).Select(_ => GenerateLayer(random)).ToList(), random);
    }

    /// <summary>Layers without links or removals, whose point queries the top layer's entries on the path answer alone.</summary>
    [TestCaseSource(nameof(Seeds))]
    public async Task RandomPlainStacksAgreeWithTheReferenceMerger(int seed)
    {
        var random = new Random(seed);
        await AgreeWithTheReferenceMergerAsync(Enumerable.Range(0, random.Next(1, 4)).Select(_ => GeneratePlainLayer(random)).ToList(), random);
    }

    private static async Task AgreeWithTheReferenceMergerAsync(List<List<RefLayerEntry>> layerEntries, Random random)
    {
        var reference = new ReferenceMerger();
        for (var i = 0; i < layerEntries.Count; i++)
        {
            reference.Apply(i, layerEntries[i]);
        }

        var layers = layerEntries.Select(entries => (ILayer)InMemoryLayer.Gzip(ToTar(entries))).ToArray();
        var image = TestImages.Create(layers);
        var cache = new LayerIndexCache();
        var description = Describe(layerEntries);

        var listing = await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).ListAsync("/", recursive: true);
        var expected = reference.State.Where(p => p.Key.Length > 0).OrderBy(p => "/" + p.Key, StringComparer.Ordinal)
            .Select(p => $"/{p.Key} {p.Value.Kind} {p.Value.Target} {p.Value.Content?.Length ?? 0} L{p.Value.Layer}");
        var actual = listing.Select(e => $"{e.Path} {Kind(e.Type)} {e.LinkTarget} {e.Size} L{e.LayerIndex}");
        Assert.That(actual, Is.EqualTo(expected), description);

        // Point queries on fresh views go top down and stop early: they must give the same answers.
        var queries = reference.State.Keys.Where(k => k.Length > 0).Concat(RandomPaths(random, 12)).Distinct().ToList();
        foreach (var query in queries)
        {
            foreach (var follow in new[] { false, true })
            {
                var fs = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache });
                var real = reference.Lookup(query, follow, out var loops);
                if (loops)
                {
                    Assert.ThrowsAsync<SymlinkLoopException>(() => fs.GetEntryAsync(query, follow), $"GetEntryAsync('{query}', follow: {follow})\n{description}");
                    continue;
                }

                var entry = await fs.GetEntryAsync(query, follow);
                Assert.That(entry?.Path, Is.EqualTo(real is null ? null : "/" + real), $"GetEntryAsync('{query}', follow: {follow})\n{description}");
                if (entry is { Type: EntryType.Directory } && real is not null && follow)
                {
                    // Listing right after a point query may be answered from the layers it read.
                    var prefix = real.Length == 0 ? string.Empty : real + "/";
                    var children = reference.State.Keys
                        .Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal) && !k[prefix.Length..].Contains('/'))
                        .Select(k => "/" + k)
                        .Order(StringComparer.Ordinal);
                    Assert.That((await fs.ListAsync(query)).Select(e => e.Path), Is.EqualTo(children), $"ListAsync('{query}')\n{description}");
                }

                if (entry is { Type: EntryType.File } && real is not null)
                {
                    Assert.That(entry.LayerIndex, Is.EqualTo(reference.State[real].Layer), $"layer of '{query}'\n{description}");
                    Assert.That(await fs.ReadAllBytesAsync(query), Is.EqualTo(reference.State[real].Content), $"content of '{query}'\n{description}");
                }
            }
        }
    }

    internal static char Kind(EntryType type) => type switch
    {
        EntryType.Directory => 'd',
        EntryType.Symlink => 'l',
        _ => 'f',
    };

    internal static List<RefLayerEntry> GenerateLayer(Random random)
    {
        var entries = new List<RefLayerEntry>();
        var count = random.Next(0, 9);
        for (var i = 0; i < count; i++)
        {
            var path = RandomPath(random);
            var roll = random.Next(100);
            if (roll < 25)
            {
                entries.Add(new RefLayerEntry('d', path));
            }
            else if (roll < 55)
            {
                entries.Add(new RefLayerEntry('f', path, Content: Encoding.UTF8.GetBytes($"{path}#{random.Next(1000)}")));
            }
            else if (roll < 70)
            {
                var target = random.Next(3) switch
                {
                    0 => "/" + RandomPath(random),
                    1 => "../" + RandomPath(random),
                    _ => Names[random.Next(Names.Length)],
                };
                entries.Add(new RefLayerEntry('l', path, target));
            }
            else if (roll < 78)
            {
                var files = entries.Where(e => e.Kind == 'f').ToList();
                if (files.Count > 0)
                {
                    entries.Add(new RefLayerEntry('h', path, files[random.Next(files.Count)].Path));
                }
            }
            else if (roll < 93)
            {
                entries.Add(new RefLayerEntry('w', path));
            }
            else
            {
                entries.Add(new RefLayerEntry('o', path));
            }
        }

        return entries;
    }

    /// <summary>Directories and files only, the parents usually listed first (as most tars are written).</summary>
    internal static List<RefLayerEntry> GeneratePlainLayer(Random random)
    {
        var entries = new List<RefLayerEntry>();
        var count = random.Next(0, 9);
        for (var i = 0; i < count; i++)
        {
            var path = RandomPath(random);
            if (random.Next(3) > 0)
            {
                // As most tars are written: the parents first.
                for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
                {
                    entries.Add(new RefLayerEntry('d', path[..slash]));
                }
            }

            entries.Add(random.Next(5) < 2
                ? new RefLayerEntry('d', path)
                : new RefLayerEntry('f', path, Content: Encoding.UTF8.GetBytes($"{path}#{random.Next(1000)}")));
        }

        return entries;
    }

    private static string RandomPath(Random random)
        => string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Names[random.Next(Names.Length)]));

    private static IEnumerable<string> RandomPaths(Random random, int count)
        => Enumerable.Range(0, count).Select(_ => RandomPath(random));

    internal static TarBuilder ToTar(List<RefLayerEntry> entries)
    {
        var builder = new TarBuilder();
        foreach (var entry in entries)
        {
            _ = entry.Kind switch
            {
                'd' => builder.Directory(entry.Path),
                'f' => builder.File(entry.Path, entry.Content!),
                'l' => builder.Symlink(entry.Path, entry.Target!),
                'h' => builder.Hardlink(entry.Path, entry.Target!),
                'w' => builder.Whiteout(entry.Path),
                _ => builder.Opaque(entry.Path),
            };
        }

        return builder;
    }

    internal static string Describe(List<List<RefLayerEntry>> layers)
        => string.Join('\n', layers.Select((l, i) => $"layer {i}: " + string.Join(", ", l.Select(e => $"{e.Kind}:{e.Path}{(e.Target is null ? "" : "->" + e.Target)}"))));
}
