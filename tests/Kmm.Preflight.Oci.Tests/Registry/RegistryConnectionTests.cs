using System.Net;
using System.Net.Sockets;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[Category("Integration")]
public sealed class RegistryConnectionTests
{
    [Test]
    public async Task Tls_registry_without_the_CA_gives_a_clear_TLS_error()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.Tls);
        using var client = new RegistryClient(new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(registry.Reference("tls/app:v1")));

        Assert.That(error!.Message, Does.Contain($"TLS certificate of {registry.Host} is not trusted").And.Contain("--ca-file").And.Contain("insecureSkipTLSVerify"));
        Assert.That(error.StatusCode, Is.Null);
    }

    [Test]
    public async Task Tls_registry_with_skip_verify_works_without_the_CA()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.Tls);
        using (var pusher = registry.CreateClient())
        {
            await TestImagePusher.PushImageAsync(pusher, registry.Reference("tls/skip:v1"), [TestLayers.Gzip("s", "skip")]);
        }

        using var client = new RegistryClient(new RegistryClientOptions
        {
            Hosts = new Dictionary<string, RegistryHostSettings> { [registry.Host] = new(InsecureSkipTlsVerify: true) },
        });

        var manifest = await client.GetManifestAsync(registry.Reference("tls/skip:v1"));

        Assert.That(manifest.Content, Is.Not.Empty);
    }

    [Test]
    public void Missing_CA_file_is_reported_when_the_client_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() => new RegistryClient(new RegistryClientOptions { CaFiles = ["/nonexistent/ca.pem"] }));
        Assert.That(error!.Message, Does.Contain("/nonexistent/ca.pem"));
    }

    [Test]
    public async Task Loopback_plain_http_registry_is_reached_without_configuration_like_docker()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        using (var pusher = registry.CreateClient())
        {
            await TestImagePusher.PushImageAsync(pusher, registry.Reference("loopback/app:v1"), [TestLayers.Gzip("l", "loopback")]);
        }

        using var client = new RegistryClient();
        var manifest = await client.GetManifestAsync(registry.Reference("loopback/app:v1"));

        Assert.That(manifest.Content, Is.Not.Empty);
    }

    [Test]
    public async Task Loopback_fallback_can_be_turned_off()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        using var client = new RegistryClient(new RegistryClientOptions { AllowLoopbackPlainHttp = false, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(registry.Reference("loopback/app:v1")));

        Assert.That(error!.Message, Does.Contain("TLS").And.Contain(registry.Host));
    }

    [Test]
    public void Refused_connection_names_the_host()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RegistryClient(new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var error = Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Oci.References.ImageReference.Parse($"127.0.0.1:{port}/app:v1")));

        Assert.That(error!.Message, Does.Contain($"cannot connect to 127.0.0.1:{port}: connection refused"));
    }
}
