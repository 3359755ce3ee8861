using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>Decides a layer's compression from its media type, or from its magic bytes when the type is generic.</summary>
internal static class LayerCompressionDetector
{
    /// <summary>Bytes needed to sniff: enough for the ustar magic of the first tar header.</summary>
    public const int SniffLength = 512;

    /// <summary>Bytes <see cref="Detect"/> needs to tell gzip and zstd apart from anything else.</summary>
    public const int MagicLength = 4;

    private const int UstarMagicOffset = 257;

    /// <summary>The compression named by <paramref name="descriptor"/>'s media type.</summary>
    /// <exception cref="UnsupportedLayerException">A foreign layer, or a media type that is not a tar layer.</exception>
    public static LayerCompression FromDescriptor(Descriptor descriptor)
    {
        var mediaType = descriptor.MediaType;
        if (mediaType.IsForeignLayer)
        {
            var urls = descriptor.Urls.Count == 0 ? "no URLs" : "URLs " + string.Join(", ", descriptor.Urls);
            throw new UnsupportedLayerException(
                $"Layer {descriptor.Digest} is a foreign (non-distributable) layer ({mediaType}, {urls}); it is not stored in the registry and cannot be read.");
        }

        var value = mediaType.Value ?? string.Empty;
        if (mediaType == MediaType.OciLayerGzip || mediaType == MediaType.DockerLayerGzip)
        {
            return LayerCompression.Gzip;
        }

        if (mediaType == MediaType.OciLayerZstd)
        {
            return LayerCompression.Zstd;
        }

        if (mediaType == MediaType.OciLayerTar)
        {
            return LayerCompression.None;
        }

        // Generic or tool-specific types that still hold a tar (application/x-tar, …diff.tar, application/octet-stream
        // from some archives): let the bytes decide.
        if (value.Contains("tar", StringComparison.OrdinalIgnoreCase)
            || value.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || value.Length == 0)
        {
            return LayerCompression.Sniff;
        }

        throw new UnsupportedLayerException(
            $"Layer {descriptor.Digest} has media type '{value}', which is not a tar layer (expected {MediaType.OciLayerTar}, {MediaType.OciLayerGzip}, {MediaType.OciLayerZstd} or {MediaType.DockerLayerGzip}).");
    }

    /// <summary>The compression shown by a blob's first bytes.</summary>
    /// <exception cref="UnsupportedLayerException">The bytes are neither gzip, zstd nor tar.</exception>
    public static LayerCompression FromMagic(ReadOnlySpan<byte> head, Descriptor descriptor)
    {
        if (Detect(head) is { } compressed)
        {
            return compressed;
        }

        if (head.Length >= UstarMagicOffset + 5 && head.Slice(UstarMagicOffset, 5).SequenceEqual("ustar"u8))
        {
            return LayerCompression.None;
        }

        // An empty layer, or a v7 tar (no magic): a tar reader reports any real problem precisely.
        if (head.Length == 0 || head.Length == SniffLength)
        {
            return LayerCompression.None;
        }

        throw new UnsupportedLayerException(
            $"Layer {descriptor.Digest} (media type '{descriptor.MediaType}') is neither gzip, zstd nor tar: it starts with {Convert.ToHexString(head[..Math.Min(8, head.Length)])}.");
    }

    /// <summary>
    /// Gzip or zstd when <paramref name="head"/> (at least <see cref="MagicLength"/> bytes, if the blob has them)
    /// starts with their magic, including a zstd skippable frame (zstd:chunked starts with one); otherwise null.
    /// </summary>
    public static LayerCompression? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return LayerCompression.Gzip;
        }

        if (head.Length >= 4 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd && head[0] == 0x28)
        {
            return LayerCompression.Zstd;
        }

        // Skippable zstd frames: magic 0x184D2A50..0x184D2A5F, little endian.
        if (head.Length >= 4 && (head[0] & 0xf0) == 0x50 && head[1] == 0x2a && head[2] == 0x4d && head[3] == 0x18)
        {
            return LayerCompression.Zstd;
        }

        return null;
    }
}
