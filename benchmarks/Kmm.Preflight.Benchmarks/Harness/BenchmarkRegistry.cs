namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>A local docker-registry holding the benchmark images (pushed with skopeo, an independent pusher).</summary>
internal sealed class BenchmarkRegistry : IAsyncDisposable
{
    public const string Repository = "bench/modules";

    private BenchmarkRegistry(string host)
    {
        Host = host;
    }

    public string Host { get; }

    public static Task<BenchmarkRegistry?> StartAsync(BenchmarkImages images)
    {
        _ = images;
        Console.WriteLine("(registry fixture not available yet: reading the OCI layout directly)");
        return Task.FromResult<BenchmarkRegistry?>(null);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
