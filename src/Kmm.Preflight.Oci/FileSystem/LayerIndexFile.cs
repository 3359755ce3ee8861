using System.Buffers.Binary;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The on-disk frame of a serialized <see cref="LayerIndex"/>: the body, then a trailer of the body's length, its
/// SHA-256 and a magic. A file cut short by a crash, or changed by anything, fails the check and reads as a miss.
/// </summary>
internal static class LayerIndexFile
{
    // Trailer: 8-byte little-endian body length, 32-byte SHA-256 of the body, 8-byte magic.
    private const int LengthBytes = 8;
    private const int HashBytes = 32;
    private static readonly byte[] TrailerMagic = "KMMLIT\u0001\n"u8.ToArray();

    /// <summary>The trailer's size.</summary>
    public const int TrailerBytes = LengthBytes + HashBytes + 8;

    /// <summary>The file bytes for <paramref name="index"/>: the serializer's body and the trailer.</summary>
    public static byte[] Encode(LayerIndex index)
    {
        using var body = new MemoryStream();
        LayerIndexSerializer.Write(body, index);
        var length = body.Length;
        body.Write(Trailer(body.GetBuffer().AsSpan(0, (int)length)));
        return body.ToArray();
    }

    /// <summary>
    /// <paramref name="body"/> with its trailer: the file bytes for a body the serializer wrote (tests frame bodies they
    /// changed on purpose, to reach the checks behind the trailer).
    /// </summary>
    public static byte[] Frame(ReadOnlySpan<byte> body) => [.. body, .. Trailer(body)];

    /// <summary>The index in <paramref name="file"/>, or null when its trailer, checksum or body does not check out.</summary>
    public static LayerIndex? TryDecode(byte[] file, Digest digest, Digest? toc = null)
    {
        if (file.Length < TrailerBytes)
        {
            return null;
        }

        var bodyLength = file.Length - TrailerBytes;
        var trailer = file.AsSpan(bodyLength);
        if (!trailer[(LengthBytes + HashBytes)..].SequenceEqual(TrailerMagic)
            || BinaryPrimitives.ReadInt64LittleEndian(trailer) != bodyLength
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(file.AsSpan(0, bodyLength)), trailer.Slice(LengthBytes, HashBytes)))
        {
            return null;
        }

        using var body = new MemoryStream(file, 0, bodyLength, writable: false);
        var index = LayerIndexSerializer.TryRead(body, digest, toc);

        // Trailing bytes the serializer did not consume mean the body is not what was written.
        return index is not null && body.Position == bodyLength ? index : null;
    }

    private static byte[] Trailer(ReadOnlySpan<byte> body)
    {
        var trailer = new byte[TrailerBytes];
        BinaryPrimitives.WriteInt64LittleEndian(trailer, body.Length);
        SHA256.HashData(body, trailer.AsSpan(LengthBytes, HashBytes));
        TrailerMagic.CopyTo(trailer.AsSpan(LengthBytes + HashBytes));
        return trailer;
    }
}
