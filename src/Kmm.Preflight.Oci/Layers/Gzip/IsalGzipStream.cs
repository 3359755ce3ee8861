using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>
/// A read-only gzip decompressing stream over ISA-L (see <see cref="IsalLibrary"/>): checks each member's CRC-32 and
/// size, decodes concatenated members as one stream (as gzip and GZipStream do), and stops at bytes after a member
/// that do not start another one.
/// </summary>
internal sealed class IsalGzipStream : NativeDecoderStream
{
    private const byte GzipMagic0 = 0x1f;

    private readonly IsalInflateState _state = new();
    private readonly CheckpointRecorder? _recorder;

    /// <summary>A stream from the blob's start; with <paramref name="recorder"/>, it records checkpoints as it goes.</summary>
    public IsalGzipStream(Stream source, bool leaveOpen = false, CheckpointRecorder? recorder = null)
        : base(source, leaveOpen)
    {
        _recorder = recorder;
    }

    private IsalGzipStream(Stream source, bool leaveOpen, DecoderCheckpoint checkpoint)
        : base(source, leaveOpen)
    {
        StartAt(checkpoint.CompressedOffset, checkpoint.UncompressedOffset);
    }

    /// <summary>
    /// A stream resumed at <paramref name="checkpoint"/>: <paramref name="source"/> gives the blob from the checkpoint's
    /// compressed offset, and the stream the tar from its uncompressed offset. Null when its state does not restore.
    /// </summary>
    public static IsalGzipStream? Resume(Stream source, DecoderCheckpoint checkpoint, bool leaveOpen = false)
    {
        var stream = new IsalGzipStream(source, leaveOpen, checkpoint);
        if (checkpoint.State is null || stream._state.Restore(checkpoint.State))
        {
            return stream;
        }

        stream._state.Dispose();
        return null;
    }

    protected override unsafe DecodeStep Decode(ReadOnlySpan<byte> input, bool inputEnded, Span<byte> output, out int consumed, out int produced)
    {
        consumed = 0;
        produced = 0;
        if (_state.MemberFinished)
        {
            // After a member: another member follows, or the stream ends here (bytes that do not begin with the gzip
            // magic are left unread, as zlib's multi-member handling in GZipStream leaves them).
            if (input.IsEmpty)
            {
                return inputEnded ? DecodeStep.End : DecodeStep.Continue;
            }

            if (input[0] != GzipMagic0)
            {
                return DecodeStep.End;
            }

            _state.Reset();
        }

        int result;
        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            result = _state.Inflate(source, input.Length, destination, output.Length, out consumed, out produced);
        }

        if (result < 0)
        {
            throw new InvalidDataException(Describe(result));
        }

        if (_recorder is not null && _recorder.IsDue(UncompressedPosition + produced))
        {
            _recorder.Add(new DecoderCheckpoint(CompressedPosition + consumed, UncompressedPosition + produced, _state.Snapshot()), IsalSnapshots.Format);
        }

        if (produced == 0 && !_state.MemberFinished && inputEnded && consumed == input.Length)
        {
            // An empty blob holds no member: GZipStream reads it as empty too.
            return SawInput
                ? throw new InvalidDataException("The gzip stream ends before the end of its compressed data (truncated).")
                : DecodeStep.End;
        }

        return DecodeStep.Continue;
    }

    protected override void FreeDecoder() => _state.Dispose();

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
}
