namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>A non-seekable stream returning at most a few KiB per read, like a socket.</summary>
internal sealed class NetworkLikeStream(ReadOnlyMemory<byte> data, int maxReadSize) : Stream
{
    private ReadOnlyMemory<byte> _remaining = data;

    public bool ReadToEnd { get; private set; }

    public Exception? FailAtEnd { get; init; }

    public TaskCompletionSource? Gate { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, maxReadSize), _remaining.Length);
        _remaining.Span[..count].CopyTo(buffer);
        _remaining = _remaining[count..];
        if (count == 0 && buffer.Length > 0)
        {
            ReadToEnd = true;
            if (FailAtEnd is not null)
            {
                throw FailAtEnd;
            }
        }

        return count;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (Gate is not null)
        {
            await Gate.Task.WaitAsync(cancellationToken);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
