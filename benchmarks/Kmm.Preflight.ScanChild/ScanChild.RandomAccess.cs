using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// Random-access runs: <c>scan-index-once SOURCE PATH CACHEDIR</c> is <c>scan-once</c> with a cache directory, so the
/// scan also records decoder checkpoints and every file's SHA-256 and writes the index (the directory is emptied
/// first: a cold scan each time); <c>cat-warm SOURCE PATH CACHEDIR</c> reads one file of an image whose index is
/// already in CACHEDIR, as a later <c>kmm-preflight cat</c> does, and reports how many of the blob's bytes it fetched.
/// <c>last-module</c> as PATH names the last <c>.ko</c> in the top layer's tar order (the deepest one).
/// </summary>
internal static partial class ScanChild
{
    private static async Task ScanIndexedAsync(string sourceName, string path, string cacheDirectory, string? insecureRegistry, Dictionary<string, object?> result)
    {
        if (Directory.Exists(cacheDirectory))
        {
            Directory.Delete(cacheDirectory, recursive: true);
        }

        var progress = new LastProgress();
        var image = await OpenAsync(sourceName, insecureRegistry);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = new LayerIndexCache(cacheDirectory), Progress = progress });
        var entry = await fileSystem.GetEntryAsync(path);
        result["found"] = entry is not null;
        result["layersRead"] = progress.Completed.Count;
        result["compressedBytesRead"] = progress.Completed.Values.Sum(p => p.CompressedBytesRead);
        result["indexFileBytes"] = Directory.EnumerateFiles(cacheDirectory).Sum(f => new FileInfo(f).Length);
    }

    private static async Task CatWarmAsync(string sourceName, string path, string cacheDirectory, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var progress = new LastProgress();
        var image = await OpenAsync(sourceName, insecureRegistry);
        var cache = new LayerIndexCache(cacheDirectory);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache, Progress = progress });
        var layer = image.Layers[^1].Descriptor;
        if (path == "last-module")
        {
            var index = await cache.GetOrAddAsync(layer.Digest, _ => throw new InvalidOperationException($"cat-warm needs the index of {layer.Digest} in {cacheDirectory}: run scan-index-once first."), CancellationToken.None);
            path = "/" + index.Entries.Last(e => e.Kind == LayerEntryKind.File && e.Path.EndsWith(".ko", StringComparison.Ordinal)).Path;
        }

        var bytes = await fileSystem.ReadAllBytesAsync(path);
        var statistics = fileSystem.RandomAccessStatistics;
        result["found"] = true;
        result["path"] = path;
        result["fileBytes"] = bytes.Length;
        result["blobBytes"] = layer.Size;
        result["verifiedRangedReads"] = statistics.VerifiedRangedReads;
        result["fallbacks"] = statistics.Fallbacks;
        result["fallbackReason"] = statistics.LastFallbackReason;
        result["rangedBytesRead"] = statistics.CompressedBytesRead;

        // A layer streamed instead (a fallback or no checkpoints) counts as wholly read: the share is then 1.
        result["layersStreamed"] = progress.Completed.Count;
        result["shareOfBlobRead"] = statistics.VerifiedRangedReads == 1 && statistics.Fallbacks == 0 && progress.Completed.Count == 0
            ? (double)statistics.CompressedBytesRead / layer.Size
            : 1.0;
    }
}
