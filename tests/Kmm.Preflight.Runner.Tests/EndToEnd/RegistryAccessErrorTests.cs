using System.Text;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>Refused credentials and untrusted certificates against real registries: one line, exit 1, no secret shown.</summary>
[NonParallelizable]
public class RegistryAccessErrorTests : EndToEndTest
{
    private string _dir = null!;

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"kmm-runner-access-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private static async Task<(RegistryProcess Registry, string Image)> PushAsync(RegistryMode mode)
    {
        var registry = await RegistryProcess.GetSharedAsync(mode);
        using var client = registry.CreateClient();
        var layer = new TestLayer(new LayerBuilder().AddFile("etc/motd", "hi\n").Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);
        var pushed = await TestImagePusher.PushImageAsync(client, registry.Reference("runner/access:v1"), [layer]);
        return (registry, pushed.Reference.ToString());
    }

    private string AuthFile(string name, IReadOnlyDictionary<string, object> auths)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["auths"] = auths }));
        return path;
    }

    private static string[] Reach(RegistryProcess registry)
        => registry.IsPlainHttp ? ["--insecure-registry", registry.Host] : ["--ca-file", registry.CaFile!];

    [TestCase(RegistryMode.BasicAuth)]
    [TestCase(RegistryMode.TokenAuth)]
    public async Task Without_credentials_a_protected_registry_is_unauthorized(RegistryMode mode)
    {
        var (registry, image) = await PushAsync(mode);

        var run = await RunAsync(["inspect", image, "--auth-file", AuthFile("empty.json", new Dictionary<string, object>()), .. Reach(registry)]);

        AssertOneLineError(run, 1, "unauthorized");
    }

    [TestCase(RegistryMode.BasicAuth)]
    [TestCase(RegistryMode.TokenAuth)]
    public async Task A_wrong_password_is_unauthorized_and_never_printed_even_verbose(RegistryMode mode)
    {
        var (registry, image) = await PushAsync(mode);
        const string wrongPassword = "not-the-password-7f3a9c";
        var file = AuthFile($"wrong-{mode}.json", new Dictionary<string, object>
        {
            [registry.Host] = new Dictionary<string, string> { ["username"] = registry.Username!, ["password"] = wrongPassword },
        });

        var run = await RunAsync(["inspect", "--verbose", image, "--auth-file", file, .. Reach(registry)]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Error, Does.Contain("unauthorized"));
        Assert.That(run.Error, Does.Contain("dbug:"), "verbose shows the library's debug log, which must not leak the secret either");
        Assert.That(run.Error, Does.Not.Contain(wrongPassword));
        Assert.That(run.Error, Does.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{wrongPassword}"))));
    }

    [TestCase(RegistryMode.Tls)]
    [TestCase(RegistryMode.TokenAuth)]
    public async Task An_https_registry_whose_ca_is_not_trusted_is_a_tls_error(RegistryMode mode)
    {
        var (registry, image) = await PushAsync(mode);
        var auths = registry.Username is null
            ? new Dictionary<string, object>()
            : new Dictionary<string, object> { [registry.Host] = new Dictionary<string, string> { ["username"] = registry.Username, ["password"] = registry.Password! } };

        var run = await RunAsync(["inspect", image, "--auth-file", AuthFile($"ok-{mode}.json", auths)]);

        AssertOneLineError(run, 1, "TLS", "--ca-file");
    }
}
