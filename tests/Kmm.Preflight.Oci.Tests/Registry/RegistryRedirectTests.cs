using System.Collections.Concurrent;
using System.Text;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// A scripted registry (Basic auth, blob GETs redirected to a "storage" server on another port) checks that
/// credentials never follow a redirect, expired signed URLs are renewed once, and https never leads to http.
/// </summary>
public sealed class RegistryRedirectTests
{
    private static readonly byte[] Blob = Encoding.ASCII.GetBytes("blob behind a redirect");
    private static readonly Digest BlobDigest = Digest.Sha256(Blob);
    private ConcurrentQueue<LoopbackHttpRequest> _registryRequests = new();
    private ConcurrentQueue<LoopbackHttpRequest> _storageRequests = new();
    private int _storageForbiddenLeft;
    private string _expectedAuthorization = string.Empty;

    private async Task<LoopbackHttpResponse> StorageAsync(LoopbackHttpRequest request)
    {
        _storageRequests.Enqueue(request);
        await Task.Yield();
        if (Interlocked.Decrement(ref _storageForbiddenLeft) >= 0)
        {
            return new LoopbackHttpResponse(403, Encoding.ASCII.GetBytes("<Error>Request has expired</Error>"), "application/xml");
        }

        return new LoopbackHttpResponse(200, Blob, "application/octet-stream");
    }

    private Func<LoopbackHttpRequest, Task<LoopbackHttpResponse>> Registry(Func<string> storageUri) => request =>
    {
        _registryRequests.Enqueue(request);
        if (!request.Headers.TryGetValue("Authorization", out var authorization) || authorization != _expectedAuthorization)
        {
            return Task.FromResult(LoopbackHttpResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}") with
            {
                Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"test\"" },
            });
        }

        if (request.Path == "/v2/")
        {
            return Task.FromResult(LoopbackHttpResponse.Json(200, "{}"));
        }

        return Task.FromResult(new LoopbackHttpResponse(307, []) { Headers = new Dictionary<string, string> { ["Location"] = storageUri() + "/bucket/blob?X-Amz-Signature=secret" } });
    };

    private static RegistryClient Client(string host, bool plainHttp, string? caFile = null) => new(new RegistryClientOptions
    {
        Credentials = new StaticCredentialProvider(host, new RegistryCredential { Username = "user", Password = "pass" }),
        Hosts = new Dictionary<string, RegistryHostSettings> { [host] = new(Insecure: plainHttp) },
        CaFiles = caFile is null ? [] : [caFile],
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    });

    [SetUp]
    public void Reset()
    {
        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass"));
        _registryRequests = new();
        _storageRequests = new();
        _storageForbiddenLeft = 0;
    }

    private static async Task<byte[]> ReadAsync(RegistryClient client, string host)
    {
        await using var stream = await client.OpenBlobAsync(ImageReference.Parse($"{host}/app:v1"), BlobDigest, Blob.Length);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Reads the blob from a plain-HTTP registry whose blob answers redirect to a separate storage server.</summary>
    private async Task<byte[]> ReadThroughStorageRedirectAsync()
    {
        await using var storage = new LoopbackHttpServer(StorageAsync);
        await using var registry = new LoopbackHttpServer(Registry(() => storage.BaseUri.ToString().TrimEnd('/')));
        var host = $"127.0.0.1:{registry.Port}";
        using var client = Client(host, plainHttp: true);

        return await ReadAsync(client, host);
    }

    [Test]
    public async Task Authorization_goes_to_the_registry_but_not_to_the_redirect_target()
    {
        var content = await ReadThroughStorageRedirectAsync();

        Assert.That(content, Is.EqualTo(Blob));

        // The blob request goes out alongside the /v2/ ping, so the ping may reach the registry last.
        var blobRequests = _registryRequests.Where(r => r.Path != "/v2/").ToList();
        Assert.That(blobRequests.Last().Headers.GetValueOrDefault("Authorization"), Is.EqualTo(_expectedAuthorization));
        Assert.That(_storageRequests, Has.Count.EqualTo(1));
        Assert.That(_storageRequests.Single().Headers.ContainsKey("Authorization"), Is.False, "credentials must not cross to another host:port");
        Assert.That(_storageRequests.Single().Target, Does.Contain("X-Amz-Signature=secret"));
    }

    [Test]
    public async Task Expired_signed_url_is_renewed_once()
    {
        _storageForbiddenLeft = 1;

        var content = await ReadThroughStorageRedirectAsync();

        Assert.That(content, Is.EqualTo(Blob));
        Assert.That(_storageRequests, Has.Count.EqualTo(2));
        Assert.That(_registryRequests.Count(r => r.Path.Contains("/blobs/", StringComparison.Ordinal) && r.Headers.ContainsKey("Authorization")), Is.EqualTo(2));
    }

    [Test]
    public void Storage_that_keeps_refusing_gives_a_typed_error()
    {
        _storageForbiddenLeft = 5;

        var error = Assert.ThrowsAsync<RegistryUnauthorizedException>(ReadThroughStorageRedirectAsync);

        Assert.That(error!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        Assert.That(_storageRequests, Has.Count.EqualTo(2), "a fresh redirect is asked for once, not forever");
    }

    [Test]
    public async Task Redirect_from_https_to_http_is_refused()
    {
        using var ca = new TestCertificateAuthority();
        var caFile = Path.Combine(Path.GetTempPath(), $"kmm-ca-{Guid.NewGuid():N}.pem");
        ca.WriteCertificatePem(caFile);
        try
        {
            await using var storage = new LoopbackHttpServer(StorageAsync);
            await using var registry = new LoopbackHttpServer(Registry(() => storage.BaseUri.ToString().TrimEnd('/')), ca.IssueServerCertificate());
            var host = $"127.0.0.1:{registry.Port}";
            using var client = Client(host, plainHttp: false, caFile);

            var error = Assert.ThrowsAsync<RegistryException>(() => ReadAsync(client, host));

            Assert.That(error!.Message, Does.Contain("refusing a redirect from https to plain http"));
            Assert.That(error.Message, Does.Not.Contain("secret"), "signed query strings are not repeated in messages");
            Assert.That(_storageRequests, Is.Empty);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Test]
    public void Redirect_rules_resolve_relative_locations_and_refuse_other_schemes()
    {
        var current = new Uri("https://r.example/v2/app/blobs/x");
        Assert.That(RedirectRulesNext(current, new Uri("/storage/y", UriKind.Relative)), Is.EqualTo(new Uri("https://r.example/storage/y")));
        Assert.That(RedirectRulesNext(current, new Uri("https://cdn.example/y")), Is.EqualTo(new Uri("https://cdn.example/y")));
        Assert.Throws<RegistryException>(() => RedirectRulesNext(current, new Uri("http://cdn.example/y")));
        Assert.Throws<RegistryException>(() => RedirectRulesNext(current, new Uri("file:///etc/passwd")));
        Assert.That(RedirectRulesNext(new Uri("http://127.0.0.1/x"), new Uri("https://cdn.example/y")).Scheme, Is.EqualTo("https"));
    }

    private static Uri RedirectRulesNext(Uri current, Uri location) => Oci.Registry.Transport.RedirectRules.Next(current, location, "test");
}
