using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// The scale runs: <c>modules-once LIST</c> checks every (image, module) line of LIST as the validator's Image stage
/// reads it (a fresh file system a module over one shared cache; the kernel directory searched, modules.dep and the
/// module read); <c>layers-once LIST</c> is its baseline, every distinct layer of the same images scanned once;
/// <c>ls-once SOURCE PATH CACHEDIR</c> lists a directory through a persistent cache.
/// </summary>
internal static class ScaleRuns
{
    private const int Parallelism = 4;

    /// <summary>LIST: one <c>SOURCE\tMODULE_PATH</c> a line; the module's kernel directory is its path up to <c>/extra/</c> or <c>/kernel/</c>.</summary>
    public static async Task ModulesAsync(string listFile, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var lines = await ReadListAsync(listFile);
        var images = await ResolveAllAsync(lines.Select(l => l.Source), insecureRegistry, cache: null);
        var wanted = lines.Select(l => l.Module).ToHashSet(StringComparer.Ordinal);
        var progress = new CompletedLayers();
        var cache = new LayerIndexCache();
        var found = 0;
        long findTicks = 0;
        long readTicks = 0;
        await Parallel.ForEachAsync(lines, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (line, ct) =>
        {
            var fileSystem = new ImageFileSystem(images[line.Source], new ImageFileSystemOptions
            {
                Cache = cache,
                Progress = progress,
                RetainContent = (path, _) => wanted.Contains(path) || path.EndsWith("/modules.dep", StringComparison.Ordinal),
            });
            var kernelDirectory = KernelDirectory(line.Module);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var matches = await fileSystem.FindAsync(kernelDirectory, e => e.Path == line.Module, ct);
            var searched = System.Diagnostics.Stopwatch.GetTimestamp();
            var dep = await fileSystem.ReadAllBytesAsync(kernelDirectory + "/modules.dep", cancellationToken: ct);
            var module = matches.Count == 1 ? await fileSystem.ReadAllBytesAsync(line.Module, cancellationToken: ct) : [];
            Interlocked.Add(ref findTicks, searched - started);
            Interlocked.Add(ref readTicks, System.Diagnostics.Stopwatch.GetTimestamp() - searched);
            if (module.Length > 0 && dep.Length > 0)
            {
                Interlocked.Increment(ref found);
            }
        });

        // Summed over the parallel checks (wall time of each call, waits for shared scans included).
        result["findMs"] = findTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        result["readMs"] = readTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        result["modules"] = lines.Count;
        result["images"] = images.Count;
        result["found"] = found == lines.Count;
        result["layersRead"] = progress.Scans;
        result["distinctLayersRead"] = progress.Distinct;
        result["compressedBytesRead"] = progress.CompressedBytes;
    }

    /// <summary>Every distinct layer of LIST's images, each scanned once (the floor of <see cref="ModulesAsync"/>).</summary>
    public static async Task LayersAsync(string listFile, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var lines = await ReadListAsync(listFile);
        var images = await ResolveAllAsync(lines.Select(l => l.Source), insecureRegistry, cache: null);
        var layers = images.Values.SelectMany(i => i.Layers.Select(l => (Image: i, Layer: l))).DistinctBy(p => p.Layer.Descriptor.Digest).ToList();
        var progress = new CompletedLayers();
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pair, ct) =>
        {
            var single = pair.Image with { Layers = [pair.Layer] };
            await new ImageFileSystem(single, new ImageFileSystemOptions { Progress = progress }).GetEntryAsync("/kmm-absent", cancellationToken: ct);
        });

        result["images"] = images.Count;
        result["found"] = true;
        result["layersRead"] = progress.Scans;
        result["distinctLayersRead"] = progress.Distinct;
        result["compressedBytesRead"] = progress.CompressedBytes;
    }

    /// <summary>Lists PATH recursively through the persistent cache in CACHEDIR, prefetching no layer it holds.</summary>
    public static async Task LsAsync(string source, string path, string cacheDirectory, string? insecureRegistry, Dictionary<string, object?> result)
    {
        var cache = new LayerIndexCache(new LayerIndexCacheOptions { Directory = cacheDirectory });
        var image = (await ResolveAllAsync([source], insecureRegistry, cache))[source];
        var progress = new CompletedLayers();
        var entries = await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache, Progress = progress }).ListAsync(path, recursive: true);
        result["found"] = entries.Count > 0;
        result["entries"] = entries.Count;
        result["layersRead"] = progress.Scans;
        result["compressedBytesRead"] = progress.CompressedBytes;
    }

    private static string KernelDirectory(string module)
    {
        var parts = module.Split('/');
        var modules = Array.IndexOf(parts, "modules");
        return string.Join('/', parts[..(modules + 2)]);
    }

    private static async Task<List<(string Source, string Module)>> ReadListAsync(string file)
        => [.. (await File.ReadAllLinesAsync(file)).Where(l => l.Length > 0).Select(l => l.Split('\t')).Select(p => (p[0], p[1]))];

    // Each distinct image resolved once, as the validator does.
    private static async Task<Dictionary<string, ResolvedImage>> ResolveAllAsync(IEnumerable<string> sources, string? insecureRegistry, LayerIndexCache? cache)
    {
        var options = new RegistryClientOptions
        {
            Hosts = insecureRegistry is null ? new Dictionary<string, RegistryHostSettings>() : new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase) { [insecureRegistry] = new(Insecure: true) },
            TopLayerPrefetchFilter = cache is null ? null : digest => !cache.Contains(digest),
        };
        var factory = new ImageSourceFactory(new RegistryClient(options));
        var distinct = sources.Distinct(StringComparer.Ordinal).ToList();
        var resolved = await Task.WhenAll(distinct.Select(s => factory.Open(s).ResolveAsync(Platform.Default)));
        return distinct.Zip(resolved).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    private sealed class CompletedLayers : IProgress<LayerScanProgress>
    {
        private readonly HashSet<string> _distinct = [];

        public int Scans { get; private set; }

        public int Distinct => _distinct.Count;

        public long CompressedBytes { get; private set; }

        public void Report(LayerScanProgress value)
        {
            if (!value.Completed)
            {
                return;
            }

            lock (_distinct)
            {
                Scans++;
                _distinct.Add(value.Layer.ToString());
                CompressedBytes += value.CompressedBytesRead;
            }
        }
    }
}
