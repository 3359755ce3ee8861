using System.Net;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[Category("Integration")]
public sealed class RegistryFaultTests
{
    private RegistryProcess _registry = null!;
    private FaultInjectingHandler _faults = null!;
    private RegistryClient _client = null!;
    private ImageReference _reference = null!;
    private TestLayer _layer = null!;
    private PushedImage _image = null!;

    [OneTimeSetUp]
    public async Task PushImage()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _reference = _registry.Reference("faults/app:v1");
        _layer = TestLayers.Random(300_000, seed: 7);
        using var client = _registry.CreateClient();
        _image = await TestImagePusher.PushImageAsync(client, _reference, [_layer]);
    }

    [SetUp]
    public void CreateClient()
    {
        _faults = new FaultInjectingHandler();
        _client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = _faults, MaxRetries = 3 });
    }

    [TearDown]
    public void DisposeClient()
    {
        _client.Dispose();
        _faults.Dispose();
    }

    private async Task<byte[]> ReadBlobAsync()
    {
        await using var stream = await _client.OpenBlobAsync(_reference, _layer.Digest, _layer.Content.Length);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task Dropped_blob_connection_resumes_with_Range_and_is_verified()
    {
        _faults.DropBlobBodyAfter = 100_000;
        _faults.DropsLeft = 2;

        var content = await ReadBlobAsync();

        Assert.That(content, Is.EqualTo(_layer.Content));
        var ranges = _faults.Requests.Where(r => r.Path.Contains("/blobs/", StringComparison.Ordinal) && r.Method == HttpMethod.Get).Select(r => r.Range).ToList();
        Assert.That(ranges, Is.EqualTo(new[] { null, "bytes=100000-", "bytes=200000-" }));
    }

    [Test]
    public async Task Resuming_from_an_offset_reads_the_tail()
    {
        await using var stream = await _client.OpenBlobAsync(_reference, _layer.Digest, _layer.Content.Length, offset: 299_000);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.That(copy.ToArray(), Is.EqualTo(_layer.Content[299_000..]));
    }

    [Test]
    public void Corrupted_blob_fails_verification()
    {
        _faults.Corrupt = r => r.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal);

        var error = Assert.ThrowsAsync<InvalidDataException>(ReadBlobAsync);
        Assert.That(error!.Message, Does.Contain("does not match its digest").And.Contain(_layer.Digest.ToString()));
    }

    [Test]
    public async Task Blob_larger_or_smaller_than_its_descriptor_is_refused()
    {
        await using (var stream = await _client.OpenBlobAsync(_reference, _layer.Digest, _layer.Content.Length - 1))
        {
            var error = Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));
            Assert.That(error!.Message, Does.Contain("larger than"));
        }

        await using (var stream = await _client.OpenBlobAsync(_reference, _layer.Digest, _layer.Content.Length + 1))
        {
            var error = Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));
            Assert.That(error!.Message, Does.Contain("ended after"));
        }
    }

    [Test]
    public async Task Too_many_requests_with_Retry_After_is_retried()
    {
        _faults.AnswerOnce(r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal), () => FaultInjectingHandler.Status(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1)));

        var manifest = await _client.GetManifestAsync(_reference);

        Assert.That(manifest.Digest, Is.EqualTo(_image.Digest));
        Assert.That(_faults.Count("/manifests/"), Is.EqualTo(2));
    }

    [Test]
    public async Task Service_unavailable_and_bad_gateway_are_retried()
    {
        _faults.AnswerOnce(r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal), () => FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable));
        _faults.AnswerOnce(r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal), () => FaultInjectingHandler.Status(HttpStatusCode.BadGateway));

        var manifest = await _client.GetManifestAsync(_reference);

        Assert.That(manifest.Digest, Is.EqualTo(_image.Digest));
        Assert.That(_faults.Count("/manifests/"), Is.EqualTo(3));
    }

    [Test]
    public void Persistent_503_gives_up_after_the_retries_with_a_typed_error()
    {
        for (var i = 0; i < 10; i++)
        {
            _faults.AnswerOnce(r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal), () => FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable));
        }

        var error = Assert.ThrowsAsync<RegistryException>(() => _client.GetManifestAsync(_reference));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(error.Message, Does.Contain(_reference.ToString()).And.Contain("503"));
        Assert.That(_faults.Count("/manifests/"), Is.EqualTo(4), "one attempt and three retries");
    }

    [Test]
    public void Tampered_manifest_pulled_by_digest_is_refused()
    {
        _faults.Corrupt = r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal);

        var error = Assert.ThrowsAsync<InvalidDataException>(() => _client.GetManifestAsync(_reference.WithDigest(_image.Digest)));
        Assert.That(error!.Message, Does.Contain(_image.Digest.ToString()));
    }

    [Test]
    public async Task Every_manifest_request_sends_the_full_accept_list()
    {
        var seen = new List<string>();
        _faults.AnswerOnce(
            r =>
            {
                if (r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal))
                {
                    seen.AddRange(r.Headers.Accept.Select(a => a.MediaType!));
                }

                return false;
            },
            () => throw new InvalidOperationException());

        await _client.GetManifestAsync(_reference);

        Assert.That(seen, Is.EquivalentTo(Oci.Manifests.MediaType.ManifestTypes.Select(m => m.Value)));
    }

    [Test]
    public async Task Stalled_blob_body_is_resumed_after_the_attempt_timeout()
    {
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = _faults, AttemptTimeout = TimeSpan.FromMilliseconds(500) });
        _faults.DropBlobBodyAfter = 50_000;
        _faults.DropsLeft = 1;
        _faults.StallInsteadOfDrop = true;

        await using var stream = await client.OpenBlobAsync(_reference, _layer.Digest, _layer.Content.Length);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.That(copy.ToArray(), Is.EqualTo(_layer.Content));
        Assert.That(_faults.Requests.Select(r => r.Range), Does.Contain("bytes=50000-"));
    }

    [Test]
    public async Task Hanging_request_times_out_per_attempt_and_is_retried()
    {
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = _faults, AttemptTimeout = TimeSpan.FromMilliseconds(300) });
        _faults.HangsLeft = 1;
        _faults.HangMatches = r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal);

        var manifest = await client.GetManifestAsync(_reference);

        Assert.That(manifest.Digest, Is.EqualTo(_image.Digest));
        Assert.That(_faults.Count("/manifests/"), Is.EqualTo(2));
    }

    [Test]
    public void Request_that_always_hangs_gives_a_timeout_error_naming_the_registry()
    {
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = _faults, AttemptTimeout = TimeSpan.FromMilliseconds(200), MaxRetries = 1 });
        _faults.HangsLeft = 100;
        _faults.HangMatches = r => r.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal);

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(_reference));

        Assert.That(error!.Message, Does.Contain(_registry.Host).And.Contain("did not answer within"));
    }

    [Test]
    public void Cancellation_is_honoured()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => _client.GetManifestAsync(_reference, cancelled.Token));
    }
}
