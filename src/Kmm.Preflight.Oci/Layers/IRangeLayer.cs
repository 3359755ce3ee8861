namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A layer whose source can serve a bounded byte range of its blob in one request (a registry with <c>Range</c>, a
/// local file). Files are read through it from decoder checkpoints (random access) and from table-of-contents layers
/// (eStargz, zstd:chunked) without reading what comes before.
/// </summary>
internal interface IRangeLayer : ILayer
{
    /// <summary>
    /// Opens <paramref name="length"/> bytes of the blob as stored from <paramref name="offset"/>; null when the source
    /// would not serve exactly that range (the registry ignored <c>Range</c>). The stream yields exactly
    /// <paramref name="length"/> bytes or throws <see cref="EndOfStreamException"/>; they are not verified (a piece of a
    /// blob has no digest of its own: the caller checks what it makes of them).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the blob.</exception>
    Task<Stream?> OpenRangeAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts fetching a range that will probably be opened soon, so that the request overlaps other work; a later
    /// <see cref="OpenRangeAsync"/> of exactly that range is served from it. Sources that read ranges cheaply ignore it.
    /// </summary>
    void FetchAhead(long offset, int length, CancellationToken cancellationToken)
    {
    }

    /// <summary>
    /// A range already on its way (fetched ahead), served once, as its bytes arrive: the task ends when they start to
    /// arrive, with null when the source would not serve exactly that range. Null (no task) when the range is not on its
    /// way: then <see cref="OpenRangeAsync"/> is the way to read it.
    /// </summary>
    /// <exception cref="ArrivalStoppedException">The fetch failed (the task throws it): read the range afresh.</exception>
    Task<ArrivingBytes?>? TakeArrivingRange(long offset, int length, CancellationToken cancellationToken) => null;
}
