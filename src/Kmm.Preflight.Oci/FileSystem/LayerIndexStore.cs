using Kmm.Preflight.Oci.References;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The persisted layer indexes: one file a digest in a directory several processes may share, bounded in size with
/// the least recently used files evicted first.
/// </summary>
/// <remarks>
/// Files are written to a unique temporary name and renamed into place, so a reader sees a whole file or none; a file
/// torn anyway (a crash, a full disk, an edit) fails its checksum and is a miss, replaced by the next verified scan.
/// A hit refreshes the file's modification time, the recency eviction goes by. Two processes evicting at once may
/// both delete the same file (the second delete is a no-op) and an evicted file still open for reading stays readable.
/// </remarks>
internal sealed class LayerIndexStore
{
    private const string FileExtension = ".lidx";
    private const string TemporaryExtension = ".tmp";

    // A temporary file this old was left by a writer that died; younger ones may still be being written.
    private static readonly TimeSpan AbandonedTemporaryAge = TimeSpan.FromMinutes(10);

    private readonly long _maxBytes;
    private readonly ILogger? _logger;

    public LayerIndexStore(string directory, long maxBytes, ILogger? logger)
    {
        Directory = directory;
        _maxBytes = maxBytes;
        _logger = logger;
    }

    public string Directory { get; }

    /// <summary>
    /// The file holding the index of layer <paramref name="digest"/>: made by a digest-verified read of the blob, or,
    /// with <paramref name="toc"/>, from the layer's table of contents of that digest. A TOC index is named by both, so
    /// only a descriptor announcing the same TOC ever uses it, and it never stands for a verified read of the blob.
    /// </summary>
    public string FileOf(Digest digest, Digest? toc = null) => Path.Combine(
        Directory,
        toc is { } t ? $"{digest.Algorithm}-{digest.Hex}.toc-{t.Algorithm}-{t.Hex}{FileExtension}" : $"{digest.Algorithm}-{digest.Hex}{FileExtension}");

    /// <summary>Whether a file for <paramref name="digest"/> exists, from a read of the blob or of a TOC (not whether it is valid).</summary>
    /// <remarks>
    /// TOC files are found in a listing of the directory taken once (then kept up to date with this store's own
    /// writes): asked for every image's top layer, a listing each time would cost a directory scan per image. A TOC
    /// index another process writes later, or one evicted since, is misjudged; the only cost is a prefetch that was
    /// not needed, or a TOC fetched after the config instead of alongside it.
    /// </remarks>
    public bool Contains(Digest digest)
    {
        if (File.Exists(FileOf(digest)))
        {
            return true;
        }

        var layers = LazyInitializer.EnsureInitialized(ref _tocLayers, ListTocLayers);
        lock (layers)
        {
            return layers.Contains(digest.ToString());
        }
    }

    private HashSet<string>? _tocLayers;

    // "sha256-HEX.toc-…" names the layer sha256:HEX.
    private HashSet<string> ListTocLayers()
    {
        var layers = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, $"*.toc-*{FileExtension}"))
            {
                var name = Path.GetFileName(file);
                var toc = name.IndexOf(".toc-", StringComparison.Ordinal);
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash > 0 && dash < toc)
                {
                    layers.Add($"{name[..dash]}:{name[(dash + 1)..toc]}");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No directory yet, or unreadable: nothing is cached.
        }

        return layers;
    }

    /// <summary>The stored index of <paramref name="digest"/> (made from TOC <paramref name="toc"/> when given), or null when there is none or it does not check out.</summary>
    public async Task<LayerIndex?> TryLoadAsync(Digest digest, CancellationToken cancellationToken, Digest? toc = null)
    {
        var file = FileOf(digest, toc);
        byte[] bytes;
        try
        {
            // FileShare.Delete: another process may evict or replace the file while it is read.
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
            if (stream.Length > _maxBytes + LayerIndexFile.TrailerBytes || stream.Length > Array.MaxLength)
            {
                _logger?.LogDebug("Layer index cache file {File} is larger than the cache bound; ignored", file);
                return null;
            }

            bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger?.LogDebug("Layer index cache file {File} is unreadable ({Message}); treated as a miss", file, ex.Message);
            return null;
        }

        if (LayerIndexFile.TryDecode(bytes, digest, toc) is not { } index)
        {
            _logger?.LogInformation("Layer index cache file {File} is torn or corrupt (its checksum or format does not match); ignored, the layer is read again and the file replaced", file);
            return null;
        }

        Touch(file);
        return index;
    }

    /// <summary>Writes <paramref name="index"/> atomically, then evicts down to the bound. Never throws for I/O: the cache is an optimisation.</summary>
    public void Save(LayerIndex index)
    {
        var file = FileOf(index.Digest, index.Toc?.TocDigest);
        var temporary = file + "." + Guid.NewGuid().ToString("N") + TemporaryExtension;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var bytes = LayerIndexFile.Encode(index);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
            }

            File.Move(temporary, file, overwrite: true);
            if (index.Toc is not null && _tocLayers is { } layers)
            {
                lock (layers)
                {
                    layers.Add(index.Digest.ToString());
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk must not fail the scan.
            _logger?.LogDebug("Layer index of {Layer} not persisted to {Directory}: {Message}", index.Digest, Directory, ex.Message);
            TryDelete(temporary);
            return;
        }

        Evict();
    }

    /// <summary>Deletes the least recently used index files until the directory holds at most the bound, and abandoned temporary files.</summary>
    public void Evict()
    {
        var files = new List<(string Path, long Length, DateTime Used)>();
        try
        {
            var now = DateTime.UtcNow;
            foreach (var info in new DirectoryInfo(Directory).EnumerateFiles())
            {
                // On Unix the size and time are read (lstat) only now: another process may have evicted the file since
                // it was listed, which is not an error.
                try
                {
                    if (info.Name.EndsWith(FileExtension, StringComparison.Ordinal))
                    {
                        files.Add((info.FullName, info.Length, info.LastWriteTimeUtc));
                    }
                    else if (info.Name.EndsWith(TemporaryExtension, StringComparison.Ordinal) && info.Name.Contains(FileExtension + ".", StringComparison.Ordinal)
                        && now - info.LastWriteTimeUtc > AbandonedTemporaryAge)
                    {
                        TryDelete(info.FullName);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        var total = files.Sum(f => f.Length);
        if (total <= _maxBytes)
        {
            return;
        }

        // Least recently used first: hits refresh the modification time.
        files.Sort((a, b) => a.Used.CompareTo(b.Used));
        var evicted = 0;
        foreach (var (path, length, _) in files)
        {
            if (total <= _maxBytes)
            {
                break;
            }

            TryDelete(path);
            total -= length;
            evicted++;
        }

        _logger?.LogDebug("Layer index cache {Directory}: evicted {Count} least recently used file(s) to stay under {Bound} bytes", Directory, evicted, _maxBytes);
    }

    private static void Touch(string file)
    {
        try
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Evicted or replaced by another process since it was read: nothing to refresh.
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
