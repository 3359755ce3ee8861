using System.Diagnostics;
using System.Globalization;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Runner.Output;

/// <summary>
/// Shows the progress of long layer reads on one self-overwriting stderr line. Only used when stderr is a terminal;
/// small layers are not shown, and updates are throttled so output never slows the scan.
/// </summary>
internal sealed class TerminalProgress : IProgress<LayerScanProgress>
{
    private const long MinimumLayerBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter _error;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = TimeSpan.MinValue;
    private bool _lineShown;

    /// <summary>Creates the reporter writing to <paramref name="error"/>.</summary>
    public TerminalProgress(TextWriter error)
    {
        _error = error;
    }

    /// <inheritdoc />
    public void Report(LayerScanProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.CompressedSize < MinimumLayerBytes)
        {
            return;
        }

        lock (_gate)
        {
            if (value.Completed)
            {
                if (_lineShown)
                {
                    _error.Write("\r\u001b[K");
                    _lineShown = false;
                }

                return;
            }

            var now = _clock.Elapsed;
            if (now - _last < Interval)
            {
                return;
            }

            _last = now;
            var digest = value.Layer.ToString();
            var shortDigest = digest.Length > 19 ? digest[..19] : digest;
            _error.Write(string.Create(
                CultureInfo.InvariantCulture,
                $"\r\u001b[K{value.Image}: layer {shortDigest} {value.CompressedBytesRead / 1048576.0:F1}/{value.CompressedSize / 1048576.0:F1} MiB, {value.EntriesRead} entries"));
            _error.Flush();
            _lineShown = true;
        }
    }
}
