using Microsoft.Extensions.Logging;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// <c>read-once SOURCE PATH</c>: finds a file and reads its bytes, as the Image stage does with a module; reports how
/// each layer was read (streamed or from its table of contents) and how many of its compressed bytes were fetched.
/// </summary>
internal static class ReadOnce
{
    public static async Task RunAsync(string sourceName, string path, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var progress = new AllProgress();
        var image = await ScanChild.OpenAsync(sourceName, insecureRegistry);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = new LayerIndexCache(), Progress = progress, Logger = TraceLogger.FromEnvironment() });
        var trace = TraceLogger.FromEnvironment();
        var entry = await fileSystem.GetEntryAsync(path);
        trace?.LogDebug("found {Path}", path);
        result["found"] = entry is not null;
        result["bytes"] = entry is null ? 0L : (await fileSystem.ReadAllBytesAsync(path)).LongLength;
        trace?.LogDebug("read {Path}", path);
        var layer = entry is null ? null : progress.Latest(entry.Layer.ToString());
        result["method"] = layer?.Method.ToString();
        result["note"] = layer?.Note;
        result["compressedBytesRead"] = layer?.CompressedBytesRead ?? 0;
        result["compressedSize"] = layer?.CompressedSize ?? 0;
        result["layers"] = image.Layers.Count;
    }

    /// <summary>The latest report per layer (bytes read only grow), recorded synchronously.</summary>
    private sealed class AllProgress : IProgress<LayerScanProgress>
    {
        private readonly Dictionary<string, LayerScanProgress> _latest = [];

        public LayerScanProgress? Latest(string layer)
        {
            lock (_latest)
            {
                return _latest.GetValueOrDefault(layer);
            }
        }

        public void Report(LayerScanProgress value)
        {
            lock (_latest)
            {
                var key = value.Layer.ToString();
                if (!_latest.TryGetValue(key, out var old) || value.CompressedBytesRead >= old.CompressedBytesRead)
                {
                    _latest[key] = value with { Note = value.Note ?? old?.Note, Method = old?.Method == LayerReadMethod.TableOfContents ? old.Method : value.Method };
                }
            }
        }
    }
}
