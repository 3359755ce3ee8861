using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>
/// Intel ISA-L's inflater (<c>libisal.so.2</c>, Debian package libisal2), found at run time. Its igzip inflate is about
/// 1.5× faster than zlib-ng's, and inflating is the whole cost of scanning a gzip layer. Used only when the library
/// loads and a self-test over a known gzip member passes (so a changed struct layout falls back to zlib, never
/// corrupts memory or output); <c>KMM_PREFLIGHT_GZIP=zlib</c> turns it off.
/// </summary>
internal static unsafe class IsalLibrary
{
    /// <summary>Environment variable choosing the gzip decoder: <c>zlib</c> for .NET's GZipStream only.</summary>
    public const string DecoderVariable = "KMM_PREFLIGHT_GZIP";

    private static readonly Lazy<Entry?> Loaded = new(Load);

    /// <summary>Whether ISA-L is present, passed the self-test and is not turned off.</summary>
    public static bool IsAvailable => Loaded.Value is not null
        && !string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "zlib", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why ISA-L is not used, for logs; null when it is.</summary>
    public static string? UnavailableReason { get; private set; }

    internal static delegate* unmanaged<nint, void> InflateInit => Loaded.Value!.Init;

    internal static delegate* unmanaged<nint, void> InflateReset => Loaded.Value!.Reset;

    internal static delegate* unmanaged<nint, int> Inflate => Loaded.Value!.Inflate;

    private static Entry? Load()
    {
        if (!NativeLibrary.TryLoad("libisal.so.2", typeof(IsalLibrary).Assembly, null, out var handle)
            && !NativeLibrary.TryLoad("libisal.so", typeof(IsalLibrary).Assembly, null, out handle))
        {
            UnavailableReason = "libisal.so.2 not found (Debian/Ubuntu package libisal2)";
            return null;
        }

        if (!NativeLibrary.TryGetExport(handle, "isal_inflate_init", out var init)
            || !NativeLibrary.TryGetExport(handle, "isal_inflate_reset", out var reset)
            || !NativeLibrary.TryGetExport(handle, "isal_inflate", out var inflate))
        {
            UnavailableReason = "libisal lacks isal_inflate_init/isal_inflate_reset/isal_inflate";
            return null;
        }

        var entry = new Entry((delegate* unmanaged<nint, void>)init, (delegate* unmanaged<nint, void>)reset, (delegate* unmanaged<nint, int>)inflate);
        if (!SelfTest(entry))
        {
            UnavailableReason = "libisal's inflate_state layout is not the one this build knows (self-test failed)";
            return null;
        }

        return entry;
    }

    // Inflates a gzip member made by the BCL and checks the output, the end-of-member state and the CRC field: a wrong
    // offset for any field we write or read fails here. Twice, with a reset between, as multi-member streams do.
    private static bool SelfTest(Entry entry)
    {
        var content = new byte[8192];
        for (var i = 0; i < content.Length; i++)
        {
            content[i] = (byte)("kmm-preflight self-test "[i % 24] ^ (i / 97));
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        var member = compressed.ToArray();
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(member.AsSpan(member.Length - 8));
        var state = (nint)NativeMemory.AlignedAlloc(IsalLayout.AllocationSize, 64);
        try
        {
            NativeMemory.Clear((void*)state, IsalLayout.AllocationSize);
            entry.Init(state);
            for (var round = 0; round < 2; round++)
            {
                if (round > 0)
                {
                    entry.Reset(state);
                }

                var output = new byte[content.Length + 64];
                fixed (byte* input = member)
                fixed (byte* outputPointer = output)
                {
                    *(int*)(state + IsalLayout.CrcFlag) = IsalLayout.GzipWrapper;
                    *(byte**)(state + IsalLayout.NextIn) = input;
                    *(uint*)(state + IsalLayout.AvailIn) = (uint)member.Length;
                    *(byte**)(state + IsalLayout.NextOut) = outputPointer;
                    *(uint*)(state + IsalLayout.AvailOut) = (uint)output.Length;
                    var result = entry.Inflate(state);
                    var produced = output.Length - (int)*(uint*)(state + IsalLayout.AvailOut);
                    if (result != 0
                        || produced != content.Length
                        || *(int*)(state + IsalLayout.BlockState) != IsalLayout.BlockFinish
                        || *(uint*)(state + IsalLayout.Crc) != expectedCrc
                        || *(uint*)(state + IsalLayout.AvailIn) != 0
                        || !output.AsSpan(0, produced).SequenceEqual(content))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
        finally
        {
            NativeMemory.AlignedFree((void*)state);
        }
    }

    private sealed class Entry(delegate* unmanaged<nint, void> init, delegate* unmanaged<nint, void> reset, delegate* unmanaged<nint, int> inflate)
    {
        public delegate* unmanaged<nint, void> Init { get; } = init;

        public delegate* unmanaged<nint, void> Reset { get; } = reset;

        public delegate* unmanaged<nint, int> Inflate { get; } = inflate;
    }
}
