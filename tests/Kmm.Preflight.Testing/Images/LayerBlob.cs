using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Images;

/// <summary>A built layer: its blob (in memory or in a file), digest, size and diff ID.</summary>
public sealed class LayerBlob
{
    /// <summary>The docker media type of an uncompressed layer.</summary>
    public static readonly MediaType DockerLayerTar = new("application/vnd.docker.image.rootfs.diff.tar");

    internal LayerBlob(LayerCompression compression, Digest digest, long size, Digest diffId, long uncompressedSize, byte[]? content, string? filePath)
    {
        Compression = compression;
        Digest = digest;
        Size = size;
        DiffId = diffId;
        UncompressedSize = uncompressedSize;
        Content = content;
        FilePath = filePath;
    }

    /// <summary>Describes a blob already in a file (e.g. written by an earlier run), from what was recorded about it.</summary>
    public static LayerBlob FromFile(string path, LayerCompression compression, Digest digest, Digest diffId, long uncompressedSize)
        => new(compression, digest, new FileInfo(path).Length, diffId, uncompressedSize, null, path);

    /// <summary>The compression.</summary>
    public LayerCompression Compression { get; }

    /// <summary>The digest of the blob as stored (compressed).</summary>
    public Digest Digest { get; }

    /// <summary>The blob's size in bytes.</summary>
    public long Size { get; }

    /// <summary>The digest of the uncompressed tar (the config's <c>rootfs.diff_ids</c> entry).</summary>
    public Digest DiffId { get; }

    /// <summary>The uncompressed tar's size.</summary>
    public long UncompressedSize { get; }

    /// <summary>The blob bytes when built in memory; null when written to <see cref="FilePath"/>.</summary>
    public byte[]? Content { get; }

    /// <summary>The file holding the blob when streamed to disk; null when in memory.</summary>
    public string? FilePath { get; }

    /// <summary>Opens the blob for reading.</summary>
    public Stream OpenRead() => Content is not null ? new MemoryStream(Content, writable: false) : File.OpenRead(FilePath!);

    /// <summary>The media type of this blob in a manifest of <paramref name="format"/>.</summary>
    public MediaType MediaTypeFor(ManifestFormat format) => (format, Compression) switch
    {
        (ManifestFormat.Docker, LayerCompression.Gzip) => MediaType.DockerLayerGzip,
        (ManifestFormat.Docker, LayerCompression.None) => DockerLayerTar,
        (_, LayerCompression.Gzip) => MediaType.OciLayerGzip,
        (_, LayerCompression.Zstd) => MediaType.OciLayerZstd,
        _ => MediaType.OciLayerTar,
    };

    /// <summary>The descriptor of this blob in a manifest of <paramref name="format"/>.</summary>
    public Descriptor ToDescriptor(ManifestFormat format = ManifestFormat.Oci, IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        MediaType = MediaTypeFor(format),
        Digest = Digest,
        Size = Size,
        Annotations = annotations ?? new Dictionary<string, string>(),
    };
}
