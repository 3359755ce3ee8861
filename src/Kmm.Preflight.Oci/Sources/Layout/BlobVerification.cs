using System.Security.Cryptography;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>Checks a small blob read whole against its descriptor.</summary>
internal static class BlobVerification
{
    /// <summary>Throws when the size or digest of <paramref name="content"/> differs from <paramref name="descriptor"/>.</summary>
    public static void Verify(ReadOnlySpan<byte> content, Descriptor descriptor, string blobName)
    {
        if (content.Length != descriptor.Size)
        {
            throw new InvalidDataException($"{blobName}: blob {descriptor.Digest} has {content.Length} bytes, but its descriptor states {descriptor.Size}.");
        }

        var actual = descriptor.Digest.Algorithm == "sha512"
            ? Convert.ToHexStringLower(SHA512.HashData(content))
            : Convert.ToHexStringLower(SHA256.HashData(content));
        if (actual != descriptor.Digest.Hex)
        {
            throw new InvalidDataException($"{blobName}: blob content does not match its digest: expected {descriptor.Digest}, got {descriptor.Digest.Algorithm}:{actual}.");
        }
    }

    /// <summary>Throws when a descriptor states more bytes than a small blob may have.</summary>
    public static void CheckSize(Descriptor descriptor, int maxBytes, string blobName)
    {
        if (descriptor.Size > maxBytes)
        {
            throw new InvalidDataException($"{blobName}: blob {descriptor.Digest} is {descriptor.Size} bytes, more than the {maxBytes}-byte limit for manifests and configs.");
        }
    }
}
