using System.Text;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Faults;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.Faults;

/// <summary>
/// <c>validate</c> as users run it (a child process) over 500 Modules against one real registry behind a counting
/// <see cref="FaultProxy"/>: right verdicts, the default per-registry connection cap never exceeded, and the peak
/// resident memory, reported against a one-Module run of the same build measured in the same test.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public sealed class ValidateLoadTests
{
    private const string Kernel = "6.1.0-56-amd64";
    private const int Images = 50;
    private const int TagsPerImage = 10;
    private const int DefaultConnectionCap = 16;
    private RegistryProcess _registry = null!;
    private string _directory = null!;
    private string _repository = null!;

    [OneTimeSetUp]
    public async Task PushImages()
    {
        _registry = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        _repository = "load-" + Guid.NewGuid().ToString("N")[..8];
        _directory = Directory.CreateTempSubdirectory("kmm-load-").FullName;
        using var client = _registry.CreateClient();
        await Task.WhenAll(Enumerable.Range(0, Images).Select(async image =>
        {
            // Distinct images (a different filler each), so 50 layers are scanned, not one.
            var layer = ModuleLayer(image);
            for (var tag = 0; tag < TagsPerImage; tag++)
            {
                await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repository}/dummy-{image}:t{tag}"), [layer]);
            }
        }));
        await File.WriteAllTextAsync(Path.Combine(_directory, "auth.json"), "{\"auths\":{}}");
    }

    [OneTimeTearDown]
    public async Task Clean()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static TestLayer ModuleLayer(int seed)
    {
        var filler = new byte[200_000];
        new Random(seed).NextBytes(filler);
        var builder = new LayerBuilder()
            .AddFile("opt/filler.bin", filler)
            .AddFile($"opt/lib/modules/{Kernel}/extra/dummy.ko", RepositoryTestData.Module("dummy.ko"))
            .AddFile($"opt/lib/modules/{Kernel}/modules.dep", "extra/dummy.ko:\n");
        return new TestLayer(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);
    }

    /// <summary>Writes <paramref name="count"/> Modules; every tenth asks for a module its image lacks (verdict False).</summary>
    private string WriteModules(FaultProxy proxy, int count)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            yaml.Append($$"""
                apiVersion: kmm.sigs.x-k8s.io/v1beta1
                kind: Module
                metadata: {name: m{{i}}, namespace: load}
                spec:
                  moduleLoader:
                    container:
                      modprobe: {moduleName: {{(i % 10 == 9 ? "tap" : "dummy")}}}
                      kernelMappings:
                        - regexp: '^.+$'
                          containerImage: "{{proxy.Host}}/{{_repository}}/dummy-{{i % Images}}:t{{i / Images}}"
                ---

                """);
        }

        var path = Path.Combine(_directory, $"modules-{count}.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    private Task<PeakMemory.Run> ValidateAsync(FaultProxy proxy, int modules) => PeakMemory.RunAsync(
        ["validate", "--insecure-registry", proxy.Host, "--auth-file", Path.Combine(_directory, "auth.json"), "--modules", WriteModules(proxy, modules),
         "--kernel", Kernel, "--output", "json", "--parallel", "16"],
        TimeSpan.FromMinutes(5));

    [Test]
    public async Task Five_hundred_modules_get_their_verdicts_within_the_connection_cap_and_bounded_memory()
    {
        await using var proxy = new FaultProxy(_registry.Host);
        var baseline = await ValidateAsync(proxy, 1);
        Assert.That(baseline.ExitCode, Is.Zero, baseline.Error);
        var fifty = await ValidateAsync(proxy, 50);
        proxy.ResetCounters();

        var run = await ValidateAsync(proxy, Images * TagsPerImage);

        var ratio = (double)run.PeakBytes / baseline.PeakBytes;
        TestContext.Out.WriteLine(
            $"500 modules: peak RSS (VmHWM) {run.PeakBytes / 1048576.0:0.0} MiB = {ratio:0.00}x the 1-module run's {baseline.PeakBytes / 1048576.0:0.0} MiB "
            + $"(50 modules: {(double)fifty.PeakBytes / baseline.PeakBytes:0.00}x); "
            + $"{run.Elapsed.TotalSeconds:0.0} s ({baseline.Elapsed.TotalSeconds:0.0} s for 1); {proxy.Requests.Count} requests, "
            + $"at most {proxy.MaxConnections} connections and {proxy.MaxInFlight} requests in flight (cap {DefaultConnectionCap})");
        Assert.That(run.ExitCode, Is.EqualTo(1), run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var modules = json.RootElement.GetProperty("status").GetProperty("modules").EnumerateArray().ToList();
        Assert.That(modules, Has.Count.EqualTo(500));
        Assert.Multiple(() =>
        {
            foreach (var module in modules)
            {
                var index = int.Parse(module.GetProperty("name").GetString()![1..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(module.GetProperty("verificationStatus").GetString(), Is.EqualTo(index % 10 == 9 ? "False" : "True"), module.GetProperty("statusReason").GetString());
            }
        });
        Assert.That(proxy.MaxConnections, Is.LessThanOrEqualTo(DefaultConnectionCap));
        Assert.That(proxy.MaxInFlight, Is.LessThanOrEqualTo(DefaultConnectionCap));
        // Memory must not grow with the number of modules: a generous bound, the figure itself is in the output.
        Assert.That(ratio, Is.LessThan(4));
    }
}
