namespace Kmm.Preflight.Oci.Registry;

/// <summary>The body of a blob upload, replayable or not.</summary>
internal abstract class BlobContent
{
    /// <summary>Whether the body can be sent again after a failed attempt.</summary>
    public abstract bool IsReplayable { get; }

    /// <summary>An <see cref="HttpContent"/> for <paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    public abstract HttpContent Create(long offset, long length);

    /// <summary>Copies up to <paramref name="count"/> bytes from <paramref name="offset"/> into <paramref name="buffer"/>.</summary>
    public abstract Task<int> ReadChunkAsync(byte[] buffer, long offset, int count, CancellationToken cancellationToken);
}
