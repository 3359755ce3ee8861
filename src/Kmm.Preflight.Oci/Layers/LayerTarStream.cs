using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A layer opened as its uncompressed tar stream: the blob is read ahead on another thread, its compression decided
/// by media type (or magic bytes), and inflated on the reading thread.
/// </summary>
internal sealed class LayerTarStream : IAsyncDisposable
{
    private readonly ReadAheadStream _blob;

    private LayerTarStream(ReadAheadStream blob, Stream tar, LayerCompression compression)
    {
        _blob = blob;
        Tar = tar;
        Compression = compression;
    }

    /// <summary>The uncompressed tar stream.</summary>
    public Stream Tar { get; }

    /// <summary>The compression found.</summary>
    public LayerCompression Compression { get; }

    /// <summary>Compressed bytes consumed so far.</summary>
    public long CompressedBytesRead => _blob.BytesRead;

    /// <summary>Whether the blob was read to its end, so its digest and size were verified by the layer source.</summary>
    public bool Verified => _blob.ReachedEnd;

    /// <summary>Opens <paramref name="layer"/> from its start.</summary>
    /// <exception cref="UnsupportedLayerException">A foreign layer or an unknown media type.</exception>
    public static Task<LayerTarStream> OpenAsync(ILayer layer, CancellationToken cancellationToken = default) => OpenAsync(layer, null, cancellationToken);

    /// <summary>Opens <paramref name="layer"/> from its start, recording decoder checkpoints in <paramref name="recorder"/> when the decoder can.</summary>
    /// <exception cref="UnsupportedLayerException">A foreign layer or an unknown media type.</exception>
    public static async Task<LayerTarStream> OpenAsync(ILayer layer, CheckpointRecorder? recorder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var compression = LayerCompressionDetector.FromDescriptor(layer.Descriptor);
        var source = await layer.OpenAsync(0, cancellationToken).ConfigureAwait(false);
        var blob = new ReadAheadStream(source);
        try
        {
            Stream input = blob;
            if (compression == LayerCompression.Sniff)
            {
                var head = new byte[LayerCompressionDetector.SniffLength];
                var count = await blob.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                compression = LayerCompressionDetector.FromMagic(head.AsSpan(0, count), layer.Descriptor);
                input = new PrefixedStream(head.AsMemory(0, count), blob);
            }

            Stream tar = compression switch
            {
                LayerCompression.Gzip => GzipDecoder.Open(input, recorder: recorder),
                LayerCompression.Zstd => ZstdDecoder.Open(input, recorder: recorder),
                _ => input,
            };
            return new LayerTarStream(blob, tar, compression);
        }
        catch
        {
            await blob.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the uncompressed stream to its end, so the blob's digest is verified.</summary>
    public async Task DrainAsync(byte[] scratch, CancellationToken cancellationToken)
    {
        try
        {
            while (await Tar.ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The compressed layer ends inside a compressed frame, after the end of its tar archive.", ex);
        }
        catch (Exception ex) when (ex is not (InvalidDataException or OperationCanceledException or IOException))
        {
            throw new InvalidDataException($"The compressed layer data is corrupt: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Tar.DisposeAsync().ConfigureAwait(false);
        await _blob.DisposeAsync().ConfigureAwait(false);
    }
}
