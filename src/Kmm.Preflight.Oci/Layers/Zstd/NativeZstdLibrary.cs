using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.Layers.Zstd;

/// <summary>
/// The reference zstd library (<c>libzstd.so.1</c>, on every Debian/Ubuntu/Fedora system: apt and dpkg use it), found at
/// run time. Its decoder is about 1.7× faster than the managed ZstdSharp port. Only the stable streaming API is used
/// (an opaque context and two small public structs), so any 1.x release works. <c>KMM_PREFLIGHT_ZSTD=managed</c>
/// turns it off.
/// </summary>
internal static unsafe class NativeZstdLibrary
{
    /// <summary>Environment variable choosing the zstd decoder: <c>managed</c> for ZstdSharp only.</summary>
    public const string DecoderVariable = "KMM_PREFLIGHT_ZSTD";

    // ZSTD_d_windowLogMax: frames asking for a window above 2^27 (128 MiB, zstd's own default limit) are refused.
    private const int WindowLogMaxParameter = 100;
    private const int WindowLogMax = 27;

    // ZSTD_d_stableOutBuffer (ZSTD_d_experimentalParam2): output goes straight into the caller's buffer, which must hold
    // the whole frame; zstd checks that, and stays within it.
    private const int StableOutBufferParameter = 1001;

    // The one-shot call has no window limit (the output is the window); decoding into a stable buffer is the same.
    private const int OneShotWindowLogMax = 31;

    private static readonly string[] Exports = ["ZSTD_createDCtx", "ZSTD_freeDCtx", "ZSTD_DCtx_setParameter", "ZSTD_decompressStream", "ZSTD_isError", "ZSTD_getErrorName", "ZSTD_decompressDCtx"];

    private static readonly Lazy<Entry?> Loaded = new(Load);

    /// <summary>Whether libzstd loaded and is not turned off.</summary>
    public static bool IsAvailable => Loaded.Value is not null
        && !string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "managed", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the library loaded (and passed its checks), whatever the environment variable says.</summary>
    public static bool IsLoaded => Loaded.Value is not null;

    /// <summary>Why libzstd is not used, for logs; null when it is.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>Creates a decompression context limited to <see cref="WindowLogMax"/>; zero when out of memory.</summary>
    public static nint CreateContext()
    {
        var entry = Loaded.Value!;
        var context = entry.CreateDCtx();
        if (context != 0 && entry.IsError(entry.SetParameter(context, WindowLogMaxParameter, WindowLogMax)) != 0)
        {
            entry.FreeDCtx(context);
            return 0;
        }

        return context;
    }

    public static void FreeContext(nint context) => Loaded.Value!.FreeDCtx(context);

    /// <summary><c>ZSTD_decompressStream</c>: returns 0 at the end of a frame, else a hint of the input still needed, or an error code.</summary>
    public static nuint Decompress(nint context, ref OutBuffer output, ref InBuffer input)
    {
        fixed (OutBuffer* o = &output)
        fixed (InBuffer* i = &input)
        {
            return Loaded.Value!.DecompressStream(context, o, i);
        }
    }

    /// <summary>
    /// Decompresses every frame of <paramref name="input"/> into <paramref name="output"/> with one
    /// <c>ZSTD_decompressDCtx</c> call: for data already in memory (a zstd:chunked TOC). The stream API would copy
    /// everything through a window buffer as large as the frame asks (32 MiB for skopeo's TOC), which costs more in
    /// page faults than the decoding itself; here the output is the window, so memory is bounded by its size.
    /// </summary>
    /// <returns>The bytes written.</returns>
    /// <exception cref="InvalidDataException">
    /// The input is not zstd, is corrupt, ends inside a frame, or decompresses to more than <paramref name="output"/> holds.
    /// </exception>
    /// <exception cref="InvalidOperationException">No decompression context could be made (out of memory).</exception>
    public static int DecompressAll(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var entry = Loaded.Value!;
        var context = entry.CreateDCtx();
        if (context == 0)
        {
            throw new InvalidOperationException("libzstd could not allocate a decompression context");
        }

        try
        {
            fixed (byte* source = input)
            fixed (byte* destination = output)
            {
                var result = entry.DecompressDCtx(context, destination, (nuint)output.Length, source, (nuint)input.Length);
                return IsError(result) ? throw new InvalidDataException($"zstd: {ErrorName(result)}") : (int)result;
            }
        }
        finally
        {
            entry.FreeDCtx(context);
        }
    }

    /// <summary>
    /// As <see cref="DecompressAll(ReadOnlySpan{byte}, Span{byte})"/>, but reporting as it goes: <paramref name="input"/> is fed to
    /// <c>ZSTD_decompressStream</c> <paramref name="step"/> bytes at a time, and <paramref name="written"/> told how much
    /// output is final after each. The output buffer is declared stable (<c>ZSTD_d_stableOutBuffer</c>), so the frame is
    /// decoded straight into it, as the one-shot call does, with no window buffer.
    /// </summary>
    /// <param name="input">The compressed bytes.</param>
    /// <param name="output">Where they decompress to.</param>
    /// <param name="written">Told how much output is final after each step.</param>
    /// <param name="step">Input bytes a step.</param>
    /// <param name="waitForInput">
    /// When the input is still arriving: called with how many of its first bytes the next step reads, and returns once
    /// they are there (or throws); null when it is all there.
    /// </param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="InvalidDataException">As <see cref="DecompressAll(ReadOnlySpan{byte}, Span{byte})"/>.</exception>
    /// <exception cref="InvalidOperationException">No decompression context could be made (out of memory).</exception>
    public static int DecompressAll(ReadOnlySpan<byte> input, Span<byte> output, Action<int> written, int step, Action<int>? waitForInput = null)
    {
        var entry = Loaded.Value!;
        var context = entry.CreateDCtx();
        if (context == 0)
        {
            throw new InvalidOperationException("libzstd could not allocate a decompression context");
        }

        try
        {
            // A library without the stable output buffer (before 1.4.4) is asked for the whole at once.
            if (entry.IsError(entry.SetParameter(context, StableOutBufferParameter, 1)) != 0
                || entry.IsError(entry.SetParameter(context, WindowLogMaxParameter, OneShotWindowLogMax)) != 0)
            {
                waitForInput?.Invoke(input.Length);
                var all = DecompressAll(input, output);
                written(all);
                return all;
            }

            fixed (byte* source = input)
            fixed (byte* destination = output)
            {
                var outBuffer = new OutBuffer { Destination = (nint)destination, Size = (nuint)output.Length };
                var inBuffer = new InBuffer { Source = (nint)source };
                while (true)
                {
                    var wanted = (int)Math.Min(input.Length, (long)inBuffer.Size + step);
                    waitForInput?.Invoke(wanted);
                    inBuffer.Size = (nuint)wanted;
                    var (inBefore, outBefore) = (inBuffer.Position, outBuffer.Position);
                    var result = entry.DecompressStream(context, &outBuffer, &inBuffer);
                    if (IsError(result))
                    {
                        throw new InvalidDataException($"zstd: {ErrorName(result)}");
                    }

                    if (outBuffer.Position != outBefore)
                    {
                        written((int)outBuffer.Position);
                    }

                    if (inBuffer.Position == (nuint)input.Length && result == 0)
                    {
                        return (int)outBuffer.Position;
                    }

                    if (inBuffer.Size == (nuint)input.Length && inBuffer.Position == inBefore && outBuffer.Position == outBefore)
                    {
                        throw new InvalidDataException(inBuffer.Position == (nuint)input.Length ? "zstd: the input ends inside a frame" : "zstd: the frame does not fit the output");
                    }
                }
            }
        }
        finally
        {
            entry.FreeDCtx(context);
        }
    }

    public static bool IsError(nuint code) => Loaded.Value!.IsError(code) != 0;

    public static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(Loaded.Value!.GetErrorName(code)) ?? $"error {code}";

    private static Entry? Load()
    {
        if (!NativeLibrary.TryLoad("libzstd.so.1", typeof(NativeZstdLibrary).Assembly, null, out var handle)
            && !NativeLibrary.TryLoad("libzstd.1.dylib", typeof(NativeZstdLibrary).Assembly, null, out handle))
        {
            UnavailableReason = "libzstd.so.1 not found";
            return null;
        }

        nint Export(string name) => NativeLibrary.TryGetExport(handle, name, out var address) ? address : 0;
        var version = Export("ZSTD_versionNumber");
        var exports = Exports.Select(Export).ToArray();
        if (version == 0 || exports.Any(e => e == 0))
        {
            UnavailableReason = "libzstd lacks the streaming decompression API";
            return null;
        }

        // ZSTD_DCtx_setParameter is stable from 1.4.0 on.
        if (((delegate* unmanaged<uint>)version)() < 10400)
        {
            UnavailableReason = "libzstd is older than 1.4.0";
            return null;
        }

        return new Entry
        {
            CreateDCtx = (delegate* unmanaged<nint>)exports[0],
            FreeDCtx = (delegate* unmanaged<nint, nuint>)exports[1],
            SetParameter = (delegate* unmanaged<nint, int, int, nuint>)exports[2],
            DecompressStream = (delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint>)exports[3],
            IsError = (delegate* unmanaged<nuint, uint>)exports[4],
            GetErrorName = (delegate* unmanaged<nuint, nint>)exports[5],
            DecompressDCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint>)exports[6],
        };
    }

    /// <summary><c>ZSTD_inBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InBuffer
    {
        public nint Source;
        public nuint Size;
        public nuint Position;
    }

    /// <summary><c>ZSTD_outBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OutBuffer
    {
        public nint Destination;
        public nuint Size;
        public nuint Position;
    }

    private sealed class Entry
    {
        public required delegate* unmanaged<nint> CreateDCtx { get; init; }

        public required delegate* unmanaged<nint, nuint> FreeDCtx { get; init; }

        public required delegate* unmanaged<nint, int, int, nuint> SetParameter { get; init; }

        public required delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint> DecompressStream { get; init; }

        public required delegate* unmanaged<nuint, uint> IsError { get; init; }

        public required delegate* unmanaged<nuint, nint> GetErrorName { get; init; }

        public required delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint> DecompressDCtx { get; init; }
    }
}
