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

    /// <summary>How the layer was read: streamed, or listed from its table of contents (eStargz, zstd:chunked).</summary>
    /// <value>Default <see cref="LayerReadMethod.Stream"/>.</value>
    public LayerReadMethod Method { get; init; }

    /// <summary>
    /// Why the layer was read as it was, when that is worth saying: e.g. a table-of-contents layer streamed because the
    /// registry ignored <c>Range</c> or the TOC failed verification. Null otherwise.
    /// </summary>
    public string? Note { get; init; }
}
