using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[TestFixture(RegistryMode.BasicAuth)]
[TestFixture(RegistryMode.TokenAuth)]
[Category("Integration")]
public sealed class RegistryAuthTests(RegistryMode mode)
{
    private RegistryProcess _registry = null!;
    private ImageReference _reference = null!;

    [OneTimeSetUp]
    public async Task PushImage()
    {
        _registry = await RegistryProcess.GetSharedAsync(mode);
        _reference = _registry.Reference("auth/app:v1");
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _reference, [TestLayers.Gzip("f", "auth")]);
    }

    [Test]
    public void Without_credentials_access_is_refused_with_a_typed_error()
    {
        using var client = _registry.CreateClient(withCredentials: false);

        var error = Assert.ThrowsAsync<RegistryUnauthorizedException>(() => client.GetManifestAsync(_reference));

        Assert.That(error!.Message, Does.Contain(_reference.ToString()).And.Contain("credentials"));
    }

    [Test]
    public void Wrong_password_is_refused_with_a_typed_error()
    {
        var options = _registry.CreateClientOptions() with
        {
            Credentials = new StaticCredentialProvider(_registry.Host, new RegistryCredential { Username = _registry.Username, Password = "wrong" }),
        };
        using var client = new RegistryClient(options);

        var error = Assert.ThrowsAsync<RegistryUnauthorizedException>(() => client.GetManifestAsync(_reference));

        Assert.That(error!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
        Assert.That(error.Message, Does.Not.Contain("wrong"), "the password never appears in messages");
    }

    [Test]
    public async Task Credentials_from_a_docker_config_file_work()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kmm-auth-{Guid.NewGuid():N}.json");
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{_registry.Username}:{_registry.Password}"));
        await File.WriteAllTextAsync(file, $$$$"""{"auths":{"https://{{{{_registry.Host}}}}":{"auth":"{{{{auth}}}}"}}}""");
        try
        {
            using var client = new RegistryClient(_registry.CreateClientOptions() with { Credentials = AuthFileDiscovery.CreateProvider(file) });

            var manifest = await client.GetManifestAsync(_reference);

            Assert.That(manifest.Content, Is.Not.Empty);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
