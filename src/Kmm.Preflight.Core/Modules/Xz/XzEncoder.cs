using System.Buffers.Binary;

namespace Kmm.Preflight.Core.Modules.Xz;

/// <summary>
/// An <c>.xz</c> file of one stream and one block (LZMA2, 1 MiB dictionary, CRC32 check), what the kernel's
/// <c>make modules_install</c> writes with <c>xz --check=crc32 --lzma2=dict=1MiB</c>: the kernel's own xz decoder
/// supports no other check than CRC32 (kmod accepts CRC64 too).
/// </summary>
internal static class XzEncoder
{
    private const byte CheckCrc32 = 0x01;
    private const byte FilterLzma2 = 0x21;
    private const int CheckSize = 4;

    private static ReadOnlySpan<byte> HeaderMagic => [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    private static ReadOnlySpan<byte> FooterMagic => "YZ"u8;

    /// <summary>The xz file of <paramref name="data"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        ReadOnlySpan<byte> streamFlags = [0x00, CheckCrc32];
        output.Write(HeaderMagic);
        output.Write(streamFlags);
        WriteUInt32(output, Crc32.Compute(streamFlags));

        // Block header: size/4 - 1, flags (one filter, no sizes), filter LZMA2 with its dictionary byte, padding, CRC32.
        Span<byte> blockHeader = [0x02, 0x00, FilterLzma2, 0x01, Lzma2Encoder.DictionaryProperty, 0x00, 0x00, 0x00];
        output.Write(blockHeader);
        WriteUInt32(output, Crc32.Compute(blockHeader));
        var blockHeaderSize = blockHeader.Length + 4;

        var compressedAt = output.Position;
        Lzma2Encoder.Encode(data, output, cancellationToken);
        var compressedSize = output.Position - compressedAt;
        WritePadding(output, compressedSize);
        WriteUInt32(output, Crc32.Compute(data));

        var indexAt = output.Position;
        using (var index = new MemoryStream())
        {
            index.WriteByte(0x00);
            WriteVarInt(index, 1);
            WriteVarInt(index, (ulong)(blockHeaderSize + compressedSize + CheckSize));
            WriteVarInt(index, (ulong)data.Length);
            WritePadding(index, index.Length);
            var indexBytes = index.ToArray();
            output.Write(indexBytes);
            WriteUInt32(output, Crc32.Compute(indexBytes));
        }

        var indexSize = output.Position - indexAt;
        Span<byte> footer = stackalloc byte[6];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)(indexSize / 4 - 1));
        streamFlags.CopyTo(footer[4..]);
        WriteUInt32(output, Crc32.Compute(footer));
        output.Write(footer);
        output.Write(FooterMagic);
        return output.ToArray();
    }

    private static void WriteUInt32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WritePadding(Stream output, long length)
    {
        for (var i = length; i % 4 != 0; i++)
        {
            output.WriteByte(0);
        }
    }

    private static void WriteVarInt(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
