using System.Buffers;
using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Native memory for a TOC's JSON while it is parsed (megabytes, read once, then dropped). A managed array that size
/// lands on the large-object heap, whose first budget a zstd:chunked TOC alone exceeds: that cost a full garbage
/// collection in every lookup, and the array was zeroed first only to be overwritten.
/// </summary>
internal sealed unsafe class TocJsonBuffer : MemoryManager<byte>
{
    private byte* _bytes;
    private readonly int _length;

    /// <summary>Allocates <paramref name="length"/> bytes, not cleared.</summary>
    public TocJsonBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _bytes = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, length));
    }

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

    /// <summary>Frees the memory; spans taken from it must no longer be used.</summary>
    public void Dispose() => ((IDisposable)this).Dispose();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (_bytes is not null)
        {
            NativeMemory.Free(_bytes);
            _bytes = null;
        }
    }
}
