namespace Kmm.Preflight.Oci.Layers.Checkpoints;

/// <summary>
/// Collects <see cref="DecoderCheckpoint"/>s while a layer is decoded, one at the first point a decoder can offer after
/// every <see cref="Interval"/> bytes of output. At most <see cref="MaxCheckpoints"/> are kept: when a huge layer
/// reaches that many, every other one is dropped and the interval doubles, so memory stays bounded (~22 MB of raw
/// ISA-L states at most) whatever the layer's size. Used by one decoding stream at a time.
/// </summary>
internal sealed class CheckpointRecorder
{
    /// <summary>Most checkpoints kept for one layer: 256 covers a 1 GiB tar at the default interval.</summary>
    public const int MaxCheckpoints = 256;

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

    /// <summary>Output bytes between checkpoints (doubled each time <see cref="MaxCheckpoints"/> is reached).</summary>
    public long Interval { get; private set; }

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
        if (_checkpoints.Count >= MaxCheckpoints)
        {
            // Keep the 2nd, 4th, …: roughly every 2 × Interval, the latest one included.
            var kept = _checkpoints.Where((_, i) => i % 2 == 1).ToList();
            _checkpoints.Clear();
            _checkpoints.AddRange(kept);
            Interval *= 2;
        }

        _next = checkpoint.UncompressedOffset + Interval;
    }
}
