using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>Token-protocol details, on a registry of its own so the token server's settings and log are ours.</summary>
[Category("Integration")]
public sealed class RegistryTokenAuthTests
{
    private RegistryProcess _registry = null!;
    private TokenServer _tokens = null!;
    private ImageReference _first = null!;
    private ImageReference _second = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _registry = await RegistryProcess.StartAsync(RegistryMode.TokenAuth);
        _tokens = _registry.TokenServer!;
        _first = _registry.Reference("tokens/first:v1");
        _second = _registry.Reference("tokens/second:v1");
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _first, [TestLayers.Gzip("a", "first")]);
        await TestImagePusher.PushImageAsync(client, _second, [TestLayers.Gzip("b", "second")]);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _registry.DisposeAsync();

    [TearDown]
    public void Reset()
    {
        _tokens.RejectPost = false;
        _tokens.AllowAnonymousPull = false;
    }

    private int Count(Func<TokenRequestRecord, bool> predicate) => _tokens.Requests.Count(predicate);

    [Test]
    public async Task Token_is_cached_per_scope_and_a_new_scope_gets_a_new_token()
    {
        using var client = _registry.CreateClient();
        var before = _tokens.Requests.Count;

        await client.GetManifestAsync(_first);
        await client.GetManifestAsync(_first);
        await client.BlobExistsAsync(_first, Digest.Sha256([1]));
        var afterFirst = _tokens.Requests.Count;
        await client.GetManifestAsync(_second);

        Assert.That(afterFirst - before, Is.EqualTo(1), "one token serves every pull of the same repository");
        var last = _tokens.Requests[^1];
        Assert.That(last.Scopes, Does.Contain("repository:tokens/second:pull"));
        Assert.That(last.Subject, Is.EqualTo(_registry.Username));
        Assert.That(last.Method, Is.EqualTo("GET"));
    }

    [Test]
    public async Task Debug_log_shows_requests_but_never_secrets()
    {
        var logger = new CapturingLogger();
        using var client = _registry.CreateClient(logger: logger);

        await client.GetManifestAsync(_first);

        var log = string.Join('\n', logger.Messages);
        Assert.That(log, Does.Contain("/v2/tokens/first/manifests/v1").And.Contain("/token"));
        Assert.That(log, Does.Not.Contain(_registry.Password!));
        Assert.That(log, Does.Not.Contain(_tokens.RefreshToken));
        Assert.That(log, Does.Not.Contain("eyJ"), "no JWT in the log");
    }

    [Test]
    public async Task Identity_token_uses_the_OAuth2_refresh_grant()
    {
        var options = _registry.CreateClientOptions() with
        {
            Credentials = new StaticCredentialProvider(_registry.Host, new RegistryCredential { Username = "<token>", Password = _tokens.RefreshToken }),
        };
        using var client = new RegistryClient(options);

        await client.GetManifestAsync(_first);

        var last = _tokens.Requests[^1];
        Assert.That((last.Method, last.GrantType, last.Subject, last.Status), Is.EqualTo(("POST", "refresh_token", _registry.Username, 200)));
    }

    [Test]
    public async Task Oauth2_POST_answered_404_falls_back_to_GET()
    {
        _tokens.RejectPost = true;
        var options = _registry.CreateClientOptions() with
        {
            Credentials = new StaticCredentialProvider(_registry.Host, new RegistryCredential { Username = _registry.Username, Password = _registry.Password, IdentityToken = "ignored-by-this-server" }),
        };
        using var client = new RegistryClient(options);
        var before = _tokens.Requests.Count;

        await client.GetManifestAsync(_first);

        var requests = _tokens.Requests.Skip(before).ToList();
        Assert.That(requests.Select(r => (r.Method, r.Status)), Is.EqualTo(new[] { ("POST", 404), ("GET", 200) }));
    }

    [Test]
    public async Task Anonymous_pull_works_when_the_token_server_allows_it()
    {
        _tokens.AllowAnonymousPull = true;
        using var client = _registry.CreateClient(withCredentials: false);

        var manifest = await client.GetManifestAsync(_first);

        Assert.That(manifest.Content, Is.Not.Empty);
        Assert.That(_tokens.Requests[^1].Subject, Is.Null);
    }

    [Test]
    public void Anonymous_push_is_refused()
    {
        _tokens.AllowAnonymousPull = true;
        using var client = _registry.CreateClient(withCredentials: false);

        Assert.ThrowsAsync<RegistryUnauthorizedException>(() => client.PushBlobAsync(_registry.Reference("tokens/anon:v1"), Digest.Sha256([9, 9]), new byte[] { 9, 9 }));
    }

    [Test]
    public async Task Cross_repository_mount_asks_for_both_scopes()
    {
        using var client = _registry.CreateClient();
        var blob = new byte[] { 1, 2, 3, 4, 5 };
        var digest = Digest.Sha256(blob);
        await client.PushBlobAsync(_first, digest, blob);
        var target = _registry.Reference("tokens/mounted:v1");

        var mounted = await client.MountBlobAsync(target, digest, _first);

        Assert.That(mounted, Is.True);
        Assert.That(await client.BlobExistsAsync(target, digest), Is.True);
        Assert.That(_tokens.Requests.Any(r => r.Scopes.Contains("repository:tokens/mounted:pull,push") && r.Scopes.Contains("repository:tokens/first:pull")), Is.True);
    }
}
