using System.Diagnostics;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>A host that accepts the TCP connection and never answers: a clear error naming it, and no plain-HTTP retry.</summary>
[Category("Integration")]
public sealed class RegistryTimeoutTests
{
    [Test]
    public async Task Silent_https_host_is_a_connect_timeout_naming_the_host_and_not_retried_in_plain_http()
    {
        await using var server = new SilentServer();
        using var client = new RegistryClient(new RegistryClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.Host}/app:v1")));

        Assert.That(error!.Message, Is.EqualTo($"fetching manifest of {server.Host}/app:v1: could not connect to {server.Host} within 1 s (TCP connect and TLS handshake)."));
        Assert.That(error.StatusCode, Is.Null);
        Assert.That(server.ReceivedPlainHttp, Is.False, "a timeout is no sign of a plain HTTP registry");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Attempt_timeout_during_the_https_ping_does_not_fall_back_to_plain_http()
    {
        await using var server = new SilentServer();
        using var client = new RegistryClient(new RegistryClientOptions { AttemptTimeout = TimeSpan.FromSeconds(1), MaxRetries = 0 });

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.Host}/app:v1")));

        Assert.That(error!.Message, Does.Contain($"{server.Host} did not answer within 1 s"));
        Assert.That(server.ReceivedPlainHttp, Is.False);
    }

    [Test]
    public async Task Silent_plain_http_host_is_a_response_timeout_naming_the_host()
    {
        await using var server = new SilentServer();
        using var client = new RegistryClient(new RegistryClientOptions
        {
            Hosts = new Dictionary<string, RegistryHostSettings> { [server.Host] = new(Insecure: true) },
            AttemptTimeout = TimeSpan.FromSeconds(1),
            MaxRetries = 0,
        });

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.Host}/app:v1")));

        Assert.That(error!.Message, Is.EqualTo($"fetching manifest of {server.Host}/app:v1: {server.Host} did not answer within 1 s (waiting for the response)."));
        Assert.That(server.ReceivedPlainHttp, Is.True, "the request went out; only the answer was missing");
    }
}
