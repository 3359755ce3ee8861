using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// The images measured, written once into an OCI layout with the test image builders (streamed to disk):
/// <c>full-gzip</c> and <c>full-zstd</c> hold the whole module tree under <c>/opt/lib/modules/RELEASE</c> as one layer;
/// <c>early-exit</c> is the gzip layer plus a small top layer holding <see cref="ProbeModule"/>.
/// </summary>
internal sealed class BenchmarkImages
{
    public const string GzipTag = "full-gzip";
    public const string ZstdTag = "full-zstd";
    public const string EarlyExitTag = "early-exit";

    private BenchmarkImages(string layout, KernelTree kernel, LayerBlob gzip, LayerBlob zstd)
    {
        Layout = layout;
        Kernel = kernel;
        GzipLayer = gzip;
        ZstdLayer = zstd;
    }

    public string Layout { get; }

    public KernelTree Kernel { get; }

    public LayerBlob GzipLayer { get; }

    public LayerBlob ZstdLayer { get; }

    public string ModulesDirectory => $"/opt/lib/modules/{Kernel.Release}";

    /// <summary>A module in the small top layer of <c>early-exit</c>.</summary>
    public string ProbeModule => $"{ModulesDirectory}/extra/kmm-probe.ko";

    /// <summary>A path in no image: finding that out reads every entry.</summary>
    public string AbsentModule => $"{ModulesDirectory}/extra/kmm-absent.ko";

    /// <summary>A module present in the big layer (dummy.ko, compressed or not, wherever the package has it).</summary>
    public string PresentModule => $"{ModulesDirectory}/{Path.GetRelativePath(Kernel.Directory, ProbeSource(Kernel)).Replace('\\', '/')}";

    public static async Task<BenchmarkImages> EnsureAsync(string cacheDirectory, KernelTree kernel)
    {
        var layout = Path.Combine(cacheDirectory, $"layout-{kernel.Release}");
        var marker = Path.Combine(layout, ".complete");
        var existing = File.Exists(marker) ? await File.ReadAllLinesAsync(marker) : null;
        LayerBlob gzip;
        LayerBlob zstd;
        OciLayoutWriter writer;
        if (existing is { Length: 2 } && existing.All(l => File.Exists(Path.Combine(layout, "blobs", "sha256", l.Split(' ')[1]))))
        {
            (gzip, zstd) = (Reopen(layout, existing[0]), Reopen(layout, existing[1]));
            writer = new OciLayoutWriter(layout);
        }
        else
        {
            if (Directory.Exists(layout))
            {
                Directory.Delete(layout, recursive: true);
            }

            writer = new OciLayoutWriter(layout);
            var tree = new LayerBuilder().WithParentDirectories().AddTree($"opt/lib/modules/{kernel.Release}", kernel.Directory);
            Console.WriteLine($"Writing the module tree ({tree.Count} entries) as one gzip layer and one zstd layer…");
            gzip = await writer.WriteLayerAsync(tree, new LayerBlobOptions { Compression = LayerCompression.Gzip });
            zstd = await writer.WriteLayerAsync(tree, new LayerBlobOptions { Compression = LayerCompression.Zstd });
            await File.WriteAllLinesAsync(marker, [Describe(gzip), Describe(zstd)]);
        }

        // The small images are rewritten every run (cheap), so changing them needs no rebuild of the big layers.
        await writer.WriteImageAsync(new ImageBuilder().AddLayer(gzip).Build(), GzipTag);
        await writer.WriteImageAsync(new ImageBuilder().AddLayer(zstd).Build(), ZstdTag);
        var probe = ProbeSource(kernel);
        // Parent directories in the top layer, as Docker writes them: without them a lower-layer symlink could
        // redirect the path, so the lower layer would have to be read to decide.
        var top = new LayerBuilder()
            .WithParentDirectories()
            .AddFileFrom($"opt/lib/modules/{kernel.Release}/extra/kmm-probe.ko", probe)
            .Build(LayerCompression.Gzip);
        await writer.WriteImageAsync(new ImageBuilder().AddLayer(gzip).AddLayer(top).Build(), EarlyExitTag);
        return new BenchmarkImages(layout, kernel, gzip, zstd);
    }

    private static string ProbeSource(KernelTree kernel) =>
        Directory.EnumerateFiles(kernel.Directory, "dummy.ko*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
        ?? throw new InvalidOperationException($"{kernel.Package} has no dummy.ko module under {kernel.Directory}.");

    private static string Describe(LayerBlob blob) => $"{blob.Compression} {blob.Digest.Hex} {blob.DiffId.Hex} {blob.UncompressedSize}";

    private static LayerBlob Reopen(string layout, string line)
    {
        var parts = line.Split(' ');
        return LayerBlob.FromFile(
            Path.Combine(layout, "blobs", "sha256", parts[1]), Enum.Parse<LayerCompression>(parts[0]),
            Digest.Parse($"sha256:{parts[1]}"), Digest.Parse($"sha256:{parts[2]}"), long.Parse(parts[3]));
    }
}
