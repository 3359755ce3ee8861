using System.Collections.Concurrent;
using System.Text;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// A scripted plain-HTTP registry whose manifest needs a scope the client cannot guess: the 401 names it, the
/// client gets a new token with that scope (first) and its own, and retries once.
/// </summary>
public sealed class RegistryScopeChallengeTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}""";

    [Test]
    public async Task Unauthorized_naming_a_new_scope_triggers_a_new_token_and_one_retry()
    {
        var tokenRequests = new ConcurrentQueue<string>();
        var registryAuthorizations = new ConcurrentQueue<string>();
        await using var tokens = new LoopbackHttpServer(request =>
        {
            var scopes = request.Query.Where(q => q.Key == "scope").Select(q => q.Value).ToList();
            tokenRequests.Enqueue(string.Join(' ', scopes));
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join(' ', scopes)));
            return Task.FromResult(LoopbackHttpResponse.Json(200, $"{{\"token\":\"{token}\",\"expires_in\":300}}"));
        });
        var challenge = $"Bearer realm=\"{tokens.BaseUri}token\",service=\"scripted\"";
        await using var registry = new LoopbackHttpServer(request =>
        {
            var authorization = request.Headers.GetValueOrDefault("Authorization") ?? string.Empty;
            registryAuthorizations.Enqueue(authorization);
            var granted = authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization[7..]))
                : string.Empty;
            if (request.Path == "/v2/")
            {
                return Task.FromResult(LoopbackHttpResponse.Json(401, "{}") with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = challenge } });
            }

            // Each repository also needs a scope of its own that the client cannot guess.
            var needed = request.Path.StartsWith("/v2/app/", StringComparison.Ordinal) ? "repository:shared/base:pull" : "repository:shared/other:pull";
            if (!granted.Contains(needed, StringComparison.Ordinal))
            {
                return Task.FromResult(LoopbackHttpResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}") with
                {
                    Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = challenge + $",scope=\"{needed}\"" },
                });
            }

            return Task.FromResult(new LoopbackHttpResponse(200, Encoding.UTF8.GetBytes(Manifest), "application/vnd.oci.image.manifest.v1+json"));
        });
        var host = $"127.0.0.1:{registry.Port}";
        using var client = new RegistryClient(new RegistryClientOptions
        {
            Hosts = new Dictionary<string, RegistryHostSettings> { [host] = new(Insecure: true) },
            Credentials = new StaticCredentialProvider(host, new RegistryCredential { Username = "u", Password = "p" }),
        });
        var app = Oci.References.ImageReference.Parse($"{host}/app:v1");
        var other = Oci.References.ImageReference.Parse($"{host}/other:v1");

        // The first request goes out alongside the /v2/ ping, before any challenge is known: its 401 names the scope.
        var manifest = await client.GetManifestAsync(app);

        // Then, with the challenge known, a token for other's own scope is fetched first, refused naming one more scope,
        // replaced by a token with both, and the request retried once; the next request uses the cached token.
        await client.GetManifestAsync(other);
        await client.GetManifestAsync(other);

        Assert.That(Encoding.UTF8.GetString(manifest.Content), Is.EqualTo(Manifest));
        Assert.That(tokenRequests, Is.EqualTo(new[]
        {
            "repository:shared/base:pull repository:app:pull",
            "repository:other:pull",
            "repository:shared/other:pull repository:other:pull",
        }));
        Assert.That(registryAuthorizations.Count(a => a.Length > 0), Is.EqualTo(4), "app's retry, other's first try, its retry after the challenge, then the cached token");
    }
}
