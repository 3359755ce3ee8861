using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Progress of reading one layer.</summary>
/// <param name="Image">The image's name.</param>
/// <param name="Layer">The layer's digest.</param>
/// <param name="CompressedBytesRead">Compressed bytes read so far.</param>
/// <param name="CompressedSize">Compressed size of the layer.</param>
/// <param name="EntriesRead">Tar entries read so far.</param>
/// <param name="Completed">Whether the layer has been read to its end (or abandoned, when the answer was decided).</param>
public sealed record LayerScanProgress(string Image, Digest Layer, long CompressedBytesRead, long CompressedSize, long EntriesRead, bool Completed)
{
    /// <summary>
    /// Whether the blob was read to its end, so the layer source verified its digest and size; false while reading
    /// and for reads abandoned once the answer was known ("unverified").
    /// </summary>
    public bool Verified { get; init; }
}
