using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class RegistryKeyTests
{
    [TestCase("https://index.docker.io/v1/", "docker.io")]
    [TestCase("index.docker.io", "docker.io")]
    [TestCase("registry-1.docker.io", "docker.io")]
    [TestCase("docker.io", "docker.io")]
    [TestCase("http://127.0.0.1:5000", "127.0.0.1:5000")]
    [TestCase("https://Quay.IO/v2/", "quay.io")]
    [TestCase("quay.io/org/repo", "quay.io")]
    [TestCase("localhost:5000", "localhost:5000")]
    public void Keys_normalise_to_host_and_port(string key, string expected) => Assert.That(RegistryKey.Normalise(key), Is.EqualTo(expected));
}
