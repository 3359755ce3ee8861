using System.Collections.Concurrent;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary><see cref="ImageOpenerOptions.ReuseResolvedImages"/> against the real registry.</summary>
[Category("Integration")]
public sealed class SharedResolutionTests
{
    private RegistryProcess _registry = null!;
    private string _repo = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _repo = "kmm-core-shared-" + Guid.NewGuid().ToString("N")[..8];
    }

    private async Task<string> PushAsync(string tag, string content)
    {
        using var client = _registry.CreateClient();
        var pushed = await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repo}/driver:{tag}"),
            [new LayerBuilder().WithParentDirectories().AddFile("etc/content", content).ToTestLayer()]);
        return pushed.Digest.ToString();
    }

    private (ImageOpener Opener, RegistryClientPool Pool, CountingHandler Requests) Opener(bool reuse)
    {
        var requests = new CountingHandler();
        var pool = new RegistryClientPool(_registry.CreateClientOptions() with { InnerHandler = requests });
        return (new ImageOpener(pool, new ImageOpenerOptions { ReuseResolvedImages = reuse }), pool, requests);
    }

    private ImageRequest Request(string tag) => new() { Reference = $"{_registry.Host}/{_repo}/driver:{tag}", Platform = Platform.Default };

    [Test]
    public async Task A_tag_is_resolved_once_per_opener_and_keeps_its_digest_for_the_run()
    {
        var first = await PushAsync("moving", "one");
        var (opener, pool, requests) = Opener(reuse: true);
        using (pool)
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => opener.OpenAsync(Request("moving"))));
            await PushAsync("moving", "two");
            var later = await opener.OpenAsync(Request("moving"));

            Assert.That(opened.Append(later).Select(f => f.Digest).Distinct(), Is.EqualTo(new[] { first }));
            Assert.That(requests.ManifestGets, Is.EqualTo(1));
            Assert.That(await later.ReadAllBytesAsync("/etc/content", 100), Is.EqualTo("one"u8.ToArray()));
        }
    }

    [Test]
    public async Task Without_reuse_every_open_resolves_the_tag_again()
    {
        await PushAsync("fresh", "one");
        var (opener, pool, requests) = Opener(reuse: false);
        using (pool)
        {
            await opener.OpenAsync(Request("fresh"));
            var second = await PushAsync("fresh", "two");
            var later = await opener.OpenAsync(Request("fresh"));

            Assert.That(later.Digest, Is.EqualTo(second));
            Assert.That(requests.ManifestGets, Is.EqualTo(2));
        }
    }

    [Test]
    public void A_missing_image_is_asked_for_once_and_each_request_gets_its_own_error()
    {
        var (opener, pool, requests) = Opener(reuse: true);
        using (pool)
        {
            for (var i = 0; i < 3; i++)
            {
                var error = Assert.ThrowsAsync<ImageAccessException>(() => opener.OpenAsync(Request("absent")));
                Assert.That(error!.Failure, Is.EqualTo(ImageAccessFailure.NotFound));
                Assert.That(error.Message, Does.Contain($"{_repo}/driver:absent"));
            }

            Assert.That(requests.ManifestGets, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_cancelled_request_does_not_leave_its_cancellation_to_the_next()
    {
        var digest = await PushAsync("cancel", "one");
        var (opener, pool, _) = Opener(reuse: true);
        using (pool)
        {
            Assert.That(() => opener.OpenAsync(Request("cancel"), new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());

            var files = await opener.OpenAsync(Request("cancel"));

            Assert.That(files.Digest, Is.EqualTo(digest));
        }
    }

    /// <summary>Counts manifest GETs on their way to the registry.</summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        private readonly ConcurrentQueue<string> _paths = new();

        public CountingHandler()
            : base(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
        }

        public int ManifestGets => _paths.Count(p => p.Contains("/manifests/", StringComparison.Ordinal));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                _paths.Enqueue(request.RequestUri!.AbsolutePath);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
