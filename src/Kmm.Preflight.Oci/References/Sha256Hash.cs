using System.Buffers.Binary;

namespace Kmm.Preflight.Oci.References;

/// <summary>
/// A SHA-256 hash held as its 32 bytes, not as the 64-character string a <see cref="Digest"/> keeps: a kernel's table
/// of contents lists 4,000 file digests, and their strings were 600 KB of a lookup's fresh memory, all but one never
/// read. A <see cref="Digest"/> is made from it when one is needed (a message, the index cache).
/// </summary>
internal readonly record struct Sha256Hash(ulong First, ulong Second, ulong Third, ulong Fourth)
{
    /// <summary>From 64 lower-case hex digits, already checked (ASCII bytes).</summary>
    public static Sha256Hash FromCheckedHex(ReadOnlySpan<byte> hex)
    {
        Span<byte> hash = stackalloc byte[32];
        Convert.FromHexString(hex[..64], hash, out _, out _);
        return FromHash(hash);
    }

    /// <summary>From the raw 32-byte hash.</summary>
    public static Sha256Hash FromHash(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    /// <summary>From a <c>sha256</c> digest.</summary>
    /// <exception cref="ArgumentException">The digest is of another algorithm.</exception>
    public static Sha256Hash FromDigest(Digest digest)
    {
        if (digest.Algorithm != "sha256")
        {
            throw new ArgumentException($"{digest} is not a sha256 digest", nameof(digest));
        }

        Span<byte> hash = stackalloc byte[32];
        Convert.FromHexString(digest.Hex, hash, out _, out _);
        return FromHash(hash);
    }

    /// <summary>The same hash as a digest.</summary>
    public Digest ToDigest()
    {
        Span<byte> hash = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(hash, First);
        BinaryPrimitives.WriteUInt64BigEndian(hash[8..], Second);
        BinaryPrimitives.WriteUInt64BigEndian(hash[16..], Third);
        BinaryPrimitives.WriteUInt64BigEndian(hash[24..], Fourth);
        return Digest.FromSha256Hash(hash);
    }

    /// <summary>The digest's text, <c>sha256:…</c>.</summary>
    public override string ToString() => ToDigest().ToString();
}
