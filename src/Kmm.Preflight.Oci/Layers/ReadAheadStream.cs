using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// Reads a source stream ahead on another thread into a bounded queue of rented buffers, so download and digest
/// verification (done by the source) run on one core while the reader inflates and parses on another.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    // Large chunks filled completely before hand-off: each hand-off may wake a thread, which is costly on a busy machine.
    private const int ChunkSize = 1024 * 1024;
    private const int QueuedChunks = 4;

    private readonly Stream _source;
    private readonly Channel<Chunk> _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Chunk _current;
    private int _currentOffset;
    private long _bytesRead;
    private Exception? _error;
    private bool _ended;
    private bool _disposed;

    public ReadAheadStream(Stream source)
    {
        _source = source;
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Bytes handed to the reader so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Whether the source was read to its end (so a verifying source has checked its digest).</summary>
    public bool ReachedEnd => _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TryCopy(buffer, out var copied))
        {
            return copied;
        }

        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return TryCopy(buffer.Span, out var copied) ? new ValueTask<int>(copied) : ReadSlowAsync(buffer, cancellationToken);
    }

    private bool TryCopy(Span<byte> destination, out int copied)
    {
        copied = 0;
        if (destination.IsEmpty)
        {
            return true;
        }

        if (_current.Buffer is null || _currentOffset >= _current.Count)
        {
            if (_current.Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_current.Buffer);
                _current = default;
            }

            if (!_chunks.Reader.TryRead(out _current))
            {
                return false;
            }

            _currentOffset = 0;
        }

        copied = Math.Min(destination.Length, _current.Count - _currentOffset);
        _current.Buffer.AsSpan(_currentOffset, copied).CopyTo(destination);
        _currentOffset += copied;
        Interlocked.Add(ref _bytesRead, copied);
        return true;
    }

    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_error is not null)
                {
                    ExceptionDispatchInfo.Throw(_error);
                }

                return 0;
            }

            if (TryCopy(buffer.Span, out var copied))
            {
                return copied;
            }
        }
    }

    private async Task PumpAsync()
    {
        var token = _stop.Token;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                int read;
                try
                {
                    read = await _source.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, token).ConfigureAwait(false);
                    if (read > 0)
                    {
                        await _chunks.Writer.WriteAsync(new Chunk(buffer, read), token).ConfigureAwait(false);
                    }
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                if (read < ChunkSize)
                {
                    if (read == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    _ended = true;
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            _error = ex;
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        ReturnQueued();
        await _source.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try
            {
                _pump.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }

            ReturnQueued();
            _source.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ReturnQueued()
    {
        if (_current.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_current.Buffer);
            _current = default;
        }

        while (_chunks.Reader.TryRead(out var chunk))
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count);
}
