using System.Collections.Concurrent;
using System.Text;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// A scripted registry whose Bearer challenge names a plain-HTTP token realm: an https registry must not get the
/// user's credentials sent over it (anyone on the path would read them); a registry configured insecure may.
/// </summary>
public sealed class RegistryPlainHttpRealmTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}""";
    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass"));

    private readonly ConcurrentQueue<LoopbackHttpRequest> _tokenRequests = new();

    private LoopbackHttpServer TokenServer() => new(request =>
    {
        _tokenRequests.Enqueue(request);
        return Task.FromResult(LoopbackHttpResponse.Json(200, """{"token":"granted","expires_in":300}"""));
    });

    /// <summary>Challenges until it sees the token, then serves the manifest.</summary>
    private static Func<LoopbackHttpRequest, Task<LoopbackHttpResponse>> Registry(string realm) => request =>
    {
        if (request.Headers.GetValueOrDefault("Authorization") != "Bearer granted")
        {
            return Task.FromResult(LoopbackHttpResponse.Json(401, "{}") with
            {
                Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = $"Bearer realm=\"{realm}\",service=\"scripted\"" },
            });
        }

        return Task.FromResult(request.Path == "/v2/"
            ? LoopbackHttpResponse.Json(200, "{}")
            : new LoopbackHttpResponse(200, Encoding.UTF8.GetBytes(Manifest), "application/vnd.oci.image.manifest.v1+json"));
    };

    private static RegistryClient Client(string host, bool insecure, string? caFile = null) => new(new RegistryClientOptions
    {
        Credentials = new StaticCredentialProvider(host, new RegistryCredential { Username = "user", Password = "pass" }),
        Hosts = new Dictionary<string, RegistryHostSettings> { [host] = new(Insecure: insecure) },
        CaFiles = caFile is null ? [] : [caFile],
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    });

    [Test]
    public async Task Https_registry_naming_a_plain_http_realm_gets_no_credentials()
    {
        using var ca = new TestCertificateAuthority();
        var caFile = Path.Combine(Path.GetTempPath(), $"kmm-ca-{Guid.NewGuid():N}.pem");
        ca.WriteCertificatePem(caFile);
        try
        {
            await using var tokens = TokenServer();
            await using var registry = new LoopbackHttpServer(Registry($"{tokens.BaseUri}token"), ca.IssueServerCertificate());
            var host = $"127.0.0.1:{registry.Port}";
            using var client = Client(host, insecure: false, caFile);

            var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{host}/app:v1")));

            Assert.That(error!.Message, Does.Contain("plain-HTTP token realm"));
            Assert.That(error.Message, Does.Not.Contain("pass"));
            Assert.That(_tokenRequests, Is.Empty, "nothing, credentials least of all, goes to the plain-HTTP realm");
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Test]
    public async Task Insecure_registry_may_use_a_plain_http_realm()
    {
        // The contrast that shows the scripted registry works: configured insecure, the same challenge is followed.
        await using var tokens = TokenServer();
        await using var registry = new LoopbackHttpServer(Registry($"{tokens.BaseUri}token"));
        var host = $"127.0.0.1:{registry.Port}";
        using var client = Client(host, insecure: true);

        var manifest = await client.GetManifestAsync(ImageReference.Parse($"{host}/app:v1"));

        Assert.That(manifest, Is.Not.Null);
        Assert.That(_tokenRequests.Select(r => r.Headers.GetValueOrDefault("Authorization")), Has.Some.EqualTo(Basic));
    }
}
