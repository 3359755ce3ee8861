using System.Text.Json;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// Scale: 200 Modules over 20 images that share two base layers (the real module tree as one gzip layer, and a small
/// layer with its modules.dep) plus a small top layer each, checked as the validator's Image stage reads them, against the floor of
/// scanning each distinct layer once; and a warm persistent cache, where <c>ls</c> must read no layer bytes.
/// </summary>
internal sealed class ScaleScenario
{
    public const string Modules = "200 modules over 20 images (shared base layers)";
    public const string Layers = "each distinct layer of those 20 images scanned once";
    public const string WarmLs = "ls -r of the module directory, warm persistent cache";
    private const int ImageCount = 20;
    private const int ModulesPerImage = 10;

    private readonly BenchmarkImages _images;
    private readonly BenchmarkRegistry? _registry;
    private readonly ImageSources _sources;
    private readonly string _lsCache;
    private long? _warmRegistryBytes;
    private int? _warmRegistryGets;
    private long? _warmChildBytes;

    private ScaleScenario(BenchmarkImages images, BenchmarkRegistry? registry, ImageSources sources, string listFile, string lsCache)
    {
        _images = images;
        _registry = registry;
        _sources = sources;
        ListFile = listFile;
        _lsCache = lsCache;
    }

    /// <summary>The (image, module) list the children read.</summary>
    public string ListFile { get; }

    private static string Tag(int i) => $"scale-{i:D2}";

    /// <summary>Writes the 20 images into the layout (pushing them when there is a registry) and the module list.</summary>
    public static async Task<ScaleScenario> PrepareAsync(BenchmarkImages images, BenchmarkRegistry? registry, ImageSources sources, string cacheDirectory)
    {
        var writer = new OciLayoutWriter(images.Layout);
        // The package has no modules.dep (its postinst runs depmod): the second shared layer holds one, as the
        // depmod step of an image build would, listing every module of the tree and the images' own.
        var all = Directory.EnumerateFiles(images.Kernel.Directory, "*.ko*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(images.Kernel.Directory, f).Replace('\\', '/'))
            .ToList();
        var depends = string.Concat(all.Concat(Enumerable.Range(0, ImageCount).Select(i => $"extra/kmm-scale-{i}.ko")).Select(m => m + ":\n"));
        var os = new LayerBuilder().WithParentDirectories()
            .AddFile("etc/os-release", "ID=kmm-bench\n")
            .AddFile($"opt/lib/modules/{images.Kernel.Release}/modules.dep", depends)
            .Build(LayerCompression.Gzip);
        var modules = all.Take(ModulesPerImage - 1).Select(m => $"{images.ModulesDirectory}/{m}").ToList();
        var lines = new List<string>();
        Console.WriteLine($"Writing {ImageCount} images over the shared module-tree and OS layers…");
        for (var i = 0; i < ImageCount; i++)
        {
            var top = new LayerBuilder().WithParentDirectories()
                .AddFile($"opt/lib/modules/{images.Kernel.Release}/extra/kmm-scale-{i}.ko", $"image {i}\n")
                .Build(LayerCompression.Gzip);
            await writer.WriteImageAsync(new ImageBuilder().AddLayer(images.GzipLayer).AddLayer(os).AddLayer(top).Build(), Tag(i));
            var source = sources.For(Tag(i));
            lines.Add($"{source}\t{images.ModulesDirectory}/extra/kmm-scale-{i}.ko");
            lines.AddRange(modules.Select(m => $"{source}\t{m}"));
        }

        if (registry is not null)
        {
            for (var i = 0; i < ImageCount; i++)
            {
                await Tools.RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", $"oci:{images.Layout}:{Tag(i)}", $"docker://{registry.Host}/{BenchmarkRegistry.Repository}:{Tag(i)}"]);
            }
        }

        var listFile = Path.Combine(cacheDirectory, "scale-modules.tsv");
        await File.WriteAllLinesAsync(listFile, lines);
        var lsCache = Path.Combine(cacheDirectory, "scale-ls-cache");
        if (Directory.Exists(lsCache))
        {
            Directory.Delete(lsCache, recursive: true);
        }

        return new ScaleScenario(images, registry, sources, listFile, lsCache);
    }

    /// <summary>The child arguments of the warm <c>ls</c>.</summary>
    public string[] LsArguments => ["ls-once", _sources.For(Tag(0)), _images.ModulesDirectory, _lsCache, .. _sources.ChildAccessArguments];

    /// <summary>
    /// Fills the persistent cache with one <c>ls</c>, then runs it again alone and counts what it downloaded: the
    /// layer blob GETs in the registry's log, and the bytes the child's scans read.
    /// </summary>
    public async Task WarmUpAsync(string child, IReadOnlyDictionary<string, string> environment)
    {
        await MeasuredProcess.RunAsync(child, LsArguments, environment);
        var skip = _registry?.Log.Count ?? 0;
        var warm = await MeasuredProcess.RunAsync(child, LsArguments, environment);
        _warmChildBytes = ChildNumber(warm.Output, "compressedBytesRead");
        if (_registry is not null)
        {
            var layers = new HashSet<Digest> { _images.GzipLayer.Digest };
            var gets = RegistryBlobReads.Count(_registry.Log.Skip(skip)).Where(g => g.Key != default && IsLayerOfScale(g.Key, layers)).ToList();
            _warmRegistryGets = gets.Sum(g => g.Value.Gets);
            _warmRegistryBytes = gets.Sum(g => g.Value.Bytes);
        }
    }

    // Config blobs are fetched on every run to resolve the image (tags move); layers are what the cache spares.
    private bool IsLayerOfScale(Digest digest, HashSet<Digest> known) => known.Contains(digest) || !IsConfig(digest);

    private bool IsConfig(Digest digest)
    {
        var path = Path.Combine(_images.Layout, "blobs", "sha256", digest.Hex);
        return File.Exists(path) && new FileInfo(path).Length < 64 * 1024 && File.ReadAllText(path).Contains("\"rootfs\"", StringComparison.Ordinal);
    }

    /// <summary>The rows for the target table.</summary>
    public IEnumerable<Target> Targets(IReadOnlyDictionary<string, Figure> figures)
    {
        var modules = figures[Modules];
        var layers = figures[Layers];
        Check(modules, "modules-once");
        Check(layers, "layers-once");
        yield return Target.AtMost(
            $"200 Modules over 20 images that share base layers / scanning the distinct layers once ({modules.Seconds:F3} s / {layers.Seconds:F3} s)",
            modules.Seconds / layers.Seconds, 1.5);
        var bytes = _warmRegistryBytes ?? _warmChildBytes ?? -1;
        yield return Target.AtMost(
            _registry is null
                ? "warm cache: layer bytes read for `ls` of a path (child's count)"
                : $"warm cache: layer blob bytes served for `ls` of a path (registry log: {_warmRegistryGets} layer GETs; child's count {_warmChildBytes})",
            bytes, 0);
    }

    private static void Check(Figure figure, string what)
    {
        using var document = JsonDocument.Parse(figure.Detail ?? "{}");
        if (!document.RootElement.TryGetProperty("found", out var found) || !found.GetBoolean())
        {
            throw new InvalidOperationException($"{what}: not every module was found: {figure.Detail}");
        }
    }

    private static long? ChildNumber(string output, string name)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        using var document = line is null ? null : JsonDocument.Parse(line);
        return document?.RootElement.TryGetProperty(name, out var value) == true ? value.GetInt64() : null;
    }
}
