using System.Buffers.Binary;
using System.IO.Compression;
using ZstdSharp;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>Compresses tar bytes the ways layers are stored.</summary>
internal static class LayerCompressor
{
    public static byte[] Gzip(byte[] tar)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return output.ToArray();
    }

    /// <summary>zstd in <paramref name="frames"/> frames, with a skippable frame first and between frames when asked (as zstd:chunked writes).</summary>
    public static byte[] Zstd(byte[] tar, int frames = 1, bool skippableFrames = false)
    {
        using var output = new MemoryStream();
        using var compressor = new Compressor(3);
        var chunk = Math.Max(1, (tar.Length + frames - 1) / frames);
        for (var offset = 0; offset < tar.Length || offset == 0; offset += chunk)
        {
            if (skippableFrames)
            {
                WriteSkippableFrame(output, [1, 2, 3, 4, 5]);
            }

            var length = Math.Min(chunk, tar.Length - offset);
            output.Write(compressor.Wrap(tar.AsSpan(offset, length)));
            if (tar.Length == 0)
            {
                break;
            }
        }

        if (skippableFrames)
        {
            WriteSkippableFrame(output, new byte[64]);
        }

        return output.ToArray();
    }

    private static void WriteSkippableFrame(Stream output, byte[] payload)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x184D2A50);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)payload.Length);
        output.Write(header);
        output.Write(payload);
    }
}
