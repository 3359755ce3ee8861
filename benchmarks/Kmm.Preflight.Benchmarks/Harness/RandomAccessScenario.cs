using System.Text.Json;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// Random access into the gzip layer: the full scan again with a cache directory (it then records decoder checkpoints
/// and every file's SHA-256, and writes the index), to put a figure on what recording costs; and, with that index
/// already on disk, a <c>cat</c> of the last module of the layer, whose figure is the share of the blob's bytes read.
/// </summary>
internal static class RandomAccessScenario
{
    public const string ScanIndexed = "scan gzip, path absent, recording checkpoints + SHA-256";
    public const string CatWarm = "warm cache: cat of the last module of the gzip layer";

    private static string ScanCache(string cacheDirectory) => Path.Combine(cacheDirectory, "random-access-scan-index");

    private static string CatCache(string cacheDirectory) => Path.Combine(cacheDirectory, "random-access-cat-index");

    /// <summary>Adds the two measured runs; <paramref name="self"/> adds a run of the .NET child.</summary>
    public static void Plan(Action<string, string[]> self, ImageSources sources, BenchmarkImages images, string cacheDirectory)
    {
        self(ScanIndexed, ["scan-index-once", sources.For(BenchmarkImages.GzipTag), images.AbsentModule, ScanCache(cacheDirectory), .. sources.ChildAccessArguments]);
        self(CatWarm, ["cat-warm", sources.For(BenchmarkImages.GzipTag), "last-module", CatCache(cacheDirectory), .. sources.ChildAccessArguments]);
    }

    /// <summary>Writes the index the warm <c>cat</c> reads (one unmeasured indexed scan).</summary>
    public static async Task PrepareAsync(string child, ImageSources sources, BenchmarkImages images, string cacheDirectory, IReadOnlyDictionary<string, string> environment)
    {
        await MeasuredProcess.RunAsync(child, ["scan-index-once", sources.For(BenchmarkImages.GzipTag), images.AbsentModule, CatCache(cacheDirectory), .. sources.ChildAccessArguments], environment);
    }

    public static void AddTargets(ScanResults results, IReadOnlyDictionary<string, Figure> figures, Figure fullGzip)
    {
        var indexed = figures[ScanIndexed];
        var cat = figures[CatWarm];
        using var detail = JsonDocument.Parse(cat.Detail ?? "{}");
        var share = detail.RootElement.TryGetProperty("shareOfBlobRead", out var s) ? s.GetDouble() : 1.0;
        if (detail.RootElement.TryGetProperty("verifiedRangedReads", out var verified) && verified.GetInt64() != 1)
        {
            Console.WriteLine($"warning: the warm cat did not use a verified ranged read: {cat.Detail}");
        }

        results.Targets.Add(Target.AtMost("warm cache: cat of one module from the 100 MB gzip layer: share of the blob's bytes read", share, 0.02));

        // Informative: what recording checkpoints and hashing every file costs the full scan (same run, same blob).
        results.Targets.Add(Target.AtMost("full gzip scan recording checkpoints + SHA-256 / full gzip scan", indexed.Seconds / fullGzip.Seconds, double.NaN));
        results.Targets.Add(Target.AtMost("warm cache: cat of one module / full gzip scan (time)", cat.Seconds / fullGzip.Seconds, double.NaN));
    }
}
