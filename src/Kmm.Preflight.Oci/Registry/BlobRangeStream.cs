using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// The body of a 206 answer to a ranged blob GET: exactly the bytes asked for, or <see cref="EndOfStreamException"/>
/// when the connection ends early. Owns (and disposes) the response.
/// </summary>
internal sealed class BlobRangeStream : ForwardReadStream
{
    private readonly HttpResponseMessage _response;
    private readonly long _length;
    private readonly string _name;
    private long _position;

    public BlobRangeStream(HttpResponseMessage response, Stream body, long length, string name)
        : base(body)
    {
        _response = response;
        _length = length;
        _name = name;
    }

    public override long Length => _length;

    protected override long BytesRead => _position;

    public override int Read(Span<byte> buffer) => Counted(Inner.Read(buffer[..Window(buffer.Length)]), buffer.Length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Counted(await Inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken).ConfigureAwait(false), buffer.Length);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _response.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Window(int requested) => (int)Math.Min(requested, _length - _position);

    private int Counted(int read, int requested)
    {
        if (read == 0 && requested > 0 && _position < _length)
        {
            throw new EndOfStreamException($"{_name}: the registry ended the range after {_position} of {_length} bytes.");
        }

        _position += read;
        return read;
    }
}
