using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>
/// A read-only window <c>[start, start + length)</c> of a file: a blob in a layout directory or a member of a tar
/// archive, served without copying it anywhere. Owns its file handle.
/// </summary>
internal sealed class BoundedFileStream : ForwardReadStream
{
    private readonly long _length;
    private long _position;

    private BoundedFileStream(FileStream file, long length)
        : base(file)
    {
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

    public override long Length => _length;

    protected override long BytesRead => _position;

    public override int Read(Span<byte> buffer)
    {
        var n = Inner.Read(buffer[..Window(buffer.Length)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken);
        _position += n;
        return n;
    }

    private int Window(int requested) => (int)Math.Min(requested, _length - _position);
}
