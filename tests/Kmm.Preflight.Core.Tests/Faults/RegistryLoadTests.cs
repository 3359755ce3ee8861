using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Faults;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Faults;

/// <summary>
/// Many Modules against one real registry behind a counting <see cref="FaultProxy"/>: the per-registry connection
/// cap holds as the registry sees it, and a registry killed and restarted mid-run is survived with correct verdicts.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class RegistryLoadTests
{
    private const int Modules = 100;
    private RegistryProcess _registry = null!;
    private string _repository = null!;

    [OneTimeSetUp]
    public async Task PushTags()
    {
        // A registry of our own: one test kills it.
        _registry = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        _repository = "load-" + Guid.NewGuid().ToString("N")[..8];
        // The first push uploads the blobs; the registry fails concurrent uploads of one blob, so the tags follow.
        await FaultImages.PushAsync(_registry, _repository, "t0");
        await Task.WhenAll(Enumerable.Range(1, Modules - 1).Select(i => FaultImages.PushAsync(_registry, _repository, $"t{i}")));
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    /// <summary>Modules t0…t99; every tenth asks for a module the image lacks, so the right verdict is False.</summary>
    private string Yaml(FaultProxy proxy) => string.Concat(Enumerable.Range(0, Modules).Select(i =>
        FaultImages.Module($"m{i}", $"{proxy.Host}/{_repository}/veth:t{i}").Replace("moduleName: veth", i % 10 == 9 ? "moduleName: tap" : "moduleName: veth", StringComparison.Ordinal)));

    private async Task<PreflightReport> ValidateAsync(FaultProxy proxy, PreflightValidatorOptions options)
    {
        var objects = new ManifestLoader().Parse(Yaml(proxy), "modules.yaml");
        return await new PreflightValidator(options).ValidateAsync(objects, PreflightTarget.ForKernel(FaultImages.Kernel)).WaitAsync(TimeSpan.FromMinutes(3));
    }

    private static void AssertVerdicts(PreflightReport report)
    {
        Assert.That(report.Results, Has.Count.EqualTo(Modules));
        Assert.Multiple(() =>
        {
            foreach (var result in report.Results)
            {
                var expected = int.Parse(result.Module.Name[1..], System.Globalization.CultureInfo.InvariantCulture) % 10 == 9 ? "False" : "True";
                Assert.That(result.Status.VerificationStatus, Is.EqualTo(expected), $"{result.Module.Name}: {result.Status.StatusReason}");
                if (expected == "False")
                {
                    Assert.That(result.Status.StatusReason, Does.StartWith("module tap.ko (dirName /opt) not found"));
                }
            }
        });
    }

    [TestCase(4)]
    [TestCase(2)]
    public async Task Registry_never_sees_more_connections_than_the_cap(int cap)
    {
        await using var proxy = new FaultProxy(_registry.Host);

        var report = await ValidateAsync(proxy, new PreflightValidatorOptions
        {
            Parallelism = 32,
            Registry = new RegistryClientOptions { MaxConnectionsPerRegistry = cap, RetryBaseDelay = TimeSpan.FromMilliseconds(50) },
        });

        TestContext.Out.WriteLine($"cap {cap}: {proxy.Requests.Count} requests, at most {proxy.MaxConnections} connections and {proxy.MaxInFlight} requests in flight");
        AssertVerdicts(report);
        Assert.That(proxy.MaxConnections, Is.LessThanOrEqualTo(cap));
        Assert.That(proxy.MaxInFlight, Is.LessThanOrEqualTo(cap));
        Assert.That(proxy.MaxInFlight, Is.EqualTo(cap), "32 modules at once keep every allowed connection busy");
    }

    [Test]
    public async Task Without_a_cap_the_proxy_counts_more_connections()
    {
        // The counter can see a breach: the same run uncapped goes past 4.
        await using var proxy = new FaultProxy(_registry.Host);

        var report = await ValidateAsync(proxy, new PreflightValidatorOptions
        {
            Parallelism = 32,
            Registry = new RegistryClientOptions { MaxConnectionsPerRegistry = 0, RetryBaseDelay = TimeSpan.FromMilliseconds(50) },
        });

        TestContext.Out.WriteLine($"no cap: at most {proxy.MaxConnections} connections and {proxy.MaxInFlight} requests in flight");
        AssertVerdicts(report);
        Assert.That(proxy.MaxInFlight, Is.GreaterThan(4));
    }

    [Test]
    public async Task Registry_killed_and_restarted_mid_run_is_survived_with_correct_verdicts()
    {
        await using var proxy = new FaultProxy(_registry.Host);
        using var stop = new CancellationTokenSource();
        var restarts = Task.Run(async () =>
        {
            // Kill once the run is well under way (a third of its requests), leave it down a moment, start it again.
            while (proxy.Requests.Count < Modules)
            {
                await Task.Delay(5, stop.Token);
            }

            await _registry.KillAsync();
            var killedAt = proxy.Requests.Count;
            await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            await _registry.StartAgainAsync(stop.Token);
            return killedAt;
        });

        // Default retry delays (500 ms, doubling, four retries): they outlast a restart of a second or two.
        var report = await ValidateAsync(proxy, new PreflightValidatorOptions { Parallelism = 4 });
        var killedAt = await restarts.WaitAsync(TimeSpan.FromMinutes(1));

        var answeredDown = proxy.Requests.Count - killedAt;
        TestContext.Out.WriteLine($"killed after {killedAt} requests; {proxy.Requests.Count} in all");
        AssertVerdicts(report);
        Assert.That(answeredDown, Is.GreaterThan(0), "the run went on after the kill");
    }
}
