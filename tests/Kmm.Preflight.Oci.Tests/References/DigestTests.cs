using System.Text;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.References;

public sealed class DigestTests
{
    [Test]
    public void Sha256_of_known_content()
    {
        var digest = Digest.Sha256(Encoding.ASCII.GetBytes("abc"));

        Assert.That(digest.ToString(), Is.EqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        Assert.That(digest.Algorithm, Is.EqualTo("sha256"));
        Assert.That(Digest.Parse(digest.ToString()), Is.EqualTo(digest));
    }

    [Test]
    public void Sha512_is_accepted()
    {
        var text = "sha512:" + new string('a', 128);
        Assert.That(Digest.Parse(text).ToString(), Is.EqualTo(text));
    }

    [TestCase("")]
    [TestCase("sha256")]
    [TestCase("sha256:")]
    [TestCase("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [TestCase("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [TestCase("sha256:../../etc/passwd")]
    [TestCase("md5:0123456789abcdef0123456789abcdef")]
    [TestCase(":0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Invalid_digests_are_refused(string text)
    {
        Assert.That(Digest.TryParse(text, out _), Is.False);
        var error = Assert.Throws<FormatException>(() => Digest.Parse(text));
        Assert.That(error!.Message, Does.Contain(text));
    }

    [Test]
    public void Default_is_empty()
    {
        Assert.That(default(Digest).IsEmpty, Is.True);
        Assert.That(default(Digest).ToString(), Is.Empty);
        Assert.That(Digest.TryParse(null, out _), Is.False);
    }
}
