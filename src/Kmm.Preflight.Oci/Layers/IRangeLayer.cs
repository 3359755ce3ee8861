namespace Kmm.Preflight.Oci.Layers;

/// <summary>A layer whose source can serve a bounded byte range of its blob in one request (a registry, with <c>Range</c>).</summary>
internal interface IRangeLayer : ILayer
{
    /// <summary>
    /// Opens <paramref name="length"/> bytes of the blob from <paramref name="offset"/>, unverified; null when the
    /// source would not serve exactly that range (the registry ignored <c>Range</c>).
    /// </summary>
    Task<Stream?> OpenRangeAsync(long offset, long length, CancellationToken cancellationToken = default);
}
