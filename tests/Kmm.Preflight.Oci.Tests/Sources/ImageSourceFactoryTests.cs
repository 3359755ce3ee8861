using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Tests.Sources;

public class ImageSourceFactoryTests
{
    [TestCase("oci:/tmp/layout:v1", typeof(OciLayoutImageSource))]
    [TestCase("docker-archive:/tmp/image.tar:x:1", typeof(DockerArchiveImageSource))]
    public void Local_names_need_no_registry_client(string name, Type expected)
    {
        var asked = 0;
        var factory = new ImageSourceFactory(_ => throw new AssertionException($"asked for a client ({++asked})"));

        Assert.That(factory.Open(name), Is.InstanceOf(expected));
    }

    [TestCase("example.com/drivers:v1")]
    [TestCase("docker://example.com/drivers:v1")]
    public void Registry_names_get_the_client_for_their_reference(string name)
    {
        using var client = new RegistryClient(new RegistryClientOptions());
        ImageReference? asked = null;

        var source = new ImageSourceFactory(reference => { asked = reference; return client; }).Open(name);

        Assert.That(source, Is.InstanceOf<RegistryImageSource>());
        Assert.That(asked?.ToString(), Is.EqualTo("example.com/drivers:v1"));
    }

    [Test]
    public void Path_is_required()
        => Assert.Throws<FormatException>(() => new ImageSourceFactory(_ => throw new AssertionException("no client")).Open("oci::v1"));
}
