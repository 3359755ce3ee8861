using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Reading layer indexes and merging them into trees, top down for point queries.</summary>
public sealed partial class ImageFileSystem
{
    private readonly LayerIndexCache _cache;
    private readonly SemaphoreSlim _scanGate;
    private readonly ConcurrentDictionary<int, Lazy<Task<Dictionary<long, byte[]>>>> _rescans = new();

    // The tree reaching lowest so far, shared with every view of the same image over the same cache.
    private readonly MergedTreeSlot _trees;

    private async Task<PathLookup> LookupAsync(string path, bool followLast, CancellationToken cancellationToken)
    {
        var layerCount = Image.Layers.Count;
        if (layerCount == 0)
        {
            return new MergedTree(0).Resolve(path, followLast);
        }

        var tree = Volatile.Read(ref _trees.Deepest);
        var lowest = tree?.LowestLayer ?? layerCount;
        if (tree is not null)
        {
            var lookup = tree.Resolve(path, followLast);
            if (tree.Decides(lookup))
            {
                return lookup;
            }
        }

        var fetchAhead = LayerPath.Normalise(path);
        for (var layer = lowest - 1; layer >= 0; layer--)
        {
            if (layer == layerCount - 1)
            {
                // Nothing merged yet: the top layer may decide the path from its entries on it alone.
                var top = await GetIndexAsync(layer, cancellationToken, fetchAhead).ConfigureAwait(false);
                if (PathOnlyLookup.TryResolve(top, layer, layer, path, followLast) is { } quick)
                {
                    return quick;
                }
            }

            tree = await GetTreeAsync(layer, cancellationToken, fetchAhead).ConfigureAwait(false);
            var lookup = tree.Resolve(path, followLast);
            if (tree.Decides(lookup))
            {
                if (layer > 0)
                {
                    Options.Logger?.LogDebug("'{Path}' in {Image} decided by layers {Lowest}..{Top}; lower layers not read", path, Image.Name, layer, layerCount - 1);
                }

                return lookup;
            }
        }

        throw new InvalidOperationException("The whole image always decides a lookup.");
    }

    /// <summary>
    /// Resolves a directory to list: from the layers already read when they decide its whole (sub)tree (say, an
    /// opaque directory in an upper layer), else from every layer, fetched in parallel.
    /// </summary>
    private async Task<PathLookup> LookupSubtreeAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var tree = Volatile.Read(ref _trees.Deepest);
        if (tree is { LowestLayer: 0 })
        {
            // The whole image: it knows every subtree in full, no need to walk it to check.
            return tree.Resolve(path, followLast: true);
        }

        if (tree is not null)
        {
            var lookup = tree.Resolve(path, followLast: true);
            if (tree.Decides(lookup) && (lookup.Status != PathLookupStatus.Found || MergedTree.IsKnownInFull(lookup.Node!, recursive)))
            {
                return lookup;
            }
        }

        var full = await GetFullTreeAsync(cancellationToken).ConfigureAwait(false);
        return full.Resolve(path, followLast: true);
    }

    private Task<MergedTree> GetFullTreeAsync(CancellationToken cancellationToken)
    {
        var tree = Volatile.Read(ref _trees.Deepest);
        if (tree is { LowestLayer: 0 })
        {
            return Task.FromResult(tree);
        }

        return FetchAllThenBuildAsync(cancellationToken);
    }

    private async Task<MergedTree> FetchAllThenBuildAsync(CancellationToken cancellationToken)
    {
        // Start every layer at once; the scan gate keeps at most MaxParallelLayers streaming.
        await Task.WhenAll(Enumerable.Range(0, Image.Layers.Count).Select(i => GetIndexAsync(i, cancellationToken))).ConfigureAwait(false);
        return await GetTreeAsync(0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tree of layers <paramref name="lowestLayer"/> to the top.</summary>
    private async Task<MergedTree> GetTreeAsync(int lowestLayer, CancellationToken cancellationToken, string? fetchAhead = null)
    {
        var indexes = new LayerIndex[Image.Layers.Count - lowestLayer];
        for (var layer = Image.Layers.Count - 1; layer >= lowestLayer; layer--)
        {
            indexes[layer - lowestLayer] = await GetIndexAsync(layer, cancellationToken, fetchAhead).ConfigureAwait(false);
        }

        await _trees.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _trees.Deepest;
            if (current is not null && current.LowestLayer <= lowestLayer)
            {
                return current;
            }

            var tree = lowestLayer == 0
                ? _cache.Chains.WholeImage([.. Image.Layers.Select(l => l.Descriptor.Digest)], indexes, Options.Logger)
                : BuildUpperTree(lowestLayer, indexes);

            Volatile.Write(ref _trees.Deepest, tree);
            return tree;
        }
        finally
        {
            _trees.Lock.Release();
        }
    }

    // Layers lowestLayer.. of this image alone: a point query's tree, which stops above the layers other images share.
    private MergedTree BuildUpperTree(int lowestLayer, LayerIndex[] indexes)
    {
        var tree = new MergedTree(lowestLayer, Options.Logger);
        for (var layer = lowestLayer; layer < Image.Layers.Count; layer++)
        {
            tree.Apply(layer, indexes[layer - lowestLayer]);
        }

        return tree;
    }

    /// <summary>Content retained by a fresh pass over a layer under this view's predicate, by data offset.</summary>
    private Task<Dictionary<long, byte[]>> GetRetainedContentAsync(int layer, CancellationToken cancellationToken)
    {
        var lazy = _rescans.GetOrAdd(layer, l => new Lazy<Task<Dictionary<long, byte[]>>>(() => RescanAsync(l)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    private async Task<Dictionary<long, byte[]>> RescanAsync(int layer)
    {
        var source = Image.Layers[layer];
        var settings = ScanSettings;

        // Shared through the cache: every image over this layer with the same predicate waits for one pass.
        var index = await _cache.RescanAsync(
            source.Descriptor.Digest,
            Options.RetainContent!,
            () =>
            {
                Options.Logger?.LogDebug("Layer {Layer} of {Image} was indexed under another retention predicate; reading it again", source.Descriptor.Digest, Image.Name);
                return LayerIndexer.IndexAsync(source, settings, CancellationToken.None);
            },
            CancellationToken.None).ConfigureAwait(false);
        var content = new Dictionary<long, byte[]>();
        foreach (var entry in index.Entries)
        {
            if (entry.Content is not null)
            {
                content[entry.DataOffset] = entry.Content;
            }
        }

        return content;
    }

    private LayerScanSettings ScanSettings => new(Image.Name, Options.RetainContent, Options.Limits, Options.Progress, Options.Logger, RecordRandomAccess: _cache.Directory is not null);

    /// <param name="layer">The layer's position.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="fetchAhead">The path of the lookup that needs the index (see <see cref="LayerScanSettings.FetchAhead"/>).</param>
    private Task<LayerIndex> GetIndexAsync(int layer, CancellationToken cancellationToken, string? fetchAhead = null)
    {
        var source = Image.Layers[layer];
        var settings = ScanSettings with { FetchAhead = fetchAhead };
        return _cache.GetOrAddAsync(
            source.Descriptor.Digest,
            async token =>
            {
                await _scanGate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    return await LayerIndexing.IndexAsync(source, settings, token).ConfigureAwait(false);
                }
                finally
                {
                    _scanGate.Release();
                }
            },
            cancellationToken,
            LayerIndexing.TocDigestOf(source));
    }
}
