using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using ZstdSharp;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// The measured runs, each in its own process so start-up is included and peak RSS is the run's own:
/// <c>scan-once SOURCE PATH</c> (ImageFileSystem lookup), <c>resolve-once SOURCE</c> (manifest and config only), <c>inflate-once FILE gzip|isal|isal-checkpoints|zstd|libzstd</c> (decompression only)
/// and <c>noop</c> (start-up). Each prints one JSON line with what it did and its VmHWM. A trailing
/// <c>--insecure-registry HOST</c> marks the registry as plain HTTP, as <c>kmm-preflight --insecure-registry</c> and
/// skopeo's <c>--src-tls-verify=false</c> do, so no HTTPS attempt precedes the plain-HTTP one.
/// </summary>
internal static partial class ScanChild
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("scan-once" or "read-once" or "resolve-once" or "inflate-once" or "noop" or "scan-index-once" or "cat-warm" or "modules-once" or "layers-once" or "ls-once" or "toc-stages" or "digest-init"))
        {
            await Console.Error.WriteLineAsync("usage: scan-once SOURCE PATH | read-once SOURCE PATH | resolve-once SOURCE | inflate-once FILE gzip|isal|isal-checkpoints|zstd|libzstd | scan-index-once SOURCE PATH CACHEDIR | cat-warm SOURCE PATH|last-module CACHEDIR | modules-once LIST | layers-once LIST | ls-once SOURCE PATH CACHEDIR | toc-stages FILE estargz|zstd-chunked [one-thread] | digest-init | noop [--insecure-registry HOST]");
            return 2;
        }

        var stopwatch = Stopwatch.StartNew();
        string? insecureRegistry = null;
        if (args.Length >= 2 && args[^2] == "--insecure-registry")
        {
            insecureRegistry = args[^1];
            args = args[..^2];
        }

        var result = new Dictionary<string, object?> { ["mode"] = args[0] };
        switch (args[0])
        {
            case "scan-once":
                await ScanAsync(args[1], args[2], insecureRegistry, result);
                break;
            case "read-once":
                await ReadOnce.RunAsync(args[1], args[2], insecureRegistry, result);
                break;
            case "resolve-once":
                var resolved = await OpenAsync(args[1], insecureRegistry);
                result["layers"] = resolved.Layers.Count;
                break;
            case "scan-index-once":
                await ScanIndexedAsync(args[1], args[2], args[3], insecureRegistry, result);
                break;
            case "cat-warm":
                await CatWarmAsync(args[1], args[2], args[3], insecureRegistry, result);
                break;
            case "inflate-once":
                result["uncompressedBytes"] = await InflateAsync(args[1], args[2]);
                break;
            case "modules-once":
                await ScaleRuns.ModulesAsync(args[1], insecureRegistry, result);
                break;
            case "layers-once":
                await ScaleRuns.LayersAsync(args[1], insecureRegistry, result);
                break;
            case "digest-init":
                var first = Stopwatch.StartNew();
                System.Security.Cryptography.SHA256.HashData([1]);
                result["firstSha256Ms"] = first.Elapsed.TotalMilliseconds;
                first.Restart();
                System.Security.Cryptography.SHA256.HashData([2]);
                result["secondSha256Ms"] = first.Elapsed.TotalMilliseconds;
                break;
            case "toc-stages":
                TocStages.Run(args[1], args[2], args.Length > 3 && args[3] == "one-thread", result);
                break;
            case "ls-once":
                await ScaleRuns.LsAsync(args[1], args[2], args[3], insecureRegistry, result);
                break;
        }

        result["elapsedMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["vmHwmKb"] = PeakRss.OfSelfKb();
        result["gcs"] = GC.CollectionCount(0);
        result["fullGcs"] = GC.CollectionCount(2);
        result["gcPauseMs"] = GC.GetTotalPauseDuration().TotalMilliseconds;
        result["allocatedMb"] = GC.GetTotalAllocatedBytes() / 1e6;
        Console.WriteLine(ToJson(result));
        return 0;
    }

    // Utf8JsonWriter rather than JsonSerializer: no reflection, so the child publishes as Native AOT.
    private static string ToJson(Dictionary<string, object?> result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in result)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case bool b:
                        writer.WriteBoolean(name, b);
                        break;
                    case int i:
                        writer.WriteNumber(name, i);
                        break;
                    case long l:
                        writer.WriteNumber(name, l);
                        break;
                    case double d:
                        writer.WriteNumber(name, d);
                        break;
                    default:
                        writer.WriteString(name, value.ToString());
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task ScanAsync(string sourceName, string path, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var progress = new LastProgress();
        var image = await OpenAsync(sourceName, insecureRegistry);
        var fileSystem = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = new LayerIndexCache(), Progress = progress });
        var entry = await fileSystem.GetEntryAsync(path);
        result["found"] = entry is not null;
        result["foundInLayer"] = entry?.LayerIndex;
        result["layers"] = image.Layers.Count;
        // Named only for the formats the image has: asking loads the decoder's library, which would count as work.
        var mediaTypes = image.Layers.Select(l => l.Descriptor.MediaType.Value ?? string.Empty).ToList();
        result["gzipDecoder"] = mediaTypes.Any(m => m.Contains("gzip", StringComparison.Ordinal)) ? GzipDecoder.Name : null;
        result["zstdDecoder"] = mediaTypes.Any(m => m.Contains("zstd", StringComparison.Ordinal)) ? ZstdDecoder.Name : null;
        result["layersRead"] = progress.Completed.Count;
        result["entriesRead"] = progress.Completed.Values.Sum(p => p.EntriesRead);
        result["compressedBytesRead"] = progress.Completed.Values.Sum(p => p.CompressedBytesRead);
    }

    internal static Task<ResolvedImage> OpenAsync(string sourceName, string? insecureRegistry)
    {
        var options = insecureRegistry is null
            ? new RegistryClientOptions()
            : new RegistryClientOptions { Hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase) { [insecureRegistry] = new(Insecure: true) } };
        return new ImageSourceFactory(new RegistryClient(options, TraceLogger.FromEnvironment())).Open(sourceName).ResolveAsync(Platform.Default);
    }

    private static async Task<long> InflateAsync(string file, string format)
    {
        await using var blob = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await using Stream inflated = format switch
        {
            "zstd" => new DecompressionStream(blob),
            "libzstd" => NativeZstdLibrary.IsLoaded ? new NativeZstdStream(blob) : throw new InvalidOperationException($"libzstd not available: {NativeZstdLibrary.UnavailableReason}"),
            "isal" => IsalLibrary.IsLoaded ? new IsalGzipStream(blob) : throw new InvalidOperationException($"ISA-L not available: {IsalLibrary.UnavailableReason}"),
            "isal-checkpoints" => IsalSnapshots.IsAvailable ? new IsalGzipStream(blob, recorder: new Kmm.Preflight.Oci.Layers.Checkpoints.CheckpointRecorder()) : throw new InvalidOperationException("ISA-L snapshots not available"),
            _ => new GZipStream(blob, CompressionMode.Decompress),
        };
        var buffer = new byte[128 * 1024];
        long total = 0;
        int n;
        while ((n = await inflated.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    // Progress<T> posts to the thread pool; this records synchronously so the last report is never lost.
    private sealed class LastProgress : IProgress<LayerScanProgress>
    {
        public Dictionary<string, LayerScanProgress> Completed { get; } = [];

        public void Report(LayerScanProgress value)
        {
            if (value.Completed)
            {
                lock (Completed)
                {
                    Completed[value.Layer.ToString()] = value;
                }
            }
        }
    }
}
