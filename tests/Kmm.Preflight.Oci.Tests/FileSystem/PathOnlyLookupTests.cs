using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

/// <summary>
/// <see cref="PathOnlyLookup"/> against the whole layer's tree: wherever it answers, the answer (status, node, the
/// subtree below it, whether it decides) must be the whole tree's, on random plain layers with directories out of
/// order, files replacing directories and directories replacing files.
/// </summary>
public sealed class PathOnlyLookupTests
{
    private static readonly string[] Names = ["a", "b", "lib"];
    private static readonly Digest Layer = Digest.Parse("sha256:" + new string('1', 64));

    public static IEnumerable<int> Seeds => Enumerable.Range(1, 400);

    [TestCaseSource(nameof(Seeds))]
    public void AnswersAsTheWholeLayerDoes(int seed)
    {
        var random = new Random(seed);
        var index = new LayerIndex(Layer, GeneratePlainLayer(random), 0);
        var queries = index.Entries.Select(e => e.Path).Where(p => p.Length > 0)
            .Concat(Enumerable.Range(0, 8).Select(_ => RandomPath(random)))
            .SelectMany(p => new[] { p, "/" + p, p + "/", p.Replace("/", "//", StringComparison.Ordinal) })
            .Distinct()
            .ToList();
        var description = string.Join(", ", index.Entries.Select(e => $"{Kind(e.Kind)}:{e.Path}"));
        foreach (var lowest in new[] { 0, 3 })
        {
            var whole = new MergedTree(lowest);
            whole.Apply(lowest, index);
            if (index.Shape.ParentsListed)
            {
                Assert.That(whole.HasAssumptions, Is.False, $"parents listed, yet the tree assumes: {description}");
            }

            foreach (var query in queries)
            {
                var expected = whole.Resolve(query, followLast: true);
                var quick = PathOnlyLookup.TryResolve(index, lowest, lowest, query, followLast: true);
                var what = $"'{query}' over lowest layer {lowest}: {description}";
                if (lowest == 0)
                {
                    Assert.That(quick, Is.Not.Null, $"a plain layer at the bottom always decides {what}");
                }

                if (quick is not { } answer)
                {
                    continue;
                }

                Assert.That(whole.Decides(expected), Is.True, $"answered, but the whole layer does not decide {what}");
                Assert.That(answer.Status, Is.EqualTo(expected.Status), what);
                Assert.That(Describe(answer.Node), Is.EqualTo(Describe(expected.Node)), what);
                Assert.That(answer.Node?.RelativePath, Is.EqualTo(expected.Node?.RelativePath), what);
            }
        }
    }

    [Test]
    public void AnswersMostQueriesOfRandomPlainLayersOverLowerOnes()
    {
        // Otherwise the comparison above could pass by never answering.
        var (answered, asked) = (0, 0);
        foreach (var seed in Seeds)
        {
            var random = new Random(seed);
            var index = new LayerIndex(Layer, GeneratePlainLayer(random), 0);
            foreach (var entry in index.Entries.Where(e => e.Path.Length > 0))
            {
                asked++;
                answered += PathOnlyLookup.TryResolve(index, 3, 3, entry.Path, followLast: true) is not null ? 1 : 0;
            }
        }

        Assert.That(answered, Is.GreaterThan(asked / 3), $"{answered} of {asked}");
    }

    [TestCase("symlink")]
    [TestCase("hardlink")]
    [TestCase("whiteout")]
    [TestCase("opaque")]
    public void LeavesLayersWithLinksOrRemovalsToTheWholeTree(string what)
    {
        var kind = what switch
        {
            "symlink" => LayerEntryKind.Symlink,
            "hardlink" => LayerEntryKind.Hardlink,
            "whiteout" => LayerEntryKind.Whiteout,
            _ => LayerEntryKind.OpaqueDirectory,
        };
        var index = new LayerIndex(Layer, [Entry(LayerEntryKind.Directory, "usr"), Entry(LayerEntryKind.File, "usr/f"), Entry(kind, "opt")], 0);

        Assert.That(index.Shape.IsPlain, Is.False);
        Assert.That(PathOnlyLookup.TryResolve(index, 0, 0, "usr/f", followLast: true), Is.Null);
    }

    [Test]
    public void LeavesALayerThatMakesUnlistedDirectoriesOverLowerLayersToTheWholeTree()
    {
        // "opt" is not listed: a lower layer might make it a symlink, so the layer alone decides nothing.
        var index = new LayerIndex(Layer, [Entry(LayerEntryKind.Directory, "usr"), Entry(LayerEntryKind.File, "usr/f"), Entry(LayerEntryKind.File, "opt/g")], 0);

        Assert.That(index.Shape.ParentsListed, Is.False);
        Assert.That(PathOnlyLookup.TryResolve(index, 2, 2, "usr/f", followLast: true), Is.Null);
        Assert.That(PathOnlyLookup.TryResolve(index, 0, 0, "usr/f", followLast: true)?.Node?.Entry, Is.SameAs(index.Entries[1]), "at the bottom nothing is assumed");
    }

    [Test]
    public void LeavesADirectoryListedAfterItsChildToTheWholeTree()
    {
        // Applied first, "usr/lib" makes "usr" before the layer lists it.
        var index = new LayerIndex(Layer, [Entry(LayerEntryKind.Directory, "usr/lib"), Entry(LayerEntryKind.Directory, "usr"), Entry(LayerEntryKind.File, "usr/lib/f")], 0);
        var whole = new MergedTree(1);
        whole.Apply(1, index);

        Assert.That(whole.HasAssumptions, Is.True);
        Assert.That(index.Shape.ParentsListed, Is.False);
    }

    [TestCase("usr/./f")]
    [TestCase("usr/lib/../f")]
    [TestCase("/")]
    [TestCase("")]
    public void LeavesTheRootAndDottedPathsToTheWholeTree(string path)
    {
        var index = new LayerIndex(Layer, [Entry(LayerEntryKind.Directory, "usr"), Entry(LayerEntryKind.File, "usr/f")], 0);

        Assert.That(PathOnlyLookup.TryResolve(index, 0, 0, path, followLast: true), Is.Null);
    }

    // The cross-check's plain layers (files sized by their paths), with a file now and then made a device: a device
    // replaces what is at its path as a file does.
    private static List<LayerIndexEntry> GeneratePlainLayer(Random random)
        => [.. MergeCrossCheckTests.GeneratePlainLayer(random).Select(e => Entry(
            e.Kind == 'd' ? LayerEntryKind.Directory : random.Next(8) == 0 ? LayerEntryKind.CharacterDevice : LayerEntryKind.File,
            e.Path))];

    private static string RandomPath(Random random)
        => string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Names[random.Next(Names.Length)]));

    private static LayerIndexEntry Entry(LayerEntryKind kind, string path)
        => new(path, kind, kind == LayerEntryKind.File ? path.Length : 0, kind is LayerEntryKind.Symlink or LayerEntryKind.Hardlink ? "usr" : null, 0x1ed, kind == LayerEntryKind.File ? path.Length : 0);

    private static char Kind(LayerEntryKind kind) => kind switch
    {
        LayerEntryKind.Directory => 'd',
        LayerEntryKind.File => 'f',
        _ => 'c',
    };

    // A node and everything below it, with the entries by identity: the same entry objects must end up in the same places.
    private static string Describe(MergedNode? node)
    {
        if (node is null)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        Describe(node, text, 0);
        return text.ToString();
    }

    private static void Describe(MergedNode node, StringBuilder text, int depth)
    {
        text.Append(' ', depth * 2)
            .Append($"{node.Name} {node.Type} tomb={node.IsTombstone} complete={node.Complete} layer={node.Layer} ")
            .Append($"entry={(node.Entry is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(node.Entry))}:{node.Entry?.Path} data={node.DataEntry?.Path}@{node.DataLayer}\n");
        foreach (var child in (node.Children?.Values ?? Enumerable.Empty<MergedNode>()).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            Describe(child, text, depth + 1);
        }
    }
}
