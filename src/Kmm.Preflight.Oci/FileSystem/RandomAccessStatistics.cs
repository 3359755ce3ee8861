namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// What reading files from the middle of layers did, for one <see cref="ImageFileSystem"/>: verified ranged reads,
/// the compressed bytes they fetched, and how often a read fell back to streaming the layer (and the last reason).
/// Thread-safe.
/// </summary>
internal sealed class RandomAccessStatistics
{
    private long _ranged;
    private long _bytes;
    private long _fallbacks;
    private string? _lastFallback;

    /// <summary>Files returned from a ranged read whose bytes matched the recorded SHA-256.</summary>
    public long VerifiedRangedReads => Interlocked.Read(ref _ranged);

    /// <summary>Compressed bytes fetched by ranged reads (verified or not).</summary>
    public long CompressedBytesRead => Interlocked.Read(ref _bytes);

    /// <summary>Ranged reads given up for streaming: Range ignored, decoding failed, or the bytes did not match.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    /// <summary>Why the last fallback happened; null when none did.</summary>
    public string? LastFallbackReason => Volatile.Read(ref _lastFallback);

    internal void Fetched(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void Verified() => Interlocked.Increment(ref _ranged);

    internal void FellBack(string reason)
    {
        Volatile.Write(ref _lastFallback, reason);
        Interlocked.Increment(ref _fallbacks);
    }
}
