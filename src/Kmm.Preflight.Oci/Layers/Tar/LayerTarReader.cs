using System.Buffers;
using System.Text;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>
/// A forward-only reader of a layer's tar stream (ustar, GNU and PAX). <see cref="GetNextEntryAsync"/> returns the
/// next entry, or null at the end; the previous entry's unread data is skipped by reading it out (the stream need not
/// be seekable). Malformed input throws <see cref="InvalidDataException"/> naming the entry and offset; the
/// <see cref="LayerLimits"/> bound what a hostile layer can make it do.
/// </summary>
internal sealed partial class LayerTarReader : IAsyncDisposable
{
    private const int BufferSize = 128 * 1024;

    private readonly Stream _stream;
    private readonly LayerLimits _limits;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private long _dataRemaining;
    private long _paddingRemaining;
    private LayerTarEntry? _current;
    private long _headers;
    private bool _finished;

    public LayerTarReader(Stream stream, LayerLimits? limits = null)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _limits = limits ?? LayerLimits.Default;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>Offset in the uncompressed stream of the next unread byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Headers read so far (entries plus metadata headers).</summary>
    public long HeadersRead => _headers;

    /// <summary>Whether the end-of-archive marker (or the end of the stream at a header boundary) was reached.</summary>
    public bool Finished => _finished;

    /// <summary>Reads the next entry; null at the end of the archive.</summary>
    /// <exception cref="InvalidDataException">Malformed or truncated tar, or a limit exceeded.</exception>
    public async ValueTask<LayerTarEntry?> GetNextEntryAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return null;
        }

        await SkipAsync(_dataRemaining + _paddingRemaining, cancellationToken).ConfigureAwait(false);
        _dataRemaining = 0;
        _paddingRemaining = 0;
        _current = null;

        string? longName = null;
        string? longLink = null;
        string? paxPath = null;
        string? paxLink = null;
        long? paxSize = null;
        var firstHeaderOffset = Position;
        while (true)
        {
            var headerOffset = Position;
            var available = await FillAsync(TarHeaderFields.BlockSize, cancellationToken).ConfigureAwait(false);
            if (available == 0 && longName is null && longLink is null && paxPath is null && paxLink is null && paxSize is null)
            {
                // Some writers omit the end-of-archive blocks.
                _finished = true;
                return null;
            }

            var where = new TarPosition(_headers, headerOffset);
            if (available < TarHeaderFields.BlockSize)
            {
                throw new InvalidDataException($"{where}: unexpected end of the layer inside a tar header ({available} of {TarHeaderFields.BlockSize} bytes).");
            }

            var block = _buffer.AsSpan(_start, TarHeaderFields.BlockSize);
            if (TarHeader.IsZeroBlock(block))
            {
                _start += TarHeaderFields.BlockSize;
                _finished = true;
                return null;
            }

            if (++_headers > _limits.MaxEntries)
            {
                throw new LayerLimitExceededException($"{where}: the layer has more than {_limits.MaxEntries} tar entries (LayerLimits.MaxEntries).");
            }

            var header = TarHeader.Parse(block, where);
            _start += TarHeaderFields.BlockSize;
            switch (header.TypeFlag)
            {
                case 'x' or 'X':
                {
                    var data = await ReadMetadataAsync(header.Size, where, cancellationToken).ConfigureAwait(false);
                    PaxHeaders.Parse(data, where, ref paxPath, ref paxLink, ref paxSize);
                    continue;
                }

                case 'g':
                {
                    // Global PAX headers carry defaults (mtime, charset…) that the index does not use.
                    await ReadMetadataAsync(header.Size, where, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                case 'L':
                    longName = TarHeader.ReadString(await ReadMetadataAsync(header.Size, where, cancellationToken).ConfigureAwait(false));
                    continue;
                case 'K':
                    longLink = TarHeader.ReadString(await ReadMetadataAsync(header.Size, where, cancellationToken).ConfigureAwait(false));
                    continue;
            }

            var kind = KindOf(header.TypeFlag);
            var name = paxPath ?? longName ?? header.Name;
            if (kind == TarEntryKind.RegularFile && header.TypeFlag == '\0' && name.EndsWith('/'))
            {
                // Pre-POSIX (v7) archives mark directories only by the trailing slash.
                kind = TarEntryKind.Directory;
            }

            var link = paxLink ?? longLink ?? header.LinkName;
            CheckPathLength(name, "name", where);
            CheckPathLength(link, "link target", where);

            // Like Go's archive/tar: links, directories and devices have no data whatever the size field says.
            var size = kind is TarEntryKind.RegularFile or TarEntryKind.Other ? paxSize ?? header.Size : 0;
            if (size < 0)
            {
                throw new InvalidDataException($"{where}: negative size {size}.");
            }

            _current = new LayerTarEntry
            {
                Index = _headers - 1,
                HeaderOffset = firstHeaderOffset,
                Name = name,
                Kind = kind,
                Size = size,
                LinkName = link,
                Mode = header.Mode,
                DataOffset = Position,
            };
            _dataRemaining = size;
            _paddingRemaining = Padding(size);
            return _current;
        }
    }

    /// <summary>Reads data of the current entry; 0 when it has all been read.</summary>
    public async ValueTask<int> ReadDataAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_current is null || _dataRemaining == 0 || destination.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            await FillAsync(1, cancellationToken).ConfigureAwait(false);
            if (_start == _end)
            {
                throw Truncated(_current, _dataRemaining);
            }
        }

        var count = (int)Math.Min(Math.Min(destination.Length, _end - _start), _dataRemaining);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        _dataRemaining -= count;
        return count;
    }

    private static TarEntryKind KindOf(char typeFlag) => typeFlag switch
    {
        '0' or '\0' or '7' => TarEntryKind.RegularFile,
        '1' => TarEntryKind.HardLink,
        '2' => TarEntryKind.SymbolicLink,
        '3' => TarEntryKind.CharacterDevice,
        '4' => TarEntryKind.BlockDevice,
        '5' => TarEntryKind.Directory,
        '6' => TarEntryKind.Fifo,
        _ => TarEntryKind.Other,
    };

    private static long Padding(long size) => (TarHeaderFields.BlockSize - (size % TarHeaderFields.BlockSize)) % TarHeaderFields.BlockSize;

    private void CheckPathLength(string value, string what, TarPosition where)
    {
        if (value.Length > _limits.MaxPathLength)
        {
            throw new LayerLimitExceededException($"{where}: the {what} is {value.Length} characters long, more than {_limits.MaxPathLength} (LayerLimits.MaxPathLength).");
        }
    }

    private async ValueTask<byte[]> ReadMetadataAsync(long size, TarPosition where, CancellationToken cancellationToken)
    {
        if (size > _limits.MaxHeaderBytes)
        {
            throw new LayerLimitExceededException($"{where}: extended header of {size} bytes, more than {_limits.MaxHeaderBytes} (LayerLimits.MaxHeaderBytes).");
        }

        var data = new byte[size];
        var read = 0;
        while (read < size)
        {
            if (_start == _end && await FillAsync(1, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidDataException($"{where}: unexpected end of the layer inside an extended header ({read} of {size} bytes).");
            }

            var count = Math.Min((int)size - read, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(data.AsSpan(read));
            _start += count;
            read += count;
        }

        await SkipAsync(Padding(size), cancellationToken).ConfigureAwait(false);
        return data;
    }

    public ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        return ValueTask.CompletedTask;
    }
}
