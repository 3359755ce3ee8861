using System.Text;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>The fields of one 512-byte header block, parsed and checksum-validated.</summary>
internal readonly record struct TarHeader(string Name, char TypeFlag, long Size, string LinkName, int Mode)
{
    /// <summary>Whether the block is all zeros (the end-of-archive marker).</summary>
    public static bool IsZeroBlock(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>Parses a header block.</summary>
    /// <param name="block">The 512 bytes.</param>
    /// <param name="where">Describes the header's position for error messages.</param>
    /// <exception cref="InvalidDataException">Bad checksum or numeric field.</exception>
    public static TarHeader Parse(ReadOnlySpan<byte> block, TarPosition where)
    {
        ValidateChecksum(block, where);
        var typeFlag = (char)block[TarHeaderFields.TypeFlagOffset];
        var size = ParseNumber(block.Slice(TarHeaderFields.SizeOffset, TarHeaderFields.SizeLength), "size", where);
        var mode = (int)(ParseNumber(block.Slice(TarHeaderFields.ModeOffset, TarHeaderFields.ModeLength), "mode", where) & 0xFFFF);
        var name = ReadString(block.Slice(TarHeaderFields.NameOffset, TarHeaderFields.NameLength));
        var magic = block.Slice(TarHeaderFields.MagicOffset, TarHeaderFields.MagicLength);
        if (magic.SequenceEqual(TarHeaderFields.UstarMagic))
        {
            var prefix = ReadString(block.Slice(TarHeaderFields.PrefixOffset, TarHeaderFields.PrefixLength));
            if (prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }
        }

        var linkName = ReadString(block.Slice(TarHeaderFields.LinkNameOffset, TarHeaderFields.LinkNameLength));
        return new TarHeader(name, typeFlag, size, linkName, mode);
    }

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public static string ReadString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static void ValidateChecksum(ReadOnlySpan<byte> block, TarPosition where)
    {
        var field = block.Slice(TarHeaderFields.ChecksumOffset, TarHeaderFields.ChecksumLength);
        long stored;
        try
        {
            stored = ParseNumber(field, "checksum", where);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{where}: not a tar header ({ex.Message}).", ex);
        }

        // The checksum is computed with its own field taken as spaces; old writers summed signed bytes. Every header of
        // a layer is checked, so the sums are vectorised, and the signed one is only computed when the unsigned one fails.
        var unsigned = ByteSum.Unsigned(block) - ByteSum.Unsigned(field) + (8 * ' ');
        if (stored == unsigned)
        {
            return;
        }

        var signed = ByteSum.Signed(block) - ByteSum.Signed(field) + (8 * ' ');
        if (stored != unsigned && stored != signed)
        {
            throw new InvalidDataException($"{where}: header checksum mismatch (stored {stored}, computed {unsigned}); the layer is corrupt or not a tar archive.");
        }
    }

    /// <summary>An octal number, or a GNU base-256 number when the first byte's high bit is set.</summary>
    public static long ParseNumber(ReadOnlySpan<byte> field, string fieldName, TarPosition where)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            if (field[0] == 0xff)
            {
                throw new InvalidDataException($"{where}: negative {fieldName} field.");
            }

            long value = field[0] & 0x7f;
            for (var i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8))
                {
                    throw new InvalidDataException($"{where}: {fieldName} field overflows.");
                }

                value = (value << 8) | field[i];
            }

            return value;
        }

        var index = 0;
        while (index < field.Length && field[index] is (byte)' ' or 0)
        {
            index++;
        }

        long result = 0;
        for (; index < field.Length; index++)
        {
            var b = field[index];
            if (b is (byte)' ' or 0)
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                throw new InvalidDataException($"{where}: invalid octal digit 0x{b:x2} in the {fieldName} field.");
            }

            result = (result << 3) | (uint)(b - '0');
        }

        return result;
    }
}
