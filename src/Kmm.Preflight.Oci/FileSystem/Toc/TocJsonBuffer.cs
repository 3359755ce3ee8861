using System.Buffers;
using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Native memory for a TOC's JSON while it is parsed (megabytes, read once, then dropped). A managed array that size
/// lands on the large-object heap, whose first budget a zstd:chunked TOC alone exceeds: that cost a full garbage
/// collection in every lookup, and the array was zeroed first only to be overwritten.
/// </summary>
/// <remarks>
/// The JSON can be read while it is still being written (<see cref="Follow{T}"/>): the decompressor says how far it
/// has got (<see cref="Advance"/>), and the reader waits for bytes beyond that (<see cref="WaitFor"/>). Parsing a
/// kernel's TOC takes longer than decompressing it, so it starts with the first bytes rather than after the last.
/// </remarks>
internal sealed unsafe partial class TocJsonBuffer : MemoryManager<byte>
{
    private byte* _bytes;
    private readonly int _length;
    private int _released;

    private const int PageSize = 4096;

    // madvise(2) advice: fault the pages in writable without touching their contents (Linux 5.14+).
    private const int PopulateWrite = 23;

    /// <summary>Allocates <paramref name="length"/> bytes, not cleared, page-aligned.</summary>
    public TocJsonBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _bytes = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, length), PageSize);
    }

    private bool WorthMapping => OperatingSystem.IsLinux() && _length >= 64 * PageSize;

    // Has the kernel map the buffer's pages, blocking for milliseconds: the decompressor would otherwise take a page
    // fault every 4 KiB of output (1,250 for a kernel's zstd:chunked TOC). The contents are not touched, so writing the
    // buffer meanwhile is safe; where the kernel cannot do it, nothing happens. Run by the follower (see Follow).
    private void MapPages()
    {
        try
        {
            // An error (an older kernel) leaves the pages to be faulted in as they are written, as before.
            _ = Madvise((nint)_bytes, (nuint)_length, PopulateWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [DllImport("libc.so.6", EntryPoint = "madvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_bytes is null, this);
        return new Span<byte>(_bytes, _length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_bytes is null, this);
        return new MemoryHandle(_bytes + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <summary>Frees the memory, once a reader that follows the writing has stopped; spans taken from it must no longer be used.</summary>
    public void Dispose() => ((IDisposable)this).Dispose();

    /// <summary>
    /// As <see cref="Dispose()"/>, on a pool thread: unmapping a kernel's TOC (megabytes of touched pages, and the other
    /// core's TLB flushed) took ~0.7 ms between the parse and the index build. A later <see cref="Dispose()"/> does nothing.
    /// </summary>
    public void DisposeInBackground()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static buffer => buffer.Free(), this, preferLocal: false);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Free();
        }
    }

    private void Free()
    {
        if (_bytes is not null)
        {
            // A reader still waiting for bytes is told none will come; one still reading (or still having the pages
            // mapped) is waited for.
            StopFollower();
            NativeMemory.AlignedFree(_bytes);
            _bytes = null;
        }
    }
}
