using Kmm.Preflight.Oci.Layers.Checkpoints;
using ZstdSharp;

namespace Kmm.Preflight.Oci.Layers.Zstd;

/// <summary>Opens a zstd decompressing stream: libzstd when available (faster), else the managed ZstdSharp port.</summary>
internal static class ZstdDecoder
{
    private const int ManagedBufferSize = 128 * 1024;

    /// <summary>Which decoder <see cref="Open"/> uses in this process: "libzstd" or "managed".</summary>
    public static string Name => NativeZstdLibrary.IsAvailable ? "libzstd" : "managed";

    /// <summary>Opens a decoder; <paramref name="recorder"/> gets frame-boundary checkpoints with libzstd only.</summary>
    public static Stream Open(Stream compressed, bool leaveOpen = false, CheckpointRecorder? recorder = null) =>
        NativeZstdLibrary.IsAvailable
            ? new NativeZstdStream(compressed, leaveOpen, recorder)
            : new DecompressionStream(compressed, ManagedBufferSize, checkEndOfStream: true, leaveOpen: leaveOpen);
}
