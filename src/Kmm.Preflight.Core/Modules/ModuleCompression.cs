using SharpCompress.Compressors.Xz;
using ZstdSharp;
using System.IO.Compression;

namespace Kmm.Preflight.Core.Modules;

/// <summary>Decompresses (and compresses) kernel modules stored as <c>.ko.xz</c>, <c>.ko.zst</c> or <c>.ko.gz</c>, recognised by their magic bytes.</summary>
public static partial class ModuleCompression
{
    /// <summary>The most bytes a decompressed module may have.</summary>
    public const long MaxModuleBytes = 512L * 1024 * 1024;

    /// <summary>The compression of <paramref name="data"/> by its magic bytes: <c>xz</c>, <c>zstd</c>, <c>gzip</c>, or null for none.</summary>
    public static string? Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return "xz";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return "zstd";
        }

        return data.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) ? "gzip" : null;
    }

    /// <summary>The module bytes, decompressed if they are compressed.</summary>
    /// <exception cref="InvalidDataException">The compressed data is corrupt or inflates beyond <see cref="MaxModuleBytes"/>.</exception>
    public static async Task<byte[]> DecompressAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var format = Detect(data);
        if (format is null)
        {
            return data;
        }

        try
        {
            using var input = new MemoryStream(data, writable: false);
            await using Stream decoder = format switch
            {
                "xz" => new XZStream(input),
                "zstd" => new DecompressionStream(input),
                _ => new GZipStream(input, CompressionMode.Decompress),
            };
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await decoder.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (output.Length + read > MaxModuleBytes)
                {
                    throw new InvalidDataException($"the {format} module inflates beyond {MaxModuleBytes} bytes");
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (Exception ex) when (ex is not InvalidDataException and not OperationCanceledException)
        {
            throw new InvalidDataException($"the {format}-compressed module is corrupt: {ex.Message}", ex);
        }
    }
}
