using System.Globalization;
using System.Text;
using Kmm.Preflight.Oci.Layers.Tar;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Writes tar headers: plain ustar whenever the entry fits (what Docker and buildkit write), with a PAX extended
/// header in front only for what ustar cannot hold (long or non-ASCII names, sizes of 8 GiB and more, large ids).
/// Every field is a function of the entry alone (no user/group names, no atime/ctime), so output is reproducible.
/// </summary>
internal static class TarHeaderWriter
{
    public const byte RegularFile = (byte)'0';
    public const byte HardLink = (byte)'1';
    public const byte SymbolicLink = (byte)'2';
    public const byte Directory = (byte)'5';
    private const byte PaxExtended = (byte)'x';

    private const int UidOffset = 108;
    private const int GidOffset = 116;
    private const int MtimeOffset = 136;
    private const int DevMajorOffset = 329;
    private const int DevMinorOffset = 337;

    // The largest values the octal fields hold: 11 digits (size, mtime), 7 digits (mode, uid, gid).
    private const long MaxOctal11 = (1L << 33) - 1;
    private const long MaxOctal7 = (1L << 21) - 1;

    // Readers ignore the name of an extended header; GNU tar's fixed spelling keeps the bytes reproducible.
    private const string PaxHeaderName = "././@PaxHeader";

    /// <summary>Writes the header block(s) of one entry into <paramref name="output"/>; the caller writes the data and padding.</summary>
    public static void Write(Stream output, byte type, string name, string? linkName, long size, int mode, long uid, long gid, long mtime)
    {
        var pax = new List<(string Key, string Value)>();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var (prefix, shortName) = SplitName(nameBytes, name);
        if (shortName is null)
        {
            pax.Add(("path", name));
        }

        var linkBytes = linkName is null ? [] : Encoding.UTF8.GetBytes(linkName);
        if (linkBytes.Length > TarHeaderFields.LinkNameLength || linkName is not null && !IsAscii(linkName))
        {
            pax.Add(("linkpath", linkName!));
            linkBytes = [];
        }

        if (size > MaxOctal11)
        {
            pax.Add(("size", size.ToString(CultureInfo.InvariantCulture)));
        }

        if (uid > MaxOctal7)
        {
            pax.Add(("uid", uid.ToString(CultureInfo.InvariantCulture)));
        }

        if (gid > MaxOctal7)
        {
            pax.Add(("gid", gid.ToString(CultureInfo.InvariantCulture)));
        }

        if (mtime is < 0 or > MaxOctal11)
        {
            pax.Add(("mtime", mtime.ToString(CultureInfo.InvariantCulture)));
        }

        if (pax.Count > 0)
        {
            var records = PaxRecords(pax);
            output.Write(Header(PaxExtended, Encoding.ASCII.GetBytes(PaxHeaderName), [], [], records.Length, 420, 0, 0, 0));
            output.Write(records);
            output.Write(new byte[Padding(records.Length)]);
        }

        var headerName = shortName ?? Truncate(nameBytes, TarHeaderFields.NameLength);
        output.Write(Header(
            type,
            headerName,
            shortName is null ? [] : prefix,
            linkBytes.Length > 0 ? linkBytes : Truncate(linkName is null ? [] : Encoding.UTF8.GetBytes(linkName), TarHeaderFields.LinkNameLength),
            size > MaxOctal11 ? 0 : size,
            mode,
            uid > MaxOctal7 ? 0 : uid,
            gid > MaxOctal7 ? 0 : gid,
            mtime is < 0 or > MaxOctal11 ? 0 : mtime));
    }

    /// <summary>Zero bytes that bring <paramref name="length"/> to a whole number of blocks.</summary>
    public static int Padding(long length) => (int)((TarHeaderFields.BlockSize - length % TarHeaderFields.BlockSize) % TarHeaderFields.BlockSize);

    private static byte[] Header(byte type, byte[] name, byte[] prefix, byte[] linkName, long size, int mode, long uid, long gid, long mtime)
    {
        var header = new byte[TarHeaderFields.BlockSize];
        name.CopyTo(header, TarHeaderFields.NameOffset);
        Octal(header, TarHeaderFields.ModeOffset, TarHeaderFields.ModeLength, mode);
        Octal(header, UidOffset, 8, uid);
        Octal(header, GidOffset, 8, gid);
        Octal(header, TarHeaderFields.SizeOffset, TarHeaderFields.SizeLength, size);
        Octal(header, MtimeOffset, 12, mtime);
        header[TarHeaderFields.TypeFlagOffset] = type;
        linkName.CopyTo(header, TarHeaderFields.LinkNameOffset);
        TarHeaderFields.UstarMagic.CopyTo(header.AsSpan(TarHeaderFields.MagicOffset));
        "00"u8.CopyTo(header.AsSpan(TarHeaderFields.VersionOffset));
        Octal(header, DevMajorOffset, 8, 0);
        Octal(header, DevMinorOffset, 8, 0);
        prefix.CopyTo(header, TarHeaderFields.PrefixOffset);

        // The checksum is summed with its own field as spaces, then written as six octal digits, NUL, space.
        header.AsSpan(TarHeaderFields.ChecksumOffset, TarHeaderFields.ChecksumLength).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0')).CopyTo(header, TarHeaderFields.ChecksumOffset);
        header[TarHeaderFields.ChecksumOffset + 6] = 0;
        header[TarHeaderFields.ChecksumOffset + 7] = (byte)' ';
        return header;
    }

    // ustar holds names up to 100 bytes, or up to 256 split at a '/' into prefix (155) and name (100).
    private static (byte[] Prefix, byte[]? Name) SplitName(byte[] bytes, string name)
    {
        if (!IsAscii(name))
        {
            return ([], null);
        }

        if (bytes.Length <= TarHeaderFields.NameLength)
        {
            return ([], bytes);
        }

        for (var i = Math.Min(bytes.Length - 1, TarHeaderFields.PrefixLength); i > 0; i--)
        {
            if (bytes[i] == (byte)'/' && bytes.Length - i - 1 is > 0 and <= TarHeaderFields.NameLength)
            {
                return (bytes[..i], bytes[(i + 1)..]);
            }
        }

        return ([], null);
    }

    private static byte[] PaxRecords(List<(string Key, string Value)> records)
    {
        using var buffer = new MemoryStream();
        foreach (var (key, value) in records)
        {
            // "%d %s=%s\n", where %d counts the whole record, its own digits included.
            var body = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 3;
            var length = body + 1;
            while (length != body + length.ToString(CultureInfo.InvariantCulture).Length)
            {
                length = body + length.ToString(CultureInfo.InvariantCulture).Length;
            }

            buffer.Write(Encoding.UTF8.GetBytes($"{length} {key}={value}\n"));
        }

        return buffer.ToArray();
    }

    private static void Octal(byte[] header, int offset, int length, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(header, offset);
        header[offset + length - 1] = 0;
    }

    private static byte[] Truncate(byte[] bytes, int length) => bytes.Length <= length ? bytes : bytes[..length];

    private static bool IsAscii(string text) => Ascii.IsValid(text);
}
