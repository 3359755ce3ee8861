using System.Buffers.Binary;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// The zstd:chunked footer, the content of the blob's last skippable frame: little-endian TOC offset, compressed
/// length, uncompressed length and manifest type (1), then in the current 64-byte form the tar-split offset and
/// lengths and the magic <c>GNUlInUx</c>; the older 40-byte form ends after the manifest type with <c>GnUlInUx</c>.
/// </summary>
internal static class ZstdChunkedFooter
{
    /// <summary>The current footer's size.</summary>
    public const int Size = 64;

    /// <summary>The older footer's size.</summary>
    public const int LegacySize = 40;

    private static readonly byte[] Magic = "GNUlInUx"u8.ToArray();
    private static readonly byte[] LegacyMagic = "GnUlInUx"u8.ToArray();

    /// <summary>
    /// Checks that the footer at the end of <paramref name="tail"/> (the blob's last <see cref="Size"/> bytes, or all
    /// of it when shorter) describes the TOC the annotations announce.
    /// </summary>
    /// <exception cref="TocInvalidException">No footer, or it disagrees with the annotations.</exception>
    public static void Verify(ReadOnlySpan<byte> tail, TocLocation location)
    {
        ReadOnlySpan<byte> fields;
        if (tail.Length >= Size && tail[^8..].SequenceEqual(Magic))
        {
            fields = tail[^Size..];
        }
        else if (tail.Length >= LegacySize && tail[^8..].SequenceEqual(LegacyMagic))
        {
            fields = tail[^LegacySize..];
        }
        else
        {
            throw new TocInvalidException($"no zstd:chunked footer (magic GNUlInUx or GnUlInUx) at the end of the blob");
        }

        var offset = BinaryPrimitives.ReadInt64LittleEndian(fields);
        var length = BinaryPrimitives.ReadInt64LittleEndian(fields[8..]);
        var uncompressed = BinaryPrimitives.ReadInt64LittleEndian(fields[16..]);
        var type = BinaryPrimitives.ReadInt64LittleEndian(fields[24..]);
        if (offset != location.Offset || length != location.Length || uncompressed != location.UncompressedLength || type != 1)
        {
            throw new TocInvalidException(
                $"the zstd:chunked footer says TOC {offset}:{length}:{uncompressed}:{type}, the annotations {location.Offset}:{location.Length}:{location.UncompressedLength}:1");
        }
    }
}
