using System.Diagnostics;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Faults;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Faults;

/// <summary>
/// One test per registry fault: a real validation (PreflightValidator) through a <see cref="FaultProxy"/> on real
/// sockets in front of the real docker-registry. Each run ends in bounded time with the right verdict: resumed and
/// verified, or False with a reason naming the fault; never True on evidence that was not verified.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class RegistryFaultMatrixTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private RegistryProcess _registry = null!;
    private FaultProxy _proxy = null!;
    private string _repository = null!;

    private string ModuleLayer => FaultImages.ModuleLayer.Digest.ToString();

    private string Image => $"{_proxy.Host}/{_repository}/veth:{FaultImages.Kernel}";

    [OneTimeSetUp]
    public async Task PushImage()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _repository = "faults-" + Guid.NewGuid().ToString("N")[..8];
        await FaultImages.PushAsync(_registry, _repository);
    }

    [SetUp]
    public void StartProxy() => _proxy = new FaultProxy(_registry.Host);

    [TearDown]
    public async Task StopProxy() => await _proxy.DisposeAsync();

    private async Task<(ModuleResult Result, TimeSpan Elapsed)> ValidateAsync(RegistryClientOptions? registry = null, string? image = null)
    {
        var objects = new ManifestLoader().Parse(FaultImages.Module("veth", image ?? Image), "modules.yaml");
        var validator = new PreflightValidator(new PreflightValidatorOptions
        {
            Registry = registry ?? new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(50) },
        });
        var watch = Stopwatch.StartNew();
        var report = await validator.ValidateAsync(objects, PreflightTarget.ForKernel(FaultImages.Kernel)).WaitAsync(Bound);
        return (report.Results.Single(), watch.Elapsed);
    }

    private static void AssertVerified(ModuleResult result) =>
        Assert.That(result.Status.VerificationStatus, Is.EqualTo("True"), result.Status.StatusReason);

    private static void AssertNotVerified(ModuleResult result, params string[] reasonParts)
    {
        TestContext.Out.WriteLine($"verdict: {result.Status.VerificationStatus}: {result.Status.StatusReason}");
        Assert.That(result.Status.VerificationStatus, Is.EqualTo("False"), result.Status.StatusReason);
        foreach (var part in reasonParts)
        {
            Assert.That(result.Status.StatusReason, Does.Contain(part));
        }
    }

    private List<string?> ModuleLayerRanges(bool viaStorage = false) =>
        [.. _proxy.Requests.Where(r => r.IsBlob(ModuleLayer) && r.ViaStorage == viaStorage).Select(r => r.Range)];

    [Test]
    public async Task Connection_reset_mid_blob_resumes_from_the_offset_and_verifies()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.ResetAfter(100_000), times: 2);

        var (result, _) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(), Is.EqualTo(new[] { null, "bytes=100000-", "bytes=200000-" }));
    }

    [Test]
    public async Task Stalled_blob_is_cut_by_the_throughput_floor_and_resumed()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.StallAfter(100_000));

        var (result, elapsed) = await ValidateAsync(new RegistryClientOptions { BlobSpeedWindow = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(50) });

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(), Is.EqualTo(new[] { null, "bytes=100000-" }));
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "cut after the 1 s window, not the 60 s read timeout");
    }

    [Test]
    public async Task Drip_fed_blob_fails_naming_the_host_and_the_floor()
    {
        // The mechanism with small values: a 1 s window, resumed once, then the verdict.
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Drip(TimeSpan.FromMilliseconds(50)), times: null);

        var (result, elapsed) = await ValidateAsync(new RegistryClientOptions { BlobSpeedWindow = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(50) });

        AssertNotVerified(result, _proxy.Host, "under the floor of 1024 bytes/s", "on 2 attempt(s)", ModuleLayer);
        Assert.That(ModuleLayerRanges(), Has.Count.EqualTo(2), "one resume, then the verdict");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [Test]
    [Category("Slow")]
    public async Task Drip_fed_blob_costs_under_a_minute_with_the_default_floor()
    {
        // The defaults (1024 bytes/s over 20 s, two attempts): a body dripping a byte a second fails in about 40 s,
        // where only the 5-minute overall timeout stopped it before.
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Drip(TimeSpan.FromSeconds(1)), times: null);

        var (result, elapsed) = await ValidateAsync(new RegistryClientOptions());

        TestContext.Out.WriteLine($"drip-fed blob, default floor: verdict after {elapsed.TotalSeconds:0.0} s");
        AssertNotVerified(result, _proxy.Host, "under the floor");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public async Task Too_many_requests_with_Retry_After_is_waited_out()
    {
        _proxy.Add(r => r.IsManifestGet, new Fault.Status(429, TimeSpan.FromSeconds(1)));

        var (result, elapsed) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(_proxy.Requests.Count(r => r.IsManifestGet), Is.EqualTo(2));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "Retry-After: 1 is honoured");
    }

    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    public async Task Server_error_once_is_retried(int status)
    {
        _proxy.Add(r => r.IsManifestGet, new Fault.Status(status));
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Status(status));

        var (result, _) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Persistent_503_on_a_layer_is_not_verified_and_names_the_status()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Status(503), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, "503", _proxy.Host);
    }

    [Test]
    public async Task Body_cut_short_with_a_clean_close_resumes_and_verifies()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.TruncateAfter(150_000));

        var (result, _) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(), Is.EqualTo(new[] { null, "bytes=150000-" }));
    }

    [Test]
    public async Task Content_Length_that_lies_short_is_not_verified()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.ShortContentLength(150_000), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, ModuleLayer, "ended after 150000");
    }

    [Test]
    public async Task Tampered_layer_is_not_verified()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Tamper(200_000), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, ModuleLayer, "does not match its digest");
    }

    [Test]
    public async Task Tampered_manifest_pulled_by_digest_is_not_verified()
    {
        using var client = _registry.CreateClient();
        var digest = (await client.GetManifestAsync(_registry.Reference($"{_repository}/veth:{FaultImages.Kernel}"))).Digest;
        _proxy.Add(r => r.IsManifestGet, new Fault.Tamper(10), times: null);

        var (result, _) = await ValidateAsync(image: $"{_proxy.Host}/{_repository}/veth@{digest}");

        AssertNotVerified(result, digest.ToString());
    }

    [Test]
    public async Task Endless_layer_body_is_not_verified()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer), new Fault.Endless(), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, ModuleLayer, "larger than");
    }

    [Test]
    public async Task Endless_manifest_body_is_refused_at_the_size_cap()
    {
        _proxy.Add(r => r.IsManifestGet, new Fault.Endless(), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, "limit");
    }

    [Test]
    public async Task Redirected_blob_resumes_at_the_storage_url_without_asking_the_registry_again()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer) && !r.ViaStorage, new Fault.RedirectToStorage(TimeSpan.FromMinutes(10)), times: null);
        _proxy.Add(r => r.IsBlob(ModuleLayer) && r.ViaStorage, new Fault.ResetAfter(100_000));

        var (result, _) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(viaStorage: false), Is.EqualTo(new string?[] { null }), "the registry is asked once");
        Assert.That(ModuleLayerRanges(viaStorage: true), Is.EqualTo(new[] { null, "bytes=100000-" }), "the resume goes straight to storage");
    }

    [Test]
    public async Task Expired_storage_url_is_refreshed_from_the_registry_once()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer) && !r.ViaStorage, new Fault.RedirectToStorage(TimeSpan.FromMinutes(10)), times: null);
        _proxy.Add(r => r.IsBlob(ModuleLayer) && r.ViaStorage, new Fault.ResetAfter(100_000));
        _proxy.Add(r => r.IsBlob(ModuleLayer) && r.ViaStorage && r.Range is not null, new Fault.Status(403));

        var (result, _) = await ValidateAsync();

        AssertVerified(result);
        Assert.That(ModuleLayerRanges(viaStorage: false), Is.EqualTo(new[] { null, "bytes=100000-" }), "a fresh redirect after the 403");
        Assert.That(ModuleLayerRanges(viaStorage: true), Is.EqualTo(new[] { null, "bytes=100000-", "bytes=100000-" }));
    }

    [Test]
    public async Task Storage_that_keeps_refusing_is_not_verified()
    {
        _proxy.Add(r => r.IsBlob(ModuleLayer) && !r.ViaStorage, new Fault.RedirectToStorage(TimeSpan.FromMinutes(10)), times: null);
        _proxy.Add(r => r.IsBlob(ModuleLayer) && r.ViaStorage, new Fault.Status(403), times: null);

        var (result, _) = await ValidateAsync();

        AssertNotVerified(result, "403");
        Assert.That(ModuleLayerRanges(viaStorage: true), Has.Count.LessThanOrEqualTo(4), "refreshed a bounded number of times, not forever");
    }
}
