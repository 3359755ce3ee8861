using System.IO.Compression;
using Kmm.Preflight.Core.Modules.Xz;
using ZstdSharp;

namespace Kmm.Preflight.Core.Modules;

/// <summary>Compressing modules as the kernel's <c>make modules_install</c> does, without its external tools.</summary>
public static partial class ModuleCompression
{
    // zstd's and gzip's default levels, as modules_install runs the tools.
    private const int ZstdLevel = 3;

    /// <summary>
    /// Compresses <paramref name="module"/> in <paramref name="format"/>, one of the names <see cref="Detect"/> returns:
    /// <c>xz</c> (CRC32 check, LZMA2 with a 1 MiB dictionary, what the kernel's decoder reads), <c>zstd</c> or <c>gzip</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="format"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="format"/> is not <c>xz</c>, <c>zstd</c> or <c>gzip</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static byte[] Compress(ReadOnlySpan<byte> module, string format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(format);
        switch (format)
        {
            case "xz":
                return XzEncoder.Encode(module, cancellationToken);
            case "zstd":
            {
                using var compressor = new Compressor(ZstdLevel);
                return compressor.Wrap(module).ToArray();
            }

            case "gzip":
            {
                using var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gzip.Write(module);
                }

                return output.ToArray();
            }

            default:
                throw new ArgumentException($"unknown module compression '{format}' (xz, zstd or gzip)", nameof(format));
        }
    }
}
