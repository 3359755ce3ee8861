namespace Kmm.Preflight.Oci.Layers;

/// <summary>A read-only view of at most <c>limit</c> bytes of another stream, counting what was read through it.</summary>
internal sealed class CountedRangeStream(Stream inner, long limit) : ForwardReadStream(inner)
{
    private readonly long _limit = limit;
    private long _remaining = limit;

    /// <summary>Bytes read so far.</summary>
    public long Consumed => _limit - _remaining;

    public override long Length => throw new NotSupportedException();

    protected override long BytesRead => Consumed;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        var read = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        var read = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }
}
