using System.Text;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// Every log level (the capturing logger takes Trace) and every error message of a read that uses Basic credentials
/// and follows a blob redirect to signed storage: neither the password, the Authorization value, nor the URL's
/// signature appears. Complements RegistryRedirectTests (which host gets the header) and RegistryTokenAuthTests.
/// </summary>
public sealed class RegistrySecretLoggingTests
{
    private const string Password = "pa55-W0rd-never-logged";
    private const string Signature = "sig-7f3a9c-never-logged";
    private static readonly byte[] Blob = Encoding.ASCII.GetBytes("blob behind a signed redirect");
    private static readonly string Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Password));

    private static Func<LoopbackHttpRequest, Task<LoopbackHttpResponse>> Registry(Func<string> storage) => request =>
    {
        if (!request.Headers.TryGetValue("Authorization", out var value) || value != Authorization)
        {
            return Task.FromResult(LoopbackHttpResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}") with
            {
                Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"test\"" },
            });
        }

        return Task.FromResult(request.Path == "/v2/"
            ? LoopbackHttpResponse.Json(200, "{}")
            : new LoopbackHttpResponse(307, []) { Headers = new Dictionary<string, string> { ["Location"] = $"{storage()}/bucket/blob?X-Amz-Credential=AKIA&X-Amz-Signature={Signature}" } });
    };

    private static async Task<(CapturingLogger Log, Exception? Error)> ReadAsync(int storageStatus, string password = Password)
    {
        await using var storage = new LoopbackHttpServer(_ => Task.FromResult(storageStatus == 200
            ? new LoopbackHttpResponse(200, Blob, "application/octet-stream")
            : new LoopbackHttpResponse(storageStatus, Encoding.ASCII.GetBytes("<Error>AccessDenied</Error>"), "application/xml")));
        await using var registry = new LoopbackHttpServer(Registry(() => storage.BaseUri.ToString().TrimEnd('/')));
        var host = $"127.0.0.1:{registry.Port}";
        var logger = new CapturingLogger();
        using var client = new RegistryClient(
            new RegistryClientOptions
            {
                Credentials = new StaticCredentialProvider(host, new RegistryCredential { Username = "user", Password = password }),
                Hosts = new Dictionary<string, RegistryHostSettings> { [host] = new(Insecure: true) },
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                MaxRetries = 1,
            },
            logger);
        try
        {
            await using var stream = await client.OpenBlobAsync(ImageReference.Parse($"{host}/app:v1"), Digest.Sha256(Blob), Blob.Length);
            await stream.CopyToAsync(Stream.Null);
            return (logger, null);
        }
        catch (Exception e) when (e is RegistryException or IOException or InvalidDataException)
        {
            return (logger, e);
        }
    }

    private static void AssertNoSecret(string text, string what)
    {
        Assert.That(text, Does.Not.Contain(Password), what);
        Assert.That(text, Does.Not.Contain(Authorization["Basic ".Length..]), what);
        Assert.That(text, Does.Not.Contain(Signature), what);
    }

    [Test]
    public async Task A_successful_redirected_read_logs_no_secret_at_any_level()
    {
        var (log, error) = await ReadAsync(200);

        Assert.That(error, Is.Null);
        Assert.That(log.Messages, Is.Not.Empty, "nothing was logged, so the test proves nothing");
        AssertNoSecret(string.Join('\n', log.Messages), "log");
    }

    [TestCase(403)]
    [TestCase(500)]
    public async Task A_failing_storage_gives_an_error_and_log_without_secrets(int status)
    {
        var (log, error) = await ReadAsync(status);

        Assert.That(error, Is.Not.Null);
        AssertNoSecret(error!.ToString(), "exception");
        AssertNoSecret(string.Join('\n', log.Messages), "log");
    }

    [Test]
    public async Task A_wrong_password_gives_an_error_and_log_without_it()
    {
        var (log, error) = await ReadAsync(200, password: "wrong-" + Password);

        Assert.That(error, Is.TypeOf<RegistryUnauthorizedException>());
        AssertNoSecret(error!.ToString(), "exception");
        AssertNoSecret(string.Join('\n', log.Messages), "log");
    }
}
