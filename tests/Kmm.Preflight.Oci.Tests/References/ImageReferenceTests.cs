using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.References;

public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [TestCase("busybox", "docker.io", "library/busybox", "latest")]
    [TestCase("docker.io/busybox", "docker.io", "library/busybox", "latest")]
    [TestCase("index.docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36")]
    [TestCase("registry-1.docker.io/user/app:v1", "docker.io", "user/app", "v1")]
    [TestCase("user/app:v1", "docker.io", "user/app", "v1")]
    [TestCase("quay.io/org/app:v2", "quay.io", "org/app", "v2")]
    [TestCase("127.0.0.1:5000/ns/app:tag", "127.0.0.1:5000", "ns/app", "tag")]
    [TestCase("localhost/app", "localhost", "app", "latest")]
    [TestCase("localhost:5000/a/b/c:x.y-z_1", "localhost:5000", "a/b/c", "x.y-z_1")]
    [TestCase("docker://quay.io/org/app:v2", "quay.io", "org/app", "v2")]
    [TestCase("[::1]:5000/app:v1", "[::1]:5000", "app", "v1")]
    public void Parses_and_normalises(string text, string registry, string repository, string tag)
    {
        var reference = ImageReference.Parse(text);

        Assert.That(reference.Registry, Is.EqualTo(registry));
        Assert.That(reference.Repository, Is.EqualTo(repository));
        Assert.That(reference.Tag, Is.EqualTo(tag));
        Assert.That(reference.Digest, Is.Null);
        Assert.That(reference.ManifestReference, Is.EqualTo(tag));
    }

    [Test]
    public void Docker_hub_connects_to_its_api_host()
    {
        Assert.That(ImageReference.Parse("busybox").ApiHost, Is.EqualTo("registry-1.docker.io"));
        Assert.That(ImageReference.Parse("quay.io/a/b").ApiHost, Is.EqualTo("quay.io"));
    }

    [Test]
    public void Digest_only_reference_has_no_tag_and_asks_for_the_digest()
    {
        var reference = ImageReference.Parse($"quay.io/org/app@sha256:{Hex}");

        Assert.That(reference.Tag, Is.Null);
        Assert.That(reference.Digest.ToString(), Is.EqualTo($"sha256:{Hex}"));
        Assert.That(reference.ManifestReference, Is.EqualTo($"sha256:{Hex}"));
        Assert.That(reference.ToString(), Is.EqualTo($"quay.io/org/app@sha256:{Hex}"));
    }

    [Test]
    public void Tag_and_digest_keeps_both_and_pulls_by_digest()
    {
        var reference = ImageReference.Parse($"127.0.0.1:5000/app:v1@sha256:{Hex}");

        Assert.That(reference.Tag, Is.EqualTo("v1"));
        Assert.That(reference.ManifestReference, Is.EqualTo($"sha256:{Hex}"));
        Assert.That(reference.ToString(), Is.EqualTo($"127.0.0.1:5000/app:v1@sha256:{Hex}"));
    }

    [Test]
    public void Round_trips_through_ToString()
    {
        var reference = ImageReference.Parse("busybox:1");
        Assert.That(reference.ToString(), Is.EqualTo("docker.io/library/busybox:1"));
        Assert.That(ImageReference.Parse(reference.ToString()), Is.EqualTo(reference));
    }

    [Test]
    public void WithTag_and_WithDigest_keep_the_repository()
    {
        var reference = ImageReference.Parse("quay.io/org/app:v1");
        var digest = Digest.Parse($"sha256:{Hex}");

        Assert.That(reference.WithTag("v2").ToString(), Is.EqualTo("quay.io/org/app:v2"));
        Assert.That(reference.WithDigest(digest).ManifestReference, Is.EqualTo(digest.ToString()));
        Assert.That(reference.RepositoryName, Is.EqualTo("quay.io/org/app"));
    }

    [TestCase("", "empty")]
    [TestCase("   ", "empty")]
    [TestCase("Quay.io/Org/App", "must be lowercase")]
    [TestCase("app:-bad", "tag '-bad'")]
    [TestCase("app@sha256:abc", "not a valid digest")]
    [TestCase("app@md5:0123", "not a valid digest")]
    [TestCase("quay.io/", "repository name is empty")]
    [TestCase("quay.io/a//b", "repository name 'a//b'")]
    [TestCase("a b", "white space")]
    [TestCase("bad_host-.com:99/app", "registry 'bad_host-.com:99'")]
    public void Malformed_references_are_refused_with_a_precise_message(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse(text));
        Assert.That(error!.Message, Does.Contain(expected));
        Assert.That(ImageReference.TryParse(text, out var parsed, out var message), Is.False);
        Assert.That(parsed, Is.Null);
        Assert.That(message, Is.EqualTo(error.Message));
    }
}
