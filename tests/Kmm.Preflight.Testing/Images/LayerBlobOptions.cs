using System.IO.Compression;

namespace Kmm.Preflight.Testing.Images;

/// <summary>How <see cref="LayerBuilder"/> turns its tar into a blob.</summary>
public sealed record LayerBlobOptions
{
    /// <summary>The compression.</summary>
    /// <value>Default <see cref="LayerCompression.Gzip"/>.</value>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>
    /// When positive, the tar is compressed in independent chunks of this many uncompressed bytes: several zstd frames
    /// or several gzip members, as zstd:chunked, pigz --independent or concatenated files produce. 0 means one.
    /// </summary>
    /// <value>Default 0.</value>
    public int FrameSize { get; init; }

    /// <summary>Whether a zstd skippable frame is written before the data (decoders must skip it).</summary>
    /// <value>Default false.</value>
    public bool LeadingSkippableFrame { get; init; }

    /// <summary>The compression level (gzip: Fastest/Optimal/SmallestSize; zstd: 1/3/19).</summary>
    /// <value>Default <see cref="CompressionLevel.Optimal"/>.</value>
    public CompressionLevel Level { get; init; } = CompressionLevel.Optimal;
}
