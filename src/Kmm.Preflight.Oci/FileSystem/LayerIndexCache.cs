using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.References;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Caches each layer's file index by digest (layer contents never change for a digest), in memory and optionally
/// in a directory, so a layer shared by many images or modules is read once. Thread-safe: concurrent requests for
/// the same digest share one scan.
/// </summary>
/// <remarks>
/// An index holds the content of the files retained by the <see cref="ImageFileSystemOptions.RetainContent"/> in
/// force when the layer was scanned; files retained under another predicate are read again from the layer on demand
/// (once per layer and predicate, however many images share the layer).
/// An index is written to the directory only after a scan that read the whole blob, so its digest and size were
/// verified; a scan that was abandoned, failed, or stopped short of the blob's end is used by its callers but never
/// persisted.
/// </remarks>
public sealed class LayerIndexCache
{
    private readonly ConcurrentDictionary<Digest, Lazy<Scan>> _indexes = new();
    private readonly ConcurrentDictionary<(Digest Digest, Func<string, long, bool> RetainContent), Lazy<Task<LayerIndex>>> _rescans = new();
    private readonly LayerIndexStore? _store;

    // Per resolved image (by reference, collected with it): the merged tree its file systems share.
    private readonly ConditionalWeakTable<ResolvedImage, MergedTreeSlot> _trees = new();

    // Whole-image trees by chain of layers: images over the same base layers share its merge.
    private readonly MergedTreeChains _chains = new();
    private readonly ILogger? _logger;

    /// <summary>Creates an in-memory cache, persisted under <paramref name="directory"/> when given (bounded by <see cref="LayerIndexCacheOptions.DefaultMaxSizeBytes"/>).</summary>
    public LayerIndexCache(string? directory = null)
        : this(new LayerIndexCacheOptions { Directory = directory })
    {
    }

    /// <summary>Creates a cache with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (every problem listed).</exception>
    public LayerIndexCache(LayerIndexCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxSizeBytes <= 0)
        {
            problems.Add($"MaxSizeBytes must be positive (got {options.MaxSizeBytes})");
        }

        if (options.Directory is { Length: 0 })
        {
            problems.Add("Directory must not be empty (null keeps indexes in memory only)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"invalid layer index cache options: {string.Join("; ", problems)}", nameof(options));
        }

        Options = options;
        Directory = options.Directory;
        _logger = options.Logger;
        _store = options.Directory is { } directory ? new LayerIndexStore(directory, options.MaxSizeBytes, options.Logger) : null;
    }

    /// <summary>The persistence directory, or null.</summary>
    public string? Directory { get; }

    /// <summary>The options.</summary>
    public LayerIndexCacheOptions Options { get; }

    /// <summary>
    /// Whether the index of <paramref name="digest"/> is held in memory (or being built) or stored in the directory,
    /// so reading the layer again is likely unneeded (a stored file may still turn out torn).
    /// </summary>
    /// <remarks>Use it as <see cref="Registry.RegistryClientOptions.TopLayerPrefetchFilter"/> (negated) so a warm run does not prefetch layers it will not read.</remarks>
    public bool Contains(Digest digest) => _indexes.ContainsKey(digest) || _store?.Contains(digest) == true;

    /// <summary>How many layer indexes are held in memory (including scans in progress).</summary>
    public int Count => _indexes.Count;

    /// <summary>Drops the in-memory indexes (the persisted ones stay).</summary>
    public void Clear()
    {
        _indexes.Clear();
        _rescans.Clear();
        _trees.Clear();
        _chains.Clear();
    }

    /// <summary>The index of <paramref name="digest"/>: from memory, else from the directory, else from <paramref name="scan"/>.</summary>
    /// <remarks>The scan is shared by every caller waiting for it, and cancelled only when all of them have given up.</remarks>
    /// <param name="digest">The layer.</param>
    /// <param name="scan">Reads the layer when no index is known.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (the scan stops when every caller has given up).</param>
    /// <param name="toc">The TOC digest the layer's descriptor announces, if any: an index made from that TOC is taken from the directory too.</param>
    internal async Task<LayerIndex> GetOrAddAsync(Digest digest, Func<CancellationToken, Task<LayerIndex>> scan, CancellationToken cancellationToken, Digest? toc = null)
    {
        while (true)
        {
            var known = _indexes.TryGetValue(digest, out var lazy);
            lazy = known ? lazy! : _indexes.GetOrAdd(digest, d => new Lazy<Scan>(() => new Scan(this, d, toc, scan)));
            var pending = lazy.Value;
            if (!pending.TryJoin())
            {
                // Abandoned by all its callers an instant ago: start afresh.
                _indexes.TryRemove(new KeyValuePair<Digest, Lazy<Scan>>(digest, lazy));
                continue;
            }

            if (known)
            {
                Telemetry.OciTelemetry.CacheHit("memory");
            }

            try
            {
                return await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (pending.Task.IsFaulted || pending.Task.IsCanceled)
            {
                _indexes.TryRemove(new KeyValuePair<Digest, Lazy<Scan>>(digest, lazy));
                if (pending.Task.IsCanceled && !cancellationToken.IsCancellationRequested)
                {
                    continue;
                }

                throw;
            }
            finally
            {
                if (pending.Leave() && !pending.Task.IsCompleted)
                {
                    _indexes.TryRemove(new KeyValuePair<Digest, Lazy<Scan>>(digest, lazy));
                }
            }
        }
    }

    /// <summary>The merged tree shared by every file system over <paramref name="image"/> with this cache.</summary>
    internal MergedTreeSlot TreesOf(ResolvedImage image) => _trees.GetValue(image, _ => new MergedTreeSlot());

    /// <summary>Whole-image merged trees shared by every image of this cache over the same chain of layers.</summary>
    internal MergedTreeChains Chains => _chains;

    /// <summary>
    /// A fresh scan of a layer retaining the content <paramref name="retainContent"/> wants, shared by every image
    /// (of this cache) asking with the same predicate; it then replaces the layer's index in memory and on disk.
    /// </summary>
    internal Task<LayerIndex> RescanAsync(Digest digest, Func<string, long, bool> retainContent, Func<Task<LayerIndex>> scan, CancellationToken cancellationToken)
    {
        var key = (digest, retainContent);
        Lazy<Task<LayerIndex>>? lazy = null;
        lazy = _rescans.GetOrAdd(key, _ => new Lazy<Task<LayerIndex>>(async () =>
        {
            try
            {
                var index = await scan().ConfigureAwait(false);
                Replace(index);
                return index;
            }
            catch
            {
                // A failed rescan is not remembered: the next caller tries again and sees its own error.
                _rescans.TryRemove(KeyValuePair.Create(key, lazy!));
                throw;
            }
        }));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Replaces the index of a layer by a newer scan of it (one that retained more content), in memory and on disk.</summary>
    internal void Replace(LayerIndex index)
    {
        _indexes[index.Digest] = new Lazy<Scan>(new Scan(index));
        Persist(index);
    }

    private async Task<LayerIndex> LoadOrScanAsync(Digest digest, Digest? toc, Func<CancellationToken, Task<LayerIndex>> scan, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (_store is not null && await _store.TryLoadAsync(digest, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            Telemetry.OciTelemetry.CacheHit("disk");
            return stored;
        }

        if (_store is not null && toc is not null && await _store.TryLoadAsync(digest, cancellationToken, toc).ConfigureAwait(false) is { } fromToc)
        {
            Telemetry.OciTelemetry.CacheHit("disk");
            return fromToc;
        }

        var index = await scan(cancellationToken).ConfigureAwait(false);
        Persist(index);
        return index;
    }

    // Only what a whole, digest-verified read produced is worth keeping: anything else could be a truncated or
    // substituted blob's entries, and a later run would trust them without reading a byte.
    private void Persist(LayerIndex index)
    {
        if (_store is null)
        {
            return;
        }

        // A table-of-contents index was verified against the TOC digest the descriptor announces, never the blob's: it
        // is stored under both digests, and only a descriptor announcing that TOC reads it back (as an index made from
        // that TOC, not as a verified read of the blob).
        if (index.Toc is not null)
        {
            if (index.Toc.TocDigest.IsEmpty)
            {
                _logger?.LogDebug("Layer index of {Layer} not persisted: it was made from a table of contents of unknown digest", index.Digest);
                return;
            }

            _store.Save(index);
            return;
        }

        if (!index.DigestVerified)
        {
            _logger?.LogDebug("Layer index of {Layer} not persisted: the blob was not read to its end, so its digest was not verified", index.Digest);
            return;
        }

        _store.Save(index);
    }

    /// <summary>One load-or-scan of a layer and the callers waiting for it.</summary>
    [SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource without timer or wait handle holds nothing to release; disposing it would race with Cancel.")]
    private sealed class Scan
    {
        private readonly CancellationTokenSource? _stop;
        private int _waiters;

        public Scan(LayerIndexCache cache, Digest digest, Digest? toc, Func<CancellationToken, Task<LayerIndex>> scan)
        {
            _stop = new CancellationTokenSource();
            Task = cache.LoadOrScanAsync(digest, toc, scan, _stop.Token);
        }

        public Scan(LayerIndex index)
        {
            Task = System.Threading.Tasks.Task.FromResult(index);
        }

        public Task<LayerIndex> Task { get; }

        /// <summary>Registers a waiter; false when the scan was already abandoned.</summary>
        public bool TryJoin()
        {
            while (true)
            {
                var current = Volatile.Read(ref _waiters);
                if (current < 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _waiters, current + 1, current) == current)
                {
                    return true;
                }
            }
        }

        /// <summary>Unregisters a waiter; when it was the last and the scan still runs, cancels it and returns true.</summary>
        public bool Leave()
        {
            if (Interlocked.Decrement(ref _waiters) != 0 || Task.IsCompleted || _stop is null)
            {
                return false;
            }

            // Mark abandoned so no late joiner waits on a cancelled scan.
            if (Interlocked.CompareExchange(ref _waiters, -1, 0) != 0)
            {
                return false;
            }

            _stop.Cancel();
            return true;
        }
    }
}
