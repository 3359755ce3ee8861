using System.Text;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Registry;

namespace Kmm.Preflight.Core.Tests.Registry;

public class PullSecretCredentialProviderTests
{
    private static Secret SecretWith(string key, string json) => new()
    {
        Name = "pull",
        Namespace = "n",
        Type = key == ".dockercfg" ? "kubernetes.io/dockercfg" : "kubernetes.io/dockerconfigjson",
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(json) },
    };

    [Test]
    public async Task Dockerconfigjson_auth_and_username_password_and_docker_hub_keys()
    {
        var auth = Convert.ToBase64String("alice:s3:cret"u8.ToArray());
        var provider = PullSecretCredentialProvider.FromSecret(SecretWith(".dockerconfigjson", $$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{auth}}"},
              "127.0.0.1:5000": {"username": "bob", "password": "pw"},
              "http://quay.io/v2/": {"username": "<token>", "password": "refresh"} } }
            """));
        var hub = await provider.GetAsync("docker.io");
        Assert.That((hub!.Username, hub.Password), Is.EqualTo(("alice", "s3:cret")));
        Assert.That((await provider.GetAsync("127.0.0.1:5000"))!.Username, Is.EqualTo("bob"));
        Assert.That((await provider.GetAsync("quay.io"))!.IdentityToken, Is.EqualTo("refresh"));
        Assert.That(await provider.GetAsync("ghcr.io"), Is.Null);
    }

    [Test]
    public async Task Dockercfg_is_the_map_itself()
    {
        var provider = PullSecretCredentialProvider.FromSecret(SecretWith(".dockercfg", """{"reg.example": {"username": "u", "password": "p"}}"""));
        Assert.That((await provider.GetAsync("reg.example"))!.Password, Is.EqualTo("p"));
    }

    [Test]
    public void Errors_never_show_secret_values()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PullSecretCredentialProvider.FromSecret(SecretWith(".dockerconfigjson", """{"auths": {"r": {"auth": "c2VjcmV0"}}}""")));
        Assert.That(ex!.Message, Does.Contain("is not user:password").And.Not.Contain("secret").And.Not.Contain("c2VjcmV0"));
        Assert.That(() => PullSecretCredentialProvider.FromSecret(SecretWith(".dockerconfigjson", "{not json")), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("invalid JSON"));
        Assert.That(() => PullSecretCredentialProvider.FromSecret(new Secret { Name = "s", Data = new Dictionary<string, byte[]> { ["x"] = [1] } }),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo("Secret default/s (type Opaque) has neither .dockerconfigjson nor .dockercfg: it is not a pull secret"));
    }
}
