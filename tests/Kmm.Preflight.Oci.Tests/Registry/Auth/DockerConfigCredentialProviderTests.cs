using System.Text;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class DockerConfigCredentialProviderTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static DockerConfigCredentialProvider Parse(string json) => DockerConfigCredentialProvider.FromJson(Encoding.UTF8.GetBytes(json), "test.json");

    [Test]
    public async Task Auth_field_and_docker_hub_key()
    {
        var provider = Parse($$$$"""{"auths":{"https://index.docker.io/v1/":{"auth":"{{{{B64("hub:secret:with:colons")}}}}"}}}""");

        var credential = await provider.GetAsync("docker.io");

        Assert.That(credential!.Username, Is.EqualTo("hub"));
        Assert.That(credential.Password, Is.EqualTo("secret:with:colons"));
        Assert.That(await provider.GetAsync("quay.io"), Is.Null);
    }

    [Test]
    public async Task Username_password_fields_and_host_port_keys()
    {
        var provider = Parse("""{"auths":{"http://127.0.0.1:5000":{"username":"u","password":"p"},"quay.io/org":{"identitytoken":"refresh"}}}""");

        var local = await provider.GetAsync("127.0.0.1:5000");
        Assert.That((local!.Username, local.Password), Is.EqualTo(("u", "p")));
        Assert.That(await provider.GetAsync("127.0.0.1:5001"), Is.Null, "the port is part of the key");
        Assert.That((await provider.GetAsync("quay.io"))!.IdentityToken, Is.EqualTo("refresh"));
    }

    [Test]
    public async Task Token_user_means_the_password_is_a_refresh_token()
    {
        var provider = Parse($$$$"""{"auths":{"myregistry.azurecr.io":{"auth":"{{{{B64("<token>:eyJrefresh")}}}}"}}}""");

        var credential = await provider.GetAsync("myregistry.azurecr.io");

        Assert.That(credential!.IdentityToken, Is.EqualTo("eyJrefresh"));
        Assert.That(credential.Username, Is.Null);
        Assert.That(credential.ToString(), Does.Not.Contain("eyJrefresh"));
    }

    [Test]
    public async Task Legacy_dockercfg_map_is_understood()
    {
        var provider = Parse($$$$"""{"registry.example:8443":{"auth":"{{{{B64("old:style")}}}}","email":"x@example.com"}}""");
        Assert.That((await provider.GetAsync("registry.example:8443"))!.Username, Is.EqualTo("old"));
    }

    [Test]
    public async Task Kubernetes_dockerconfigjson_secret()
    {
        var json = Encoding.UTF8.GetBytes($$$$"""{"auths":{"quay.io":{"auth":"{{{{B64("robot:pw")}}}}"}}}""");
        var provider = DockerConfigCredentialProvider.FromKubernetesSecret("pull", "kubernetes.io/dockerconfigjson", new Dictionary<string, byte[]> { [".dockerconfigjson"] = json });

        Assert.That((await provider.GetAsync("quay.io"))!.Password, Is.EqualTo("pw"));
        Assert.That(provider.Source, Does.Contain("pull"));
    }

    [Test]
    public async Task Kubernetes_dockercfg_secret()
    {
        var json = Encoding.UTF8.GetBytes($$$$"""{"quay.io":{"auth":"{{{{B64("legacy:pw")}}}}"}}""");
        var provider = DockerConfigCredentialProvider.FromKubernetesSecret("old", "kubernetes.io/dockercfg", new Dictionary<string, byte[]> { [".dockercfg"] = json });

        Assert.That((await provider.GetAsync("quay.io"))!.Username, Is.EqualTo("legacy"));
    }

    [Test]
    public void Kubernetes_secret_of_another_type_or_without_the_key_is_refused()
    {
        var opaque = Assert.Throws<InvalidDataException>(() => DockerConfigCredentialProvider.FromKubernetesSecret("s", "Opaque", new Dictionary<string, byte[]> { ["x"] = [] }));
        Assert.That(opaque!.Message, Does.Contain("Secret s").And.Contain("not a pull secret"));
        var missing = Assert.Throws<InvalidDataException>(() => DockerConfigCredentialProvider.FromKubernetesSecret("s", "kubernetes.io/dockerconfigjson", new Dictionary<string, byte[]>()));
        Assert.That(missing!.Message, Does.Contain(".dockerconfigjson"));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("[]", "not a JSON object")]
    [TestCase("""{"auths":{"quay.io":{"auth":"%%%"}}}""", "'auth' of entry 'quay.io' is not base64")]
    [TestCase("""{"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}}""", "does not decode to 'user:password'")]
    [TestCase("""{"auths":{"quay.io":"x"}}""", "entry 'quay.io' is not an object")]
    public void Malformed_files_name_the_file_and_entry(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse(json));
        Assert.That(error!.Message, Does.Contain("test.json").And.Contain(expected));
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Credential_helper_is_run_for_credHelpers_and_credsStore()
    {
        var directory = Directory.CreateTempSubdirectory("kmm-helper-").FullName;
        var oldPath = Environment.GetEnvironmentVariable("PATH");
        try
        {
            var script = Path.Combine(directory, "docker-credential-kmmtest");
            await File.WriteAllTextAsync(script, """
                #!/bin/sh
                read server
                case "$server" in
                  helped.example) echo '{"ServerURL":"helped.example","Username":"helper-user","Secret":"helper-secret"}' ;;
                  https://index.docker.io/v1/) echo '{"ServerURL":"x","Username":"<token>","Secret":"hub-refresh"}' ;;
                  *) echo "credentials not found in native keychain"; exit 1 ;;
                esac
                """.Replace("\r", string.Empty, StringComparison.Ordinal));
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Environment.SetEnvironmentVariable("PATH", directory + Path.PathSeparator + oldPath);
            var provider = Parse("""{"auths":{"quay.io":{}},"credHelpers":{"helped.example":"kmmtest"},"credsStore":"kmmtest"}""");

            var helped = await provider.GetAsync("helped.example");
            Assert.That((helped!.Username, helped.Password), Is.EqualTo(("helper-user", "helper-secret")));
            Assert.That((await provider.GetAsync("docker.io"))!.IdentityToken, Is.EqualTo("hub-refresh"), "credsStore is the default helper");
            Assert.That(await provider.GetAsync("quay.io"), Is.Null, "an empty auths entry defers to the store, which has nothing");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", oldPath);
            Directory.Delete(directory, true);
        }
    }

    [Test]
    public void Missing_credential_helper_gives_a_clear_error()
    {
        var provider = Parse("""{"credHelpers":{"quay.io":"does-not-exist-kmm"}}""");
        var error = Assert.ThrowsAsync<RegistryException>(() => provider.GetAsync("quay.io"));
        Assert.That(error!.Message, Does.Contain("docker-credential-does-not-exist-kmm").And.Contain("not installed"));
    }
}
