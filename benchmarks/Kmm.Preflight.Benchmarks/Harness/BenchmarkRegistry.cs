using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>
/// A local docker-registry (the tests' <see cref="RegistryProcess"/>, plain HTTP on 127.0.0.1) holding the benchmark
/// images, pushed with skopeo, an independent pusher.
/// </summary>
internal sealed class BenchmarkRegistry : IAsyncDisposable
{
    public const string Repository = "bench/modules";

    private readonly RegistryProcess _process;

    private BenchmarkRegistry(RegistryProcess process)
    {
        _process = process;
    }

    public string Host => _process.Host;

    /// <summary>The registry's recent log lines (one a request), for counting blob downloads.</summary>
    public IReadOnlyList<string> Log => _process.RecentLog;

    /// <summary>The registry process (for tools that push derived images into it).</summary>
    public RegistryProcess Process => _process;

    public static async Task<BenchmarkRegistry?> StartAsync(BenchmarkImages images)
    {
        var process = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        var registry = new BenchmarkRegistry(process);
        try
        {
            Console.WriteLine($"Pushing the images to docker-registry at {process.Host} with skopeo…");
            foreach (var tag in new[] { BenchmarkImages.GzipTag, BenchmarkImages.ZstdTag, BenchmarkImages.EarlyExitTag })
            {
                await Tools.RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", $"oci:{images.Layout}:{tag}", $"docker://{process.Host}/{Repository}:{tag}"]);
            }

            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
