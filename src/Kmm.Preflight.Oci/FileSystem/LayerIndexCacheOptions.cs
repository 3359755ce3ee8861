using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Options for <see cref="LayerIndexCache"/>.</summary>
public sealed record LayerIndexCacheOptions
{
    /// <summary>The default bound of a cache directory: 1 GiB.</summary>
    public const long DefaultMaxSizeBytes = 1L << 30;

    /// <summary>
    /// Where indexes are kept between runs and processes, one file a layer digest; null keeps them in memory only.
    /// Several processes may share it: files are written whole (temporary file and rename), and a torn or corrupted
    /// file is ignored and replaced.
    /// </summary>
    /// <value>Default null.</value>
    public string? Directory { get; init; }

    /// <summary>
    /// The most bytes of index files kept in <see cref="Directory"/>; after each write the least recently used
    /// files (by modification time, which a hit refreshes) are deleted until the directory is under it.
    /// </summary>
    /// <value>Default <see cref="DefaultMaxSizeBytes"/> (1 GiB).</value>
    public long MaxSizeBytes { get; init; } = DefaultMaxSizeBytes;

    /// <summary>Logger for cache hits, misses, rejected files and evictions; null for none.</summary>
    public ILogger? Logger { get; init; }
}
