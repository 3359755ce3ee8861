using System.Diagnostics;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// curl's <c>--speed-limit</c>/<c>--speed-time</c> for one blob attempt: the bytes received while waiting on the
/// network, judged over a window of waiting time. Only time spent inside reads counts, so a slow consumer (an inflater,
/// a full pipe) never makes a fast registry look slow.
/// </summary>
internal sealed class ThroughputFloor(long minBytesPerSecond, TimeSpan window)
{
    private long _bytes;
    private long _waitedTicks;

    /// <summary>Whether a floor is set (0 bytes per second turns it off).</summary>
    public bool Enabled => minBytesPerSecond > 0 && window > TimeSpan.Zero;

    /// <summary>How much more waiting the current window allows; the next read should be cut off after this.</summary>
    public TimeSpan Remaining => Enabled ? window - Stopwatch.GetElapsedTime(0, _waitedTicks) : Timeout.InfiniteTimeSpan;

    /// <summary>The bytes received in the current window.</summary>
    public long Bytes => _bytes;

    /// <summary>The floor, in bytes per second.</summary>
    public long MinBytesPerSecond => minBytesPerSecond;

    /// <summary>The window, waiting time only.</summary>
    public TimeSpan Window => window;

    /// <summary>Starts a new window (after a resume, or when a window ended above the floor).</summary>
    public void Reset() => (_bytes, _waitedTicks) = (0, 0);

    /// <summary>
    /// Records a read that returned <paramref name="bytes"/> after waiting since <paramref name="startTimestamp"/>
    /// (a <see cref="Stopwatch"/> timestamp). True when the window is over and too few bytes came in it; a window
    /// that ends above the floor starts the next one.
    /// </summary>
    public bool RecordAndCheck(int bytes, long startTimestamp)
    {
        if (!Enabled)
        {
            return false;
        }

        _bytes += bytes;
        _waitedTicks += Stopwatch.GetTimestamp() - startTimestamp;
        if (Stopwatch.GetElapsedTime(0, _waitedTicks) < window)
        {
            return false;
        }

        if (_bytes < minBytesPerSecond * window.TotalSeconds)
        {
            return true;
        }

        Reset();
        return false;
    }
}
