using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Caches each layer's file index by digest (layer contents never change for a digest), in memory and optionally
/// in a directory, so a layer shared by many images or modules is read once. Thread-safe: concurrent requests for
/// the same digest share one scan.
/// </summary>
/// <remarks>
/// An index holds the content of the files retained by the <see cref="ImageFileSystemOptions.RetainContent"/> in
/// force when the layer was scanned; files retained under another predicate are read again from the layer on demand.
/// </remarks>
public sealed class LayerIndexCache
{
    private const string FileExtension = ".lidx";

    private readonly ConcurrentDictionary<Digest, Lazy<Scan>> _indexes = new();

    /// <summary>Creates an in-memory cache, persisted under <paramref name="directory"/> when given.</summary>
    public LayerIndexCache(string? directory = null)
    {
        Directory = directory;
    }

    /// <summary>The persistence directory, or null.</summary>
    public string? Directory { get; }

    /// <summary>How many layer indexes are held in memory (including scans in progress).</summary>
    public int Count => _indexes.Count;

    /// <summary>Drops the in-memory indexes (the persisted ones stay).</summary>
    public void Clear() => _indexes.Clear();

    /// <summary>The index of <paramref name="digest"/>: from memory, else from the directory, else from <paramref name="scan"/>.</summary>
    /// <remarks>The scan is shared by every caller waiting for it, and cancelled only when all of them have given up.</remarks>
    internal async Task<LayerIndex> GetOrAddAsync(Digest digest, Func<CancellationToken, Task<LayerIndex>> scan, CancellationToken cancellationToken)
    {
        while (true)
        {
            var known = _indexes.TryGetValue(digest, out var lazy);
            lazy = known ? lazy! : _indexes.GetOrAdd(digest, d => new Lazy<Scan>(() => new Scan(this, d, scan)));
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

    /// <summary>Replaces the index of a layer by a newer scan of it (one that retained more content), in memory and on disk.</summary>
    internal void Replace(LayerIndex index)
    {
        _indexes[index.Digest] = new Lazy<Scan>(new Scan(index));
        if (Directory is not null)
        {
            Persist(FileOf(index.Digest), index);
        }
    }

    private string FileOf(Digest digest) => Path.Combine(Directory!, $"{digest.Algorithm}-{digest.Hex}{FileExtension}");

    private async Task<LayerIndex> LoadOrScanAsync(Digest digest, Func<CancellationToken, Task<LayerIndex>> scan, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var file = Directory is null ? null : FileOf(digest);
        if (file is not null && File.Exists(file))
        {
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
                if (LayerIndexSerializer.TryRead(stream, digest) is { } stored)
                {
                    Telemetry.OciTelemetry.CacheHit("disk");
                    return stored;
                }
            }
            catch (IOException)
            {
                // An unreadable cache file is a miss.
            }
        }

        var index = await scan(cancellationToken).ConfigureAwait(false);

        // An index from a table of contents is not persisted: its data offsets name TOC files, which the stored form
        // does not keep, and reading the TOC again costs two small ranged reads.
        if (file is not null && index.Toc is null)
        {
            Persist(file, index);
        }

        return index;
    }

    private static void Persist(string file, LayerIndex index)
    {
        var temporary = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                LayerIndexSerializer.Write(stream, index);
            }

            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Persistence is an optimisation: a read-only or full disk must not fail the scan.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>One load-or-scan of a layer and the callers waiting for it.</summary>
    [SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource without timer or wait handle holds nothing to release; disposing it would race with Cancel.")]
    private sealed class Scan
    {
        private readonly CancellationTokenSource? _stop;
        private int _waiters;

        public Scan(LayerIndexCache cache, Digest digest, Func<CancellationToken, Task<LayerIndex>> scan)
        {
            _stop = new CancellationTokenSource();
            Task = cache.LoadOrScanAsync(digest, scan, _stop.Token);
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
