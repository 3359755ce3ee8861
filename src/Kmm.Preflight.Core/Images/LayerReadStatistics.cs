using System.Collections.Concurrent;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Counts layer reads across a run, from <see cref="LayerScanProgress"/> reports: how many times each layer was
/// streamed and how many compressed bytes were read. A layer served from the shared cache is not streamed again.
/// Thread-safe.
/// </summary>
internal sealed class LayerReadStatistics : IProgress<LayerScanProgress>
{
    private readonly ConcurrentDictionary<string, int> _scans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Image, string Layer), long> _bytes = new();
    private readonly ConcurrentDictionary<string, string> _reads = new(StringComparer.Ordinal);

    /// <summary>How layers were read where worth telling (table of contents, or streamed instead and why), by digest.</summary>
    public IReadOnlyDictionary<string, string> LayerReads => _reads;

    /// <summary>How many times each layer digest was streamed to its end or abandoned (completed scans).</summary>
    public IReadOnlyDictionary<string, int> ScansByLayer => _scans;

    /// <summary>Compressed bytes read in total.</summary>
    public long CompressedBytesRead => _bytes.Values.Sum();

    /// <inheritdoc />
    public void Report(LayerScanProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _bytes.AddOrUpdate((value.Image, value.Layer.ToString()), value.CompressedBytesRead, (_, old) => Math.Max(old, value.CompressedBytesRead));
        if (value.Note is not null)
        {
            _reads[value.Layer.ToString()] = value.Note;
        }

        if (value.Completed)
        {
            _scans.AddOrUpdate(value.Layer.ToString(), 1, (_, n) => n + 1);
        }
    }
}
