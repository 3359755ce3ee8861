namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// Base for the read-only, forward-only streams that wrap another stream (a window of a file, a digest check, a
/// replayed prefix): everything but reading is refused, and the wrapped stream is owned and disposed with it.
/// Subclasses only say how to read and how far they are.
/// </summary>
internal abstract class ForwardReadStream : Stream
{
    /// <summary>Wraps <paramref name="inner"/>, which this stream then owns.</summary>
    protected ForwardReadStream(Stream inner)
    {
        Inner = inner;
    }

    /// <summary>The wrapped stream.</summary>
    protected Stream Inner { get; }

    /// <summary>Bytes handed to the caller so far; the stream's <see cref="Position"/>.</summary>
    protected abstract long BytesRead { get; }

    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public sealed override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
