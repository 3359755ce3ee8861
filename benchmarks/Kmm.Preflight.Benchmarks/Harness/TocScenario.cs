using System.Text.Json;
using Kmm.Preflight.Testing.Toc;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// Table-of-contents layers: the <c>full-gzip</c> image converted to zstd:chunked by skopeo and to eStargz by
/// containerd's <c>ctr-remote</c> (independent tools), then one module found and read through the TOC and ranged
/// GETs. Targets: at most 2% of the layer's bytes read, and at most 0.05× the full gzip scan's time (start-up
/// subtracted from both). Needs the registry (ranges are what is measured) and the tools; skipped otherwise.
/// </summary>
internal static class TocScenario
{
    public const string ZstdChunkedTag = "full-zstd-chunked";
    public const string EstargzTag = "full-estargz";

    private static readonly (string Format, string Tag, string Figure)[] Kinds =
    [
        ("zstd:chunked", ZstdChunkedTag, "find + read module, zstd:chunked (TOC, ranges)"),
        ("eStargz", EstargzTag, "find + read module, eStargz (TOC, ranges)"),
    ];

    /// <summary>
    /// Puts the TOC images in the registry: converted the first time (minutes for 400 MB on a loaded machine) and kept
    /// as an OCI layout in the cache, from which later runs push them unchanged. False (and says why) when the scenario
    /// cannot run.
    /// </summary>
    public static async Task<bool> PrepareAsync(BenchmarkRegistry? registry, string cacheDirectory, BenchmarkImages images)
    {
        if (registry is null)
        {
            Console.WriteLine("TOC layers: skipped (needs the registry: --no-registry given).");
            return false;
        }

        await Tools.EnsureAsync(new Dictionary<string, string> { ["skopeo"] = "skopeo", ["containerd"] = "containerd", ["ctr-remote"] = "stargz-snapshotter" });
        var layout = Path.Combine(cacheDirectory, $"toc-layout-{images.GzipLayer.Digest.Hex[..16]}");
        var source = $"{BenchmarkRegistry.Repository}:{BenchmarkImages.GzipTag}";
        foreach (var (format, tag, _) in Kinds)
        {
            // One marker per image, written once it is safely in the layout.
            var marker = Path.Combine(layout, $".{tag}.complete");
            var target = $"{BenchmarkRegistry.Repository}:{tag}";
            if (File.Exists(marker))
            {
                Console.WriteLine($"Pushing the cached {format} image from {layout}…");
                await Tools.RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:{tag}", $"docker://{registry.Host}/{target}"]);
                continue;
            }

            Console.WriteLine($"Converting full-gzip to {format}; minutes the first time…");
            await (tag == EstargzTag
                ? TocImageMaker.EstargzAsync(registry.Process, source, target)
                : TocImageMaker.ZstdChunkedAsync(registry.Process, source, target));
            await Tools.RunAsync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", $"docker://{registry.Host}/{target}", $"oci:{layout}:{tag}"]);
            await File.WriteAllTextAsync(marker, tag);
        }

        return true;
    }

    /// <summary>Adds one measured child run per format.</summary>
    public static void Plan(Action<string, string[]> self, ImageSources sources, BenchmarkImages images)
    {
        foreach (var (_, tag, figure) in Kinds)
        {
            self(figure, ["read-once", sources.For(tag), images.PresentModule, .. sources.ChildAccessArguments]);
        }
    }

    /// <summary>Adds the targets: share of the layer's bytes read, time against the full gzip scan.</summary>
    public static void AddTargets(ScanResults results, IReadOnlyDictionary<string, Figure> figures, Figure startup, Figure fullGzip)
    {
        foreach (var (format, _, name) in Kinds)
        {
            var figure = figures[name];
            using var detail = JsonDocument.Parse(figure.Detail ?? "{}");
            var root = detail.RootElement;
            if (!root.TryGetProperty("found", out var found) || !found.GetBoolean()
                || root.GetProperty("method").GetString() != "TableOfContents")
            {
                Console.WriteLine($"warning: {name}: the module was not read through the TOC: {figure.Detail}");
            }

            var share = root.GetProperty("compressedBytesRead").GetDouble() / Math.Max(1, root.GetProperty("compressedSize").GetDouble());
            results.Targets.Add(Target.AtMost($"find one module in a {format} layer: share of the layer's bytes read", share, 0.02));
            results.Targets.Add(Target.AtMost(
                $"find one module in a {format} layer / full gzip scan (start-up subtracted)",
                Math.Max(0, figure.Seconds - startup.Seconds) / Math.Max(1e-9, fullGzip.Seconds - startup.Seconds), 0.05));
        }
    }
}
