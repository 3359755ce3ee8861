using System.Text.Json;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// End-to-end scan benchmark on a real kernel's module tree: ImageFileSystem scans (each a fresh child process, so
/// start-up counts and peak RSS is its own) against inflate-only, <c>gzip -dc</c>, <c>zstd -dc</c> and
/// <c>skopeo copy</c> + <c>tar -t</c> on the same blob; early exit; peak memory. Prints figures and target ratios and
/// writes them as Markdown and JSON.
/// </summary>
internal static class ScanHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        ScanHarnessOptions options;
        try
        {
            options = ScanHarnessOptions.Parse(args, RepositoryRoot());
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        await Tools.EnsureAsync(new Dictionary<string, string>
        {
            ["apt-get"] = "apt", ["dpkg-deb"] = "dpkg", ["gzip"] = "gzip", ["zstd"] = "zstd", ["tar"] = "tar",
            ["skopeo"] = "skopeo", ["docker-registry"] = "docker-registry", ["time"] = "time",
        });
        Directory.CreateDirectory(options.CacheDirectory);
        var kernel = await KernelTree.EnsureAsync(options.CacheDirectory, options.KernelPackage);
        var images = await BenchmarkImages.EnsureAsync(options.CacheDirectory, kernel);
        Console.WriteLine($"Kernel {kernel.Package} ({kernel.Release}); gzip layer {Mb(images.GzipLayer.Size)} MB, zstd layer {Mb(images.ZstdLayer.Size)} MB, tar {Mb(images.GzipLayer.UncompressedSize)} MB.");

        await using var registry = options.UseRegistry ? await BenchmarkRegistry.StartAsync(images) : null;
        var sources = new ImageSources(images, registry);
        var results = new ScanResults
        {
            Kernel = kernel.Package,
            Release = kernel.Release,
            Runs = options.Runs,
            Source = sources.Description,
            ChildEnvironment = string.Join(' ', options.ChildEnvironment.Select(e => $"{e.Key}={e.Value}")),
        };
        results.Sizes["gzip blob MB"] = Mb(images.GzipLayer.Size);
        results.Sizes["zstd blob MB"] = Mb(images.ZstdLayer.Size);
        results.Sizes["tar MB"] = Mb(images.GzipLayer.UncompressedSize);
        results.LoadAverages.Add(ScanResults.CurrentLoadAverage());

        var self = SelfCommand();
        async Task<Figure> Self(string name, params string[] childArgs) => await MeasureAsync(results, name, options.Runs,
            () => MeasuredProcess.RunAsync(self[0], [.. self.Skip(1), .. childArgs], options.ChildEnvironment));
        async Task<Figure> Shell(string name, string commandLine) => await MeasureAsync(results, name, options.Runs,
            () => MeasuredProcess.ShellAsync(commandLine));

        var startup = await Self("start-up (trivial child)", "noop");
        var resolve = await Self("start-up + resolve manifest/config only", "resolve-once", sources.For(BenchmarkImages.EarlyExitTag));
        var fullGzip = await Self("scan gzip, path absent (every entry)", "scan-once", sources.For(BenchmarkImages.GzipTag), images.AbsentModule);
        await Self("scan gzip, module present", "scan-once", sources.For(BenchmarkImages.GzipTag), images.PresentModule);
        var fullZstd = await Self("scan zstd, path absent (every entry)", "scan-once", sources.For(BenchmarkImages.ZstdTag), images.AbsentModule);
        var early = await Self("early exit (module in small top layer)", "scan-once", sources.For(BenchmarkImages.EarlyExitTag), images.ProbeModule);
        var inflateGzip = await Self(".NET inflate only, gzip (GZipStream)", "inflate-once", images.GzipLayer.FilePath!, "gzip");
        var inflateZstd = await Self(".NET inflate only, zstd (ZstdSharp)", "inflate-once", images.ZstdLayer.FilePath!, "zstd");
        var gzipDc = await Shell("gzip -dc > /dev/null", $"gzip -dc '{images.GzipLayer.FilePath}' > /dev/null");
        if (Tools.Exists("pigz"))
        {
            await Shell("pigz -dc > /dev/null", $"pigz -dc '{images.GzipLayer.FilePath}' > /dev/null");
        }

        var zstdDc = await Shell("zstd -dc > /dev/null", $"zstd -q -dc '{images.ZstdLayer.FilePath}' > /dev/null");
        Figure? skopeoGzip = null;
        Figure? skopeoZstd = null;
        if (!options.SkipSkopeo)
        {
            skopeoGzip = await Shell("skopeo copy dir: + tar -tzf (gzip)", sources.SkopeoAndTar(BenchmarkImages.GzipTag, images.GzipLayer, "-tzf", options.CacheDirectory));
            skopeoZstd = await Shell("skopeo copy dir: + tar --zstd -tf (zstd)", sources.SkopeoAndTar(BenchmarkImages.ZstdTag, images.ZstdLayer, "--zstd -tf", options.CacheDirectory));
        }

        results.LoadAverages.Add(ScanResults.CurrentLoadAverage());
        CheckChild(fullGzip, found: false, "full gzip scan");
        CheckChild(early, found: true, "early-exit scan");
        if (early.Detail?.Contains("\"layersRead\":1,", StringComparison.Ordinal) != true)
        {
            Console.WriteLine($"warning: the early-exit run read more than the top layer: {early.Detail}");
        }

        results.Targets.Add(Target.AtMost("full gzip scan / .NET inflate-only", fullGzip.Seconds / inflateGzip.Seconds, 1.25));
        results.Targets.Add(Target.AtMost("full gzip scan / gzip -dc", fullGzip.Seconds / gzipDc.Seconds, 0.5));
        if (skopeoGzip is not null)
        {
            results.Targets.Add(Target.AtMost("full gzip scan / skopeo copy + tar -t", fullGzip.Seconds / skopeoGzip.Seconds, 0.2));
        }

        results.Targets.Add(Target.AtMost("full zstd scan / zstd -dc", fullZstd.Seconds / zstdDc.Seconds, double.NaN));
        results.Targets.Add(Target.AtMost("full zstd scan / .NET inflate-only", fullZstd.Seconds / inflateZstd.Seconds, double.NaN));
        if (skopeoZstd is not null)
        {
            results.Targets.Add(Target.AtMost("full zstd scan / skopeo copy + tar -t", fullZstd.Seconds / skopeoZstd.Seconds, double.NaN));
        }

        results.Targets.Add(Target.AtMost(
            "early exit / full gzip scan (start-up subtracted)",
            Math.Max(0, early.Seconds - startup.Seconds) / Math.Max(1e-9, fullGzip.Seconds - startup.Seconds), 0.05));
        // Informative: the same ratio with the image resolution (HTTP client start, manifest, config) also subtracted,
        // i.e. layer reading alone.
        results.Targets.Add(Target.AtMost(
            "early exit / full gzip scan (start-up and resolve subtracted)",
            Math.Max(0, early.Seconds - resolve.Seconds) / Math.Max(1e-9, fullGzip.Seconds - resolve.Seconds), double.NaN));
        results.Targets.Add(Target.Below("peak RSS, full gzip scan (MB)", (fullGzip.PeakRssKb ?? 0) / 1024.0, 100));
        results.Targets.Add(Target.Below("peak RSS, full zstd scan (MB)", (fullZstd.PeakRssKb ?? 0) / 1024.0, 100));

        await results.WriteAsync(options.OutputFile);
        Console.WriteLine();
        Console.WriteLine(results.ToMarkdown());
        Console.WriteLine($"Written to {options.OutputFile} and {Path.ChangeExtension(options.OutputFile, ".json")}.");
        return results.Targets.All(t => t.Met != false) ? 0 : 1;
    }

    private static async Task<Figure> MeasureAsync(ScanResults results, string name, int runs, Func<Task<Measurement>> run)
    {
        Console.Write($"{name,-50}");
        var measurements = new List<Measurement>();
        for (var i = 0; i < runs; i++)
        {
            measurements.Add(await run());
        }

        var ordered = measurements.OrderBy(m => m.Elapsed).ToList();
        var median = ordered[ordered.Count / 2];
        var child = ParseChild(median.Output);
        var rss = child?.TryGetProperty("vmHwmKb", out var hwm) == true && hwm.ValueKind == JsonValueKind.Number ? hwm.GetInt64() : median.PeakRssKb;
        var figure = new Figure(name, median.Elapsed.TotalSeconds, ordered[0].Elapsed.TotalSeconds, rss, child?.GetRawText());
        results.Figures.Add(figure);
        Console.WriteLine($"{figure.Seconds,8:F3} s (min {figure.MinSeconds:F3})  peak RSS {(rss is null ? "?" : $"{rss / 1024.0:F0} MB")}");
        return figure;
    }

    private static JsonElement? ParseChild(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        return line is null ? null : JsonDocument.Parse(line).RootElement.Clone();
    }

    private static void CheckChild(Figure figure, bool found, string what)
    {
        using var document = JsonDocument.Parse(figure.Detail ?? "{}");
        if (!document.RootElement.TryGetProperty("found", out var f) || f.GetBoolean() != found)
        {
            throw new InvalidOperationException($"{what}: expected found={found}, child reported {figure.Detail}.");
        }
    }

    // The harness re-runs its own executable for each measured run (the apphost, or 'dotnet X.dll').
    private static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell this process's executable.");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(ScanHarness).Assembly.Location] : [process];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KmmPreflight.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1_000_000.0, 1);
}
