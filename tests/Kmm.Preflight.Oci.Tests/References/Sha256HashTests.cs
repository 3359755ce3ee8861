using System.Security.Cryptography;
using System.Text;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.References;

/// <summary><see cref="Sha256Hash"/>: the same hash whichever form it is made from, and back to the same digest.</summary>
public sealed class Sha256HashTests
{
    [TestCase("")]
    [TestCase("toc")]
    [TestCase("a module's bytes")]
    public void HexBytesRawHashAndDigestGiveTheSameHash(string content)
    {
        var raw = SHA256.HashData(Encoding.UTF8.GetBytes(content));
        var digest = Digest.Sha256(Encoding.UTF8.GetBytes(content));

        var fromHex = Sha256Hash.FromCheckedHex(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(raw)));

        Assert.That(fromHex, Is.EqualTo(Sha256Hash.FromHash(raw)));
        Assert.That(fromHex, Is.EqualTo(Sha256Hash.FromDigest(digest)));
        Assert.That(fromHex.ToDigest(), Is.EqualTo(digest));
        Assert.That(fromHex.ToString(), Is.EqualTo(digest.ToString()));
    }

    [Test]
    public void EveryHexDigitIsReadAtItsPlace()
    {
        // Each digit value at each position: a wrong nibble or word order shows as a different digest.
        for (var shift = 0; shift < 16; shift++)
        {
            var hex = string.Concat(Enumerable.Range(0, 64).Select(i => "0123456789abcdef"[(i + shift) % 16]));
            var digest = Digest.Parse("sha256:" + hex);

            Assert.That(Sha256Hash.FromCheckedHex(Encoding.ASCII.GetBytes(hex)).ToDigest(), Is.EqualTo(digest), hex);
        }
    }

    [Test]
    public void DifferentHashesDiffer()
    {
        var one = Sha256Hash.FromHash(SHA256.HashData("1"u8));
        var two = Sha256Hash.FromHash(SHA256.HashData("2"u8));

        Assert.That(one, Is.Not.EqualTo(two));
    }

    [Test]
    public void OtherAlgorithmsAreRefused()
    {
        var sha512 = Digest.Parse("sha512:" + new string('a', 128));

        Assert.That(() => Sha256Hash.FromDigest(sha512), Throws.ArgumentException.With.Message.Contains("not a sha256 digest"));
    }
}
