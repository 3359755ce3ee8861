using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Applies YAML merge keys (<c>&lt;&lt;: *defaults</c>, <c>&lt;&lt;: [*a, *b]</c>) to loaded documents, as kubectl does
/// (its YAML decoder, go-yaml, implements the YAML 1.1 merge type): a mapping gets every key of the merged mappings it
/// does not set itself, the first merged mapping winning over later ones. Without this, a Module written with anchors
/// and merges would be read without its merged fields and validated as something it is not.
/// </summary>
/// <remarks>
/// YamlDotNet's own <c>MergingParser</c> is not used: it repeats merged keys next to the mapping's own, which its node
/// model then refuses as duplicates, so the usual "defaults, then overrides" form could not be loaded. Here merged
/// entries are added by reference (aliases already share nodes), each mapping is resolved once, and merged mappings
/// are resolved before they are merged, so merges chain. A quoted <c>"&lt;&lt;"</c> is an ordinary key.
/// </remarks>
internal static class YamlMergeKeys
{
    private static readonly YamlScalarNode MergeKey = new("<<");

    /// <summary>Resolves every merge key under <paramref name="root"/>.</summary>
    /// <exception cref="ManifestLoadException">A merge key's value is not a mapping or a list of mappings.</exception>
    public static void Apply(YamlNode root, string sourceName)
    {
        // Each collection is walked once, however many aliases share it (the alias guard bounds the file, not this walk).
        var visited = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(YamlNode Node, bool ChildrenDone)>();
        pending.Push((root, false));
        while (pending.TryPop(out var item))
        {
            if (item.ChildrenDone)
            {
                // Everything under it, merged mappings included, is resolved: now its own merge.
                Merge((YamlMappingNode)item.Node, sourceName);
                continue;
            }

            if (item.Node is YamlScalarNode || !visited.Add(item.Node))
            {
                continue;
            }

            if (item.Node is YamlMappingNode mapping)
            {
                pending.Push((mapping, true));
                foreach (var (key, value) in mapping.Children)
                {
                    pending.Push((key, false));
                    pending.Push((value, false));
                }
            }
            else if (item.Node is YamlSequenceNode sequence)
            {
                foreach (var child in sequence.Children)
                {
                    pending.Push((child, false));
                }
            }
        }
    }

    private static void Merge(YamlMappingNode mapping, string sourceName)
    {
        var mergeKeys = mapping.Children.Keys.Where(IsMergeKey).ToList();
        if (mergeKeys.Count == 0)
        {
            return;
        }

        foreach (var mergeKey in mergeKeys)
        {
            var value = mapping.Children[mergeKey];
            mapping.Children.Remove(mergeKey);
            IReadOnlyList<YamlNode> sources = value switch
            {
                YamlMappingNode single => [single],
                YamlSequenceNode list when list.Children.All(c => c is YamlMappingNode) => [.. list.Children],
                _ => throw new ManifestLoadException(
                    sourceName,
                    null,
                    null,
                    $"the merge key '<<' at line {mergeKey.Start.Line}, column {mergeKey.Start.Column} must be followed by a mapping or a list of mappings"),
            };

            foreach (YamlMappingNode source in sources)
            {
                foreach (var (key, child) in source.Children)
                {
                    // The mapping's own keys, and those of mappings merged before, win.
                    mapping.Children.TryAdd(key, child);
                }
            }
        }
    }

    private static bool IsMergeKey(YamlNode key) =>
        key is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain } scalar && (scalar.Tag.IsEmpty || scalar.Tag.Value == "tag:yaml.org,2002:merge");
}
