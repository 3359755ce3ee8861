namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// Bounds applied while reading a layer, so a hostile or broken layer fails with a clear error instead of exhausting
/// memory or time.
/// </summary>
public sealed record LayerLimits
{
    /// <summary>The defaults.</summary>
    public static LayerLimits Default { get; } = new();

    /// <summary>Largest PAX extended header or GNU long name/link accepted for one entry.</summary>
    /// <value>Default 1 MiB.</value>
    public int MaxHeaderBytes { get; init; } = 1024 * 1024;

    /// <summary>Most tar headers (entries, including metadata headers) read from one layer.</summary>
    /// <value>Default 1,000,000.</value>
    public long MaxEntries { get; init; } = 1_000_000;

    /// <summary>Most uncompressed bytes read from one layer.</summary>
    /// <value>Default 64 GiB.</value>
    public long MaxUncompressedBytes { get; init; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Longest entry path or link target accepted, in characters.</summary>
    /// <value>Default 4096 (Linux <c>PATH_MAX</c>).</value>
    public int MaxPathLength { get; init; } = 4096;

    /// <summary>
    /// Largest table of contents (eStargz, zstd:chunked) read from a layer, compressed and uncompressed alike; a larger
    /// one is not used and the layer is streamed instead.
    /// </summary>
    /// <value>Default 64 MiB.</value>
    public int MaxTableOfContentsBytes { get; init; } = 64 * 1024 * 1024;
}
