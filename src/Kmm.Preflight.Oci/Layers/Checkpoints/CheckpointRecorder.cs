namespace Kmm.Preflight.Oci.Layers.Checkpoints;

/// <summary>
/// Collects <see cref="DecoderCheckpoint"/>s while a layer is decoded, one at the first point a decoder can offer after
/// every <see cref="Interval"/> bytes of output. Used by one decoding stream at a time.
/// </summary>
internal sealed class CheckpointRecorder
{
    /// <summary>Uncompressed bytes between checkpoints by default: 4 MiB, about 1 MB of a typical gzip layer to
    /// fetch for a file, and ~100 checkpoints (~5 MB of compressed state) for a 400 MB layer.</summary>
    public const long DefaultInterval = 4L * 1024 * 1024;

    private readonly List<DecoderCheckpoint> _checkpoints = [];
    private long _next;

    public CheckpointRecorder(long interval = DefaultInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        Interval = interval;
        _next = interval;
    }

    /// <summary>Output bytes between checkpoints.</summary>
    public long Interval { get; }

    /// <summary>The format of the states recorded (<see cref="Gzip.IsalSnapshots.Format"/>), or null when none carries one.</summary>
    public string? StateFormat { get; private set; }

    /// <summary>The checkpoints so far, in stream order.</summary>
    public IReadOnlyList<DecoderCheckpoint> Checkpoints => _checkpoints;

    /// <summary>Whether a decoder that has produced <paramref name="uncompressedOffset"/> bytes should offer a checkpoint now.</summary>
    public bool IsDue(long uncompressedOffset) => uncompressedOffset >= _next;

    /// <summary>Records a checkpoint; the next falls due <see cref="Interval"/> bytes later.</summary>
    public void Add(DecoderCheckpoint checkpoint, string? stateFormat = null)
    {
        _checkpoints.Add(checkpoint);
        StateFormat ??= stateFormat;
        _next = checkpoint.UncompressedOffset + Interval;
    }
}
