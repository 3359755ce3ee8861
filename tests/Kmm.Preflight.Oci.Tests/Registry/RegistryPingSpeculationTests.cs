using System.Text;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// The first read from a registry goes out before the <c>/v2/</c> ping, not after it. An answer only a registry gives
/// settles the endpoint with no ping at all; any other answer leaves the decision to the ping: its errors are the ones
/// reported, and an answer from an endpoint it did not confirm is never used.
/// </summary>
public sealed class RegistryPingSpeculationTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}""";

    [Test]
    public async Task FirstManifestRequestDoesNotWaitForThePing()
    {
        var manifestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pingAnswered = 0;
        var manifestBeforePingAnswered = false;
        await using var registry = new LoopbackHttpServer(async request =>
        {
            if (request.Path == "/v2/")
            {
                // The ping is answered only once the manifest request has arrived (or after 5 s, failing the test).
                await Task.WhenAny(manifestArrived.Task, Task.Delay(TimeSpan.FromSeconds(5)));
                Volatile.Write(ref pingAnswered, 1);
                return LoopbackHttpResponse.Json(200, "{}");
            }

            manifestBeforePingAnswered = Volatile.Read(ref pingAnswered) == 0;
            manifestArrived.TrySetResult();
            return new LoopbackHttpResponse(200, Encoding.UTF8.GetBytes(Manifest), "application/vnd.oci.image.manifest.v1+json");
        });
        using var client = InsecureClient(registry);

        var manifest = await client.GetManifestAsync(Oci.References.ImageReference.Parse($"127.0.0.1:{registry.Port}/app:v1"));

        Assert.That(Encoding.UTF8.GetString(manifest.Content), Is.EqualTo(Manifest));
        Assert.That(manifestBeforePingAnswered, Is.True, "the manifest request waited for the ping");
    }

    [Test]
    public async Task ARegistrysAnswerToTheFirstRequestMakesThePingNeedless()
    {
        var pings = 0;
        await using var registry = new LoopbackHttpServer(request =>
        {
            if (request.Path == "/v2/")
            {
                Interlocked.Increment(ref pings);
                return Task.FromResult(LoopbackHttpResponse.Json(200, "{}"));
            }

            return Task.FromResult(new LoopbackHttpResponse(200, Encoding.UTF8.GetBytes(Manifest), "application/vnd.oci.image.manifest.v1+json"));
        });
        using var client = InsecureClient(registry);
        var reference = Oci.References.ImageReference.Parse($"127.0.0.1:{registry.Port}/app:v1");

        await client.GetManifestAsync(reference);
        await client.GetManifestAsync(reference);

        Assert.That(Volatile.Read(ref pings), Is.Zero);
    }

    [TestCase(200, "text/html", "<html>welcome</html>", TestName = "PingVerdictWinsOverAWebPage")]
    [TestCase(404, "application/json", "{}", TestName = "PingVerdictWinsOverANotFound")]
    public async Task PingVerdictWinsOverAnAnswerThatAnyWebServerGives(int status, string contentType, string body)
    {
        // /v2/ says this is no registry; the manifest path answers as a server answering every path would (a web page,
        // a 404): the ping is asked, and its error is what the user sees, not a bad manifest or a missing image.
        await using var server = new LoopbackHttpServer(request => Task.FromResult(request.Path == "/v2/"
            ? LoopbackHttpResponse.Json(404, "{}")
            : new LoopbackHttpResponse(status, Encoding.UTF8.GetBytes(body), contentType)));
        using var client = InsecureClient(server);

        Assert.That(
            async () => await client.GetManifestAsync(Oci.References.ImageReference.Parse($"127.0.0.1:{server.Port}/app:v1")),
            Throws.TypeOf<RegistryException>().With.Message.Contains("does not look like a registry"));
    }

    [Test]
    public async Task AnonymousNotFoundFromARegistryThatHidesPrivateRepositoriesIsAskedAgainWithCredentials()
    {
        // Like Artifactory's "hide existence of unauthorized resources": no credentials, 404; the ping shows the
        // challenge, and the request sent again with credentials finds the manifest.
        await using var registry = new LoopbackHttpServer(request =>
        {
            var authorized = request.Headers.GetValueOrDefault("Authorization") == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p"));
            if (request.Path == "/v2/")
            {
                return Task.FromResult(authorized
                    ? LoopbackHttpResponse.Json(200, "{}")
                    : LoopbackHttpResponse.Json(401, "{}") with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"hidden\"" } });
            }

            return Task.FromResult(authorized
                ? new LoopbackHttpResponse(200, Encoding.UTF8.GetBytes(Manifest), "application/vnd.oci.image.manifest.v1+json")
                : LoopbackHttpResponse.Json(404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}"));
        });
        var host = $"127.0.0.1:{registry.Port}";
        using var client = new RegistryClient(new RegistryClientOptions
        {
            Hosts = new Dictionary<string, RegistryHostSettings> { [host] = new(Insecure: true) },
            Credentials = new Oci.Registry.Auth.StaticCredentialProvider(host, new Oci.Registry.Auth.RegistryCredential { Username = "u", Password = "p" }),
        });

        var manifest = await client.GetManifestAsync(Oci.References.ImageReference.Parse($"{host}/private:v1"));

        Assert.That(Encoding.UTF8.GetString(manifest.Content), Is.EqualTo(Manifest));
    }

    [Test]
    public async Task AnswerFromAnUnconfirmedEndpointIsNotUsed()
    {
        // Not configured insecure: the guess is HTTPS, but this loopback registry speaks plain HTTP, which the ping
        // falls back to; the request is then sent again over HTTP, and that answer is the one used.
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var reference = registry.Reference($"speculation/app{Guid.NewGuid():N}:v1");
        using (var pusher = registry.CreateClient())
        {
            await TestImagePusher.PushImageAsync(pusher, reference, [TestLayers.Gzip("s", "speculation")]);
        }

        await registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        var mark = registry.LogMark;
        using var client = new RegistryClient();

        var manifest = await client.GetManifestAsync(reference);

        await registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        var manifestGets = registry.LogSince(mark).Count(l => l.Contains("response completed", StringComparison.Ordinal)
            && l.Contains($"/v2/{reference.Repository}/manifests/v1", StringComparison.Ordinal));
        Assert.That(manifest.Content, Is.Not.Empty);
        Assert.That(manifestGets, Is.EqualTo(1), "one manifest GET answered, in plain HTTP");
    }

    private static RegistryClient InsecureClient(LoopbackHttpServer server) => new(new RegistryClientOptions
    {
        Hosts = new Dictionary<string, RegistryHostSettings> { [$"127.0.0.1:{server.Port}"] = new(Insecure: true) },
    });
}
