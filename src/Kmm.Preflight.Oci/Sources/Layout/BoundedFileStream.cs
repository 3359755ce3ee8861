namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>
/// A read-only window <c>[start, start + length)</c> of a file: a blob in a layout directory or a member of a tar
/// archive, served without copying it anywhere. Owns its file handle.
/// </summary>
internal sealed class BoundedFileStream : Stream
{
    private readonly FileStream _file;
    private readonly long _length;
    private long _position;

    private BoundedFileStream(FileStream file, long length)
    {
        _file = file;
        _length = length;
    }

    /// <summary>Opens <paramref name="path"/> positioned at <paramref name="start"/>, limited to <paramref name="length"/> bytes.</summary>
    public static BoundedFileStream Open(string path, long start, long length)
    {
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 1 << 16,
        });
        try
        {
            file.Seek(start, SeekOrigin.Begin);
            return new BoundedFileStream(file, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _file.Read(buffer[..Window(buffer.Length)]);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _file.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Window(int requested) => (int)Math.Min(requested, _length - _position);
}
