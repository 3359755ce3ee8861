using System.Buffers.Binary;
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

    private static readonly Lazy<IsalFunctions?> Loaded = new(Load);

    /// <summary>Whether ISA-L is present, passed the self-test and is not turned off.</summary>
    public static bool IsAvailable => Loaded.Value is not null
        && !string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "zlib", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the library loaded (and passed its checks), whatever the environment variable says.</summary>
    public static bool IsLoaded => Loaded.Value is not null;

    /// <summary>Why ISA-L is not used, for logs; null when it is.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>The loaded entry points; only valid when <see cref="IsLoaded"/>.</summary>
    internal static IsalFunctions Functions => Loaded.Value ?? throw new InvalidOperationException($"ISA-L is not usable: {UnavailableReason}");

    private static IsalFunctions? Load()
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

        var functions = new IsalFunctions((delegate* unmanaged<nint, void>)init, (delegate* unmanaged<nint, void>)reset, (delegate* unmanaged<nint, int>)inflate);
        if (!SelfTest(functions))
        {
            UnavailableReason = "libisal's inflate_state layout is not the one this build knows (self-test failed)";
            return null;
        }

        return functions;
    }

    // A gzip member (one dynamic-Huffman block, made by Python's gzip at level 9) of SelfTestContent: a constant, so the
    // check costs no compression at start-up.
    private static ReadOnlySpan<byte> SelfTestMember =>
    [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xed, 0xc8, 0xc5, 0x91, 0x03, 0x31, 0x00, 0x04, 0xc0, 0x54, 0xec, 0x33, 0x73, 0x4a,
        0xd2, 0x6a, 0xc5, 0xcc, 0xe9, 0x5f, 0x1e, 0xaa, 0xe9, 0x67, 0x5b, 0xef, 0x3f, 0xa9, 0x70, 0xe1, 0xb4, 0x54, 0xed, 0x50, 0xb9, 0x13, 0x9f, 0xc6,
        0x6b, 0x3b, 0x58, 0x3c, 0x1e, 0xbf, 0xfc, 0x7b, 0xf9, 0xee, 0x7b, 0xe9, 0x47, 0xe3, 0xdc, 0x3b, 0xd7, 0x5d, 0x7a, 0x25, 0x74, 0x3f, 0x96, 0x1d,
        0x8f, 0xc7, 0xaf, 0xff, 0xc1, 0x72, 0x33, 0xfe, 0xb2, 0x0c, 0xfb, 0x6f, 0xc8, 0x3c, 0xfe, 0x74, 0x8c, 0xbf, 0x92, 0xe4, 0x8e, 0xc7, 0xe3, 0xd7,
        0x7f, 0x15, 0xc2, 0xb7, 0x66, 0xc1, 0xa3, 0xd9, 0xed, 0x3c, 0x25, 0x11, 0xf9, 0x77, 0x8a, 0x34, 0x4f, 0x78, 0x3c, 0x7e, 0xfd, 0x57, 0xdb, 0x23,
        0xd1, 0x99, 0xce, 0x51, 0xeb, 0x47, 0x1b, 0x74, 0x53, 0x9e, 0xb9, 0x74, 0x9e, 0x14, 0x8f, 0xc7, 0xaf, 0xff, 0xda, 0x6d, 0x3e, 0x5f, 0x06, 0xd1,
        0xec, 0x9e, 0xc9, 0xc8, 0x97, 0xa0, 0xd4, 0xbd, 0x4f, 0xc2, 0xf0, 0x78, 0xfc, 0xfa, 0xef, 0xad, 0x7d, 0x8d, 0xc6, 0x88, 0x89, 0x34, 0x94, 0x6b,
        0x67, 0x86, 0xbc, 0x0a, 0xeb, 0xe5, 0x8a, 0xc7, 0xe3, 0xd7, 0x7f, 0x4b, 0x9f, 0x75, 0x6b, 0xf5, 0xe6, 0x8c, 0x79, 0xce, 0xbe, 0x51, 0x1b, 0x48,
        0xac, 0xb7, 0xb6, 0xe1, 0xf1, 0xf8, 0xf5, 0xff, 0x1f, 0x35, 0x63, 0xbe, 0xcc, 0x00, 0x20, 0x00, 0x00,
    ];

    // Inflates SelfTestMember through IsalInflateState, the code the stream uses, and checks the output, the
    // end-of-member state and the CRC field: a wrong offset for any field we write or read fails here. Twice, with a
    // reset between, as multi-member streams do.
    private static bool SelfTest(IsalFunctions functions)
    {
        var content = SelfTestContent();
        var member = SelfTestMember.ToArray();
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(member.AsSpan(member.Length - 8));
        using var state = new IsalInflateState(functions);
        var output = new byte[content.Length + 64];
        for (var round = 0; round < 2; round++)
        {
            if (round > 0)
            {
                state.Reset();
            }

            fixed (byte* input = member)
            fixed (byte* outputPointer = output)
            {
                var result = state.Inflate(input, member.Length, outputPointer, output.Length, out var consumed, out var produced);
                if (result != 0
                    || consumed != member.Length
                    || produced != content.Length
                    || !state.MemberFinished
                    || state.Crc != expectedCrc
                    || !output.AsSpan(0, produced).SequenceEqual(content))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The self-test's gzip member, for the snapshot self-test.</summary>
    internal static byte[] SelfTestMemberBytes() => SelfTestMember.ToArray();

    /// <summary>What the self-test's member inflates to.</summary>
    internal static byte[] SelfTestContentBytes() => SelfTestContent();

    private static byte[] SelfTestContent()
    {
        var content = new byte[8192];
        for (var i = 0; i < content.Length; i++)
        {
            content[i] = (byte)("kmm-preflight self-test "[i % 24] ^ (i / 1024));
        }

        return content;
    }

    /// <summary>The three ISA-L entry points the inflater uses.</summary>
    internal sealed class IsalFunctions(delegate* unmanaged<nint, void> init, delegate* unmanaged<nint, void> reset, delegate* unmanaged<nint, int> inflate)
    {
        public delegate* unmanaged<nint, void> Init { get; } = init;

        public delegate* unmanaged<nint, void> Reset { get; } = reset;

        public delegate* unmanaged<nint, int> Inflate { get; } = inflate;
    }
}
