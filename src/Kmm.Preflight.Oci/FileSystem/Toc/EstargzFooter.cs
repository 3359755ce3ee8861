using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// The eStargz footer: an empty gzip member at the blob's end whose FEXTRA field holds the TOC offset as
/// <c>%016x</c> followed by <c>STARGZ</c>; 51 bytes with the extra subfield <c>SG</c> (length 22), 47 bytes in
/// the legacy form where the extra field is the bare 22 bytes.
/// </summary>
internal static class EstargzFooter
{
    /// <summary>The current footer's size.</summary>
    public const int Size = 51;

    /// <summary>The legacy footer's size.</summary>
    public const int LegacySize = 47;

    private const int PayloadLength = 22;
    private const int FlagExtra = 0x04;
    private static readonly byte[] Magic = "STARGZ"u8.ToArray();

    /// <summary>
    /// Finds the footer at the end of <paramref name="tail"/> (the blob's last <see cref="Size"/> bytes, or all of it
    /// when shorter) and returns the TOC offset and the footer's size.
    /// </summary>
    /// <exception cref="TocInvalidException">Neither footer form is there, or its offset is outside the blob.</exception>
    public static (long TocOffset, int FooterSize) Parse(ReadOnlySpan<byte> tail, long blobSize)
    {
        if (tail.Length >= Size && TryParse(tail[^Size..], subfield: true, out var offset))
        {
            return (Checked(offset, blobSize - Size), Size);
        }

        if (tail.Length >= LegacySize && TryParse(tail[^LegacySize..], subfield: false, out offset))
        {
            return (Checked(offset, blobSize - LegacySize), LegacySize);
        }

        throw new TocInvalidException($"no eStargz footer in the last {tail.Length} bytes of the blob");
    }

    private static long Checked(long offset, long footerStart) => offset >= 0 && offset < footerStart
        ? offset
        : throw new TocInvalidException($"the eStargz footer places the TOC at {offset}, outside the blob's first {footerStart} bytes");

    private static bool TryParse(ReadOnlySpan<byte> footer, bool subfield, out long offset)
    {
        offset = -1;

        // gzip header: ID1 ID2 CM FLG MTIME(4) XFL OS, then XLEN and the extra field.
        if (footer[0] != 0x1f || footer[1] != 0x8b || footer[2] != 8 || (footer[3] & FlagExtra) == 0)
        {
            return false;
        }

        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(footer[10..]);
        var extra = footer[12..];
        if (subfield)
        {
            if (extraLength != PayloadLength + 4 || extra[0] != (byte)'S' || extra[1] != (byte)'G' || BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]) != PayloadLength)
            {
                return false;
            }

            extra = extra[4..];
        }
        else if (extraLength != PayloadLength)
        {
            return false;
        }

        var payload = extra[..PayloadLength];
        if (!payload[16..].SequenceEqual(Magic))
        {
            return false;
        }

        return long.TryParse(Encoding.ASCII.GetString(payload[..16]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out offset);
    }
}
