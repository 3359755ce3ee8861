using System.Collections.Concurrent;
using Kmm.Preflight.Oci.References;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Whole-image merged trees by their chain of layer digests, shared by every image of a cache: the tree of layers
/// [L0..Ln] is a pure function of their digests, so images over the same base layers merge the base once and each
/// applies only its own layers, over the shared tree, without copying it (<see cref="MergedTree(MergedTree, ILogger?)"/>).
/// </summary>
/// <remarks>
/// A tree is keyed by the tree below it and its top layer's digest, so equal keys mean equal chains from layer 0.
/// Trees are held as long as the cache holds layer indexes (until <see cref="Clear"/>); derived trees share their
/// unchanged nodes, so a chain costs little more than its largest layer. A layer whose index is later replaced by a
/// rescan keeps its old entries here: those differ only in retained content, which readers fetch again on demand.
/// </remarks>
internal sealed class MergedTreeChains
{
    private readonly ConcurrentDictionary<(MergedTree? Lower, Digest Layer), Lazy<MergedTree>> _trees = new();

    /// <summary>The tree of every layer of an image, bottom first: the longest chain already merged is reused.</summary>
    public MergedTree WholeImage(IReadOnlyList<Digest> layers, IReadOnlyList<LayerIndex> indexes, ILogger? logger)
    {
        MergedTree? tree = null;
        for (var layer = 0; layer < layers.Count; layer++)
        {
            var lower = tree;
            var key = (lower, layers[layer]);
            var index = indexes[layer];
            var applied = layer;

            // One merge a chain however many images wait for it; its merge is CPU only and short, so they block.
            var lazy = _trees.GetOrAdd(key, _ => new Lazy<MergedTree>(() => Apply(lower, applied, index, logger)));
            try
            {
                tree = lazy.Value;
            }
            catch
            {
                // Not remembered: the next image tries again and sees its own error.
                _trees.TryRemove(KeyValuePair.Create(key, lazy));
                throw;
            }
        }

        return tree ?? new MergedTree(0, logger);
    }

    /// <summary>Drops every tree.</summary>
    public void Clear() => _trees.Clear();

    private static MergedTree Apply(MergedTree? lower, int layer, LayerIndex index, ILogger? logger)
    {
        var tree = lower is null ? new MergedTree(0, logger) : new MergedTree(lower, logger);
        tree.Apply(layer, index);
        return tree;
    }
}
