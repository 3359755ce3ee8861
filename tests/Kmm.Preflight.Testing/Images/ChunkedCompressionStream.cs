using System.IO.Compression;
using ZstdSharp;

namespace Kmm.Preflight.Testing.Images;

/// <summary>
/// Compresses what is written in independent chunks (one zstd frame or gzip member per chunk), the shape of
/// multi-frame zstd and concatenated gzip that decoders must handle.
/// </summary>
internal sealed class ChunkedCompressionStream : Stream
{
    private readonly Stream _inner;
    private readonly LayerCompression _compression;
    private readonly CompressionLevel _level;
    private readonly byte[] _chunk;
    private int _filled;

    public ChunkedCompressionStream(Stream inner, LayerCompression compression, int chunkSize, CompressionLevel level)
    {
        _inner = inner;
        _compression = compression;
        _level = level;
        _chunk = new byte[chunkSize];
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var n = Math.Min(buffer.Length, _chunk.Length - _filled);
            buffer[..n].CopyTo(_chunk.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == _chunk.Length)
            {
                EmitChunk();
            }
        }
    }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _filled > 0)
        {
            EmitChunk();
        }

        base.Dispose(disposing);
    }

    private void EmitChunk()
    {
        var data = _chunk.AsSpan(0, _filled);
        if (_compression == LayerCompression.Zstd)
        {
            using var compressor = new Compressor(ZstdLevel.From(_level));
            _inner.Write(compressor.Wrap(data));
        }
        else
        {
            using var gzip = new GZipStream(_inner, _level, leaveOpen: true);
            gzip.Write(data);
        }

        _filled = 0;
    }
}
