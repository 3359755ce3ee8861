using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.Layers;

public class DigestVerifyingStreamTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 1000).Select(i => (byte)i)];

    [TestCase("sha256")]
    [TestCase("sha512")]
    public async Task Blob_read_to_its_end_is_checked_with_its_algorithm(string algorithm)
    {
        var digest = DigestVerifier.Compute(algorithm, Content);
        await using var stream = new DigestVerifyingStream(new MemoryStream(Content), digest, Content.Length, "b");

        await stream.CopyToAsync(Stream.Null);

        Assert.That(digest.Algorithm, Is.EqualTo(algorithm));
        Assert.That(digest.Hex, Is.EqualTo(Convert.ToHexStringLower(algorithm == "sha512" ? SHA512.HashData(Content) : SHA256.HashData(Content))));
    }

    [Test]
    public void Changed_byte_fails_at_the_end()
    {
        var digest = Digest.Sha256(Content);
        var changed = Content.ToArray();
        changed[500] ^= 1;
        using var stream = new DigestVerifyingStream(new MemoryStream(changed), digest, Content.Length, "b");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));

        Assert.That(error!.Message, Does.Contain("does not match its digest"));
    }

    [Test]
    public void Read_from_an_offset_checks_only_the_size()
    {
        var digest = Digest.Sha256([1]);
        using var stream = new DigestVerifyingStream(new MemoryStream(Content, 100, 900), digest, Content.Length, "b", offset: 100);

        Assert.DoesNotThrowAsync(() => stream.CopyToAsync(Stream.Null));
        Assert.That(stream.Position, Is.EqualTo(Content.Length));
    }

    [Test]
    public void Blob_longer_than_stated_fails_at_the_first_byte_too_many()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Content), Digest.Sha256(Content), 10, "b");
        var buffer = new byte[11];

        var error = Assert.Throws<InvalidDataException>(() => stream.ReadExactly(buffer));

        Assert.That(error!.Message, Does.Contain("larger than the 10 bytes"));
    }

    [Test]
    public void Zero_byte_read_is_not_the_end()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Content), Digest.Sha256(Content), Content.Length, "b");

        Assert.That(stream.Read([]), Is.Zero);
        Assert.DoesNotThrowAsync(() => stream.CopyToAsync(Stream.Null));
    }
}
