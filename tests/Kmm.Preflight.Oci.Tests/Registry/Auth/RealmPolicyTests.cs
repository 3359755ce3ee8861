using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class RealmPolicyTests
{
    private static readonly Uri HttpsRegistry = new("https://registry.example:5000");
    private static readonly Uri HttpRegistry = new("http://127.0.0.1:5000");

    [Test]
    public void Https_realm_is_accepted() =>
        Assert.That(RealmPolicy.Validate("https://auth.example/token", HttpsRegistry).Host, Is.EqualTo("auth.example"));

    [Test]
    public void Http_realm_is_refused_for_an_https_registry()
    {
        var error = Assert.Throws<RegistryException>(() => RealmPolicy.Validate("http://auth.example/token", HttpsRegistry));
        Assert.That(error!.Message, Does.Contain("plain-HTTP token realm").And.Contain("registry.example:5000"));
    }

    [Test]
    public void Http_realm_is_allowed_for_a_plain_http_registry() =>
        Assert.That(RealmPolicy.Validate("http://127.0.0.1:5001/token", HttpRegistry).Port, Is.EqualTo(5001));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("/relative/token")]
    [TestCase("ftp://auth.example/token")]
    [TestCase("file:///etc/passwd")]
    public void Invalid_realms_are_refused(string? realm) =>
        Assert.Throws<RegistryException>(() => RealmPolicy.Validate(realm, HttpsRegistry));

    [TestCase("https://auth.example/token", true)]
    [TestCase("https://127.0.0.1/token", false)]
    [TestCase("https://localhost:8443/token", false)]
    [TestCase("https://10.1.2.3/token", false)]
    [TestCase("https://172.16.0.1/token", false)]
    [TestCase("https://192.168.1.1/token", false)]
    [TestCase("https://169.254.169.254/latest/meta-data", false)]
    [TestCase("https://[::1]/token", false)]
    [TestCase("https://[fe80::1]/token", false)]
    [TestCase("https://[fd00::1]/token", false)]
    [TestCase("https://8.8.8.8/token", true)]
    public void Credentials_are_not_sent_to_internal_realms_of_another_host(string realm, bool allowed) =>
        Assert.That(RealmPolicy.MaySendCredentials(new Uri(realm), HttpsRegistry), Is.EqualTo(allowed));

    [Test]
    public void Credentials_may_go_to_an_internal_realm_on_the_registry_own_host() =>
        Assert.That(RealmPolicy.MaySendCredentials(new Uri("https://127.0.0.1:9443/token"), new Uri("https://127.0.0.1:5000")), Is.True);

    [TestCase("localhost", true)]
    [TestCase("127.0.0.1", true)]
    [TestCase("127.1.2.3", true)]
    [TestCase("[::1]", true)]
    [TestCase("10.0.0.1", false)]
    [TestCase("registry.example", false)]
    public void Loopback_detection(string host, bool loopback) => Assert.That(RealmPolicy.IsLoopback(host), Is.EqualTo(loopback));
}
