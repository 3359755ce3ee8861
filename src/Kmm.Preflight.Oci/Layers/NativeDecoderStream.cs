namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A read-only decompressing stream over a native decoder: feeds it from the source through a pinned input buffer and
/// lets it write straight into the caller's buffer. Subclasses make one decode call per <see cref="Decode"/>.
/// </summary>
internal abstract class NativeDecoderStream : Stream
{
    private const int InputSize = 128 * 1024;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly byte[] _input = GC.AllocateUninitializedArray<byte>(InputSize, pinned: true);
    private int _inputStart;
    private int _inputEnd;
    private bool _sourceEnded;
    private bool _ended;
    private bool _disposed;

    protected NativeDecoderStream(Stream source, bool leaveOpen)
    {
        _source = source;
        _leaveOpen = leaveOpen;
    }

    /// <summary>What one decode call left to do.</summary>
    protected enum DecodeStep
    {
        /// <summary>Call again (with more input when all was consumed).</summary>
        Continue,

        /// <summary>The compressed stream is complete; anything after it is left unread.</summary>
        End,
    }

    /// <summary>Whether the source gave any byte at all (an empty blob is an empty stream).</summary>
    protected bool SawInput { get; private set; }

    /// <summary>Offset in the blob of the next compressed byte a <see cref="Decode"/> call receives (checkpoints are
    /// taken after a call: this plus what it consumed).</summary>
    protected long CompressedPosition { get; private set; }

    /// <summary>Offset in the uncompressed stream of the next byte a <see cref="Decode"/> call produces.</summary>
    protected long UncompressedPosition { get; private set; }

    /// <summary>Sets where a resumed stream starts, in the blob and in the uncompressed stream.</summary>
    protected void StartAt(long compressedOffset, long uncompressedOffset)
    {
        CompressedPosition = compressedOffset;
        UncompressedPosition = uncompressedOffset;
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

    /// <summary>
    /// One decoder call from <paramref name="input"/> into <paramref name="output"/>. <paramref name="inputEnded"/> says
    /// the source has nothing after <paramref name="input"/>. Throws <see cref="InvalidDataException"/> on corrupt data and
    /// on a stream that ends too early.
    /// </summary>
    protected abstract DecodeStep Decode(ReadOnlySpan<byte> input, bool inputEnded, Span<byte> output, out int consumed, out int produced);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty && !_ended)
        {
            if (_inputStart == _inputEnd && !_sourceEnded)
            {
                Filled(_source.Read(_input, 0, _input.Length));
            }

            if (Step(buffer) is var produced and > 0)
            {
                return produced;
            }
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty && !_ended)
        {
            if (_inputStart == _inputEnd && !_sourceEnded)
            {
                Filled(await _source.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
            }

            if (Step(buffer.Span) is var produced and > 0)
            {
                return produced;
            }
        }

        return 0;
    }

    private void Filled(int count)
    {
        _inputStart = 0;
        _inputEnd = count;
        _sourceEnded = count == 0;
        SawInput |= count > 0;
    }

    private int Step(Span<byte> output)
    {
        var input = _input.AsSpan(_inputStart, _inputEnd - _inputStart);
        var step = Decode(input, _sourceEnded, output, out var consumed, out var produced);
        _inputStart += consumed;
        CompressedPosition += consumed;
        UncompressedPosition += produced;
        if (step == DecodeStep.End)
        {
            _ended = produced == 0;
        }
        else if (consumed == 0 && produced == 0 && !input.IsEmpty)
        {
            // With room for output and input to give, a decoder always moves; if one ever did not, fail rather than spin.
            throw new InvalidDataException("The compressed data could not be decoded: the decoder made no progress.");
        }

        return produced;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Frees the native decoder state.</summary>
    protected abstract void FreeDecoder();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            FreeDecoder();
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
            FreeDecoder();
            if (!_leaveOpen)
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
