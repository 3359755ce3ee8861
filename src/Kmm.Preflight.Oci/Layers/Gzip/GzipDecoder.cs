using System.IO.Compression;
using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>Opens a gzip decompressing stream: ISA-L when available (faster), else .NET's GZipStream (zlib-ng).</summary>
internal static class GzipDecoder
{
    /// <summary>Which decoder <see cref="Open"/> uses in this process: "isa-l" or "zlib".</summary>
    public static string Name => IsalLibrary.IsAvailable ? "isa-l" : "zlib";

    /// <summary>Opens a decoder; <paramref name="recorder"/> gets checkpoints only when ISA-L snapshots work here.</summary>
    public static Stream Open(Stream compressed, bool leaveOpen = false, CheckpointRecorder? recorder = null) =>
        IsalLibrary.IsAvailable
            ? new IsalGzipStream(compressed, leaveOpen, recorder is not null && IsalSnapshots.IsAvailable ? recorder : null)
            : new GZipStream(compressed, CompressionMode.Decompress, leaveOpen);
}
