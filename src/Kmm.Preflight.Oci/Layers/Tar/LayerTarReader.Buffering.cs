using ZstdSharp;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>The read buffer: refilling, skipping data cheaply, and enforcing the uncompressed size limit.</summary>
internal sealed partial class LayerTarReader
{
    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                // Read straight into the whole buffer: skipping costs one large read per 128 KiB, no copies.
                _bufferOffset += _end;
                _start = 0;
                _end = 0;
                var read = await ReadStreamAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw _current is null
                        ? new InvalidDataException($"Unexpected end of the layer at offset {Position} while skipping {count} bytes.")
                        : Truncated(_current, count);
                }

                _end = read;
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private static InvalidDataException Truncated(LayerTarEntry entry, long missing)
        => new($"Tar entry {entry.Index} '{entry.Name}' at offset {entry.HeaderOffset}: unexpected end of the layer, {missing} bytes of its data (or padding) missing (data starts at offset {entry.DataOffset}, size {entry.Size}).");

    /// <summary>Makes at least <paramref name="count"/> bytes available from <c>_start</c> unless the stream ends; returns how many are.</summary>
    private async ValueTask<int> FillAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(LayerTarReader));
        if (_end - _start >= count)
        {
            return _end - _start;
        }

        if (_start > 0)
        {
            var kept = _end - _start;
            Buffer.BlockCopy(buffer, _start, buffer, 0, kept);
            _bufferOffset += _start;
            _start = 0;
            _end = kept;
        }

        while (_end < count)
        {
            var read = await ReadStreamAsync(buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            _end += read;
        }

        return _end - _start;
    }

    private async ValueTask<int> ReadStreamAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (ZstdException ex)
        {
            throw new InvalidDataException($"The zstd layer data is corrupt near uncompressed offset {_bufferOffset + _end}: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            // The zstd decoder's way of saying the blob ends inside a frame.
            throw new InvalidDataException($"The compressed layer ends inside a compressed frame, near uncompressed offset {_bufferOffset + _end}.", ex);
        }

        if (_bufferOffset + _end + read > _limits.MaxUncompressedBytes)
        {
            throw new LayerLimitExceededException($"The layer is larger than {_limits.MaxUncompressedBytes} bytes uncompressed (LayerLimits.MaxUncompressedBytes).");
        }

        return read;
    }
}
