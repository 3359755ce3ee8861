using System.IO.Compression;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>Options for <see cref="LayerWriter"/>.</summary>
public sealed record LayerWriterOptions
{
    /// <summary>The compression.</summary>
    /// <value>Default <see cref="LayerWriterCompression.Gzip"/>.</value>
    public LayerWriterCompression Compression { get; init; } = LayerWriterCompression.Gzip;

    /// <summary>The compression level (gzip: zlib levels 1, 6, 9; zstd: 1, 3, 19).</summary>
    /// <value>Default <see cref="CompressionLevel.Optimal"/>.</value>
    public CompressionLevel Level { get; init; } = CompressionLevel.Optimal;

    /// <summary>The modification time of entries that do not set one, and of the parent directories added for them.</summary>
    /// <value>Default the Unix epoch, so the same entries always give the same digest.</value>
    public DateTimeOffset ModificationTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Where <see cref="LayerWriter.CreateTemporaryFile"/> puts its file.</summary>
    /// <value>Default null: <see cref="Path.GetTempPath"/>.</value>
    public string? TemporaryDirectory { get; init; }
}
