using System.Buffers;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>
/// A read-only gzip decompressing stream over ISA-L (see <see cref="IsalLibrary"/>): checks each member's CRC-32 and
/// size, decodes concatenated members as one stream (as gzip and GZipStream do), and stops at bytes after a member
/// that do not start another one.
/// </summary>
internal sealed class IsalGzipStream : Stream
{
    private const int InputSize = 128 * 1024;
    private const byte GzipMagic0 = 0x1f;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly IsalInflateState _state = new();
    private readonly byte[] _input = GC.AllocateUninitializedArray<byte>(InputSize, pinned: true);
    private int _inputStart;
    private int _inputEnd;
    private bool _sourceEnded;
    private bool _sawInput;
    private bool _ended;
    private bool _disposed;

    public IsalGzipStream(Stream source, bool leaveOpen = false)
    {
        _source = source;
        _leaveOpen = leaveOpen;
    }

    public override bool CanRead => !_disposed;

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
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (buffer.IsEmpty || _ended)
            {
                return 0;
            }

            if (_inputStart == _inputEnd && !_sourceEnded)
            {
                Filled(_source.Read(_input, 0, _input.Length));
            }

            if (Step(buffer, out var produced))
            {
                return produced;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (buffer.IsEmpty || _ended)
            {
                return 0;
            }

            if (_inputStart == _inputEnd && !_sourceEnded)
            {
                Filled(await _source.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
            }

            if (Step(buffer.Span, out var produced))
            {
                return produced;
            }
        }
    }

    private void Filled(int count)
    {
        _inputStart = 0;
        _inputEnd = count;
        _sourceEnded = count == 0;
        _sawInput |= count > 0;
    }

    // One inflate call; true when there is something to return (bytes, or the end of the stream).
    private unsafe bool Step(Span<byte> output, out int produced)
    {
        produced = 0;
        if (_state.MemberFinished)
        {
            return !StartNextMember();
        }

        int consumed;
        int result;
        fixed (byte* input = _input)
        fixed (byte* destination = output)
        {
            result = _state.Inflate(input + _inputStart, _inputEnd - _inputStart, destination, output.Length, out consumed, out produced);
        }

        _inputStart += consumed;
        if (result < 0)
        {
            throw new InvalidDataException(Describe(result));
        }

        if (produced > 0)
        {
            return true;
        }

        if (_state.MemberFinished)
        {
            return false;
        }

        if (_sourceEnded && _inputStart == _inputEnd)
        {
            if (!_sawInput)
            {
                // An empty blob holds no member: GZipStream reads it as empty too.
                _ended = true;
                return true;
            }

            throw new InvalidDataException("The gzip stream ends before the end of its compressed data (truncated).");
        }

        // With room for output and input to give, ISA-L always moves; if it ever did not, fail rather than spin.
        if (consumed == 0 && _inputStart < _inputEnd)
        {
            throw new InvalidDataException("The gzip data could not be inflated: the decoder made no progress.");
        }

        return false;
    }

    // After a member: another member follows (decode it), or the stream ends here. Bytes that do not begin with the
    // gzip magic are left unread, as zlib's multi-member handling in GZipStream leaves them.
    private bool StartNextMember()
    {
        if (_inputStart == _inputEnd && !_sourceEnded)
        {
            return true; // the caller refills and steps again
        }

        if (_inputStart == _inputEnd || _input[_inputStart] != GzipMagic0)
        {
            _ended = true;
            return false;
        }

        _state.Reset();
        return true;
    }

    private static string Describe(int result) => result switch
    {
        -1 => "The gzip data is corrupt: invalid deflate block.",
        -2 => "The gzip data is corrupt: invalid deflate symbol.",
        -3 => "The gzip data is corrupt: invalid look-back distance.",
        -4 => "The gzip data is corrupt: invalid gzip header.",
        -5 => "The gzip data uses an unsupported compression method.",
        -6 => "The gzip data is corrupt: CRC-32 or size in the trailer does not match the data.",
        _ => $"The gzip data could not be inflated (ISA-L error {result}).",
    };

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _state.Dispose();
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _state.Dispose();
            if (!_leaveOpen)
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
