using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.Layers.Zstd;

/// <summary>
/// A read-only zstd decompressing stream over libzstd (see <see cref="NativeZstdLibrary"/>): frames one after another,
/// skippable frames skipped, window limited to 128 MiB. A stream that ends inside a frame throws
/// <see cref="EndOfStreamException"/>, as ZstdSharp's <c>checkEndOfStream</c> does, so callers handle both alike.
/// </summary>
internal sealed class NativeZstdStream : NativeDecoderStream
{
    private readonly CheckpointRecorder? _recorder;
    private nint _context;
    private nuint _lastResult;

    /// <summary>
    /// A stream over <paramref name="source"/>; with <paramref name="recorder"/>, it records a checkpoint at the first
    /// frame boundary after each interval (a frame starts a fresh decoder, so no state is kept). A single-frame blob
    /// has no boundary inside it, hence no checkpoint.
    /// </summary>
    public NativeZstdStream(Stream source, bool leaveOpen = false, CheckpointRecorder? recorder = null)
        : base(source, leaveOpen)
    {
        _recorder = recorder;
        _context = NativeZstdLibrary.CreateContext();
        if (_context == 0)
        {
            throw new InvalidOperationException("libzstd could not create a decompression context (out of memory).");
        }
    }

    protected override unsafe DecodeStep Decode(ReadOnlySpan<byte> input, bool inputEnded, Span<byte> output, out int consumed, out int produced)
    {
        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            var inBuffer = new NativeZstdLibrary.InBuffer { Source = (nint)source, Size = (nuint)input.Length };
            var outBuffer = new NativeZstdLibrary.OutBuffer { Destination = (nint)destination, Size = (nuint)output.Length };
            var result = NativeZstdLibrary.Decompress(_context, ref outBuffer, ref inBuffer);
            consumed = (int)inBuffer.Position;
            produced = (int)outBuffer.Position;
            if (NativeZstdLibrary.IsError(result))
            {
                var name = NativeZstdLibrary.ErrorName(result);
                throw new InvalidDataException(name.Contains("too much memory", StringComparison.OrdinalIgnoreCase)
                    ? $"The zstd data asks for a decoding window larger than the 128 MiB limit ({name})."
                    : $"The zstd data is corrupt: {name}.");
            }

            // Called again with nothing to do, libzstd answers with the header size of a next frame; only a call that
            // moved data says where the stream stands (0: its frame ended and was flushed).
            if (consumed > 0 || produced > 0)
            {
                _lastResult = result;

                // 0: a frame ended here and all its output is out, so the next byte starts a frame.
                if (result == 0 && _recorder is not null && _recorder.IsDue(UncompressedPosition + produced))
                {
                    _recorder.Add(new DecoderCheckpoint(CompressedPosition + consumed, UncompressedPosition + produced, null));
                }
            }
        }

        if (produced == 0 && inputEnded && consumed == input.Length)
        {
            // 0 means the last frame was complete and flushed; anything else means it was cut short.
            return _lastResult == 0 || !SawInput ? DecodeStep.End : throw new EndOfStreamException("The zstd stream ends inside a frame (truncated).");
        }

        return DecodeStep.Continue;
    }

    protected override void FreeDecoder()
    {
        if (_context != 0)
        {
            NativeZstdLibrary.FreeContext(_context);
            _context = 0;
        }
    }
}
