namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A layer whose blob can be read in pieces: bytes <c>[start, start + length)</c> without reading what comes before.
/// Table-of-contents layers (eStargz, zstd:chunked) are listed and read through it; other layers never need it.
/// </summary>
internal interface IRangeReadableLayer : ILayer
{
    /// <summary>
    /// Opens bytes <c>[start, start + length)</c> of the blob as stored. The stream yields exactly
    /// <paramref name="length"/> bytes or throws <see cref="EndOfStreamException"/>; they are not verified (a piece of a
    /// blob has no digest of its own: the caller checks them against the table of contents).
    /// </summary>
    /// <exception cref="RangeIgnoredException">The source answered with the whole blob instead of the range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the blob.</exception>
    Task<Stream> OpenRangeAsync(long start, long length, CancellationToken cancellationToken = default);
}
