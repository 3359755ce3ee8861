using System.IO.Compression;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>A layer blob to push: its bytes as stored and its media type.</summary>
/// <param name="Content">The blob (compressed as <paramref name="MediaType"/> says).</param>
/// <param name="MediaType">The layer media type.</param>
public sealed record TestLayer(byte[] Content, MediaType MediaType)
{
    /// <summary>The blob digest.</summary>
    public Digest Digest => Digest.Sha256(Content);

    /// <summary>The uncompressed digest (<c>rootfs.diff_ids</c> entry).</summary>
    public Digest DiffId()
    {
        using var input = new MemoryStream(Content);
        using Stream uncompressed = MediaType.Value.EndsWith("gzip", StringComparison.Ordinal) ? new GZipStream(input, CompressionMode.Decompress)
            : MediaType.Value.EndsWith("zstd", StringComparison.Ordinal) ? new ZstdSharp.DecompressionStream(input)
            : input;
        using var sha = System.Security.Cryptography.SHA256.Create();
        return Digest.FromSha256Hash(sha.ComputeHash(uncompressed));
    }
}
