using SharpCompress.Compressors.LZMA;

namespace Kmm.Preflight.Core.Modules.Xz;

/// <summary>
/// Raw LZMA2 data (the xz filter 0x21) made from SharpCompress's public LZMA encoder, whose own LZMA2 encoder is
/// internal. Each LZMA2 chunk resets dictionary, state and properties, so it is exactly one independent LZMA stream
/// without end marker (the range coder's flush is what LZMA2 decoders check for); chunk limits are 2 MiB unpacked
/// and 64 KiB packed, and data LZMA cannot shrink goes into uncompressed chunks. Chunks cannot refer back to earlier
/// ones, which costs a little ratio on modules over one chunk; what matters here is a valid stream.
/// </summary>
internal static class Lzma2Encoder
{
    /// <summary>The dictionary size, as the kernel's <c>make modules_install</c> uses (<c>xz --lzma2=dict=1MiB</c>).</summary>
    public const int DictionarySize = 1 << 20;

    /// <summary>The xz LZMA2 filter property byte for <see cref="DictionarySize"/>: 2^(16/2 + 12) bytes.</summary>
    public const byte DictionaryProperty = 16;

    private const int MaxUnpackedChunk = 1 << 21;
    private const int MinChunk = 4096;
    private const int FirstGuess = 192 * 1024;
    private const int MaxPackedChunk = 1 << 16;
    private const int MaxUncompressedChunk = 1 << 16;
    private const byte CompressedResetAll = 0xE0;
    private const byte UncompressedResetDictionary = 0x01;
    private const byte EndOfData = 0x00;

    /// <summary>Writes <paramref name="data"/> as LZMA2 chunks and the end marker to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> data, Stream output, CancellationToken cancellationToken)
    {
        // How much input fills a packed chunk is learnt from the chunk before; a module's code compresses about 4:1.
        var guess = FirstGuess;
        var at = 0;
        while (at < data.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = Math.Min(guess, data.Length - at);
            while (true)
            {
                var (packed, properties) = CompressLzma(data.Slice(at, length));
                if (packed.Length >= length)
                {
                    WriteUncompressed(data.Slice(at, length), output);
                    break;
                }

                if (packed.Length <= MaxPackedChunk)
                {
                    WriteCompressed(length, packed, properties, output);
                    guess = Fill(length, packed.Length);
                    break;
                }

                length = Fill(length, packed.Length);
            }

            at += length;
        }

        output.WriteByte(EndOfData);
    }

    // The input that should pack into one chunk at the ratio just seen, with 10% to spare.
    private static int Fill(int unpacked, int packed) =>
        (int)Math.Clamp(unpacked * 0.9 * MaxPackedChunk / packed, MinChunk, MaxUnpackedChunk);

    private static (byte[] Packed, byte Properties) CompressLzma(ReadOnlySpan<byte> chunk)
    {
        using var packed = new MemoryStream();
        byte properties;
        // No match can reach past the chunk, so a dictionary the chunk's size does the same work with smaller tables.
        var dictionary = (int)Math.Min(DictionarySize, Math.Max(MinChunk, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)chunk.Length)));
        using (var encoder = LzmaStream.Create(new LzmaEncoderProperties(eos: false, dictionary), isLzma2: false, packed))
        {
            encoder.Write(chunk);
            properties = encoder.Properties![0];
        }

        return (packed.ToArray(), properties);
    }

    private static void WriteCompressed(int unpacked, byte[] packed, byte properties, Stream output)
    {
        var u = unpacked - 1;
        var p = packed.Length - 1;
        output.Write([(byte)(CompressedResetAll | (u >> 16)), (byte)(u >> 8), (byte)u, (byte)(p >> 8), (byte)p, properties]);
        output.Write(packed);
    }

    private static void WriteUncompressed(ReadOnlySpan<byte> data, Stream output)
    {
        for (var at = 0; at < data.Length; at += MaxUncompressedChunk)
        {
            var piece = data.Slice(at, Math.Min(MaxUncompressedChunk, data.Length - at));
            var size = piece.Length - 1;
            output.Write([UncompressedResetDictionary, (byte)(size >> 8), (byte)size]);
            output.Write(piece);
        }
    }
}
