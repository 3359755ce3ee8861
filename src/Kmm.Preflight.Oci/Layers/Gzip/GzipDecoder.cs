using System.IO.Compression;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>Opens a gzip decompressing stream: ISA-L when available (faster), else .NET's GZipStream (zlib-ng).</summary>
internal static class GzipDecoder
{
    /// <summary>Which decoder <see cref="Open"/> uses in this process: "isa-l" or "zlib".</summary>
    public static string Name => IsalLibrary.IsAvailable ? "isa-l" : "zlib";

    public static Stream Open(Stream compressed, bool leaveOpen = false) =>
        IsalLibrary.IsAvailable
            ? new IsalGzipStream(compressed, leaveOpen)
            : new GZipStream(compressed, CompressionMode.Decompress, leaveOpen);
}
