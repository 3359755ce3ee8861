using System.Buffers;
using System.IO.Compression;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Writes a layer entry by entry: a tar (ustar, PAX only where needed) compressed as it is written, with the blob's
/// digest and the tar's diff ID computed in the same single pass. Output is reproducible: entries in the order
/// added, missing parent directories added before their first child, fixed default owner and time, a gzip header
/// without name or time (<c>gzip -n</c>). The same entries always give the same digest (on the same runtime's zlib).
/// </summary>
/// <remarks>Not thread-safe. Paths are image paths (<c>opt/x</c>, <c>/opt/x</c> and <c>./opt/x</c> are the same entry).</remarks>
/// <example>
/// <code>
/// await using var writer = LayerWriter.CreateInMemory();
/// await writer.AddFileAsync("/opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko", signedBytes);
/// using var layer = await writer.CompleteAsync(cancellationToken);
/// </code>
/// </example>
public sealed partial class LayerWriter : IAsyncDisposable
{
    private const int CopyBufferSize = 128 * 1024;
    private const UnixFileMode PermissionBits = (UnixFileMode)0xFFF;

    private readonly LayerWriterOptions _options;
    private readonly LayerStorage _storage;
    private readonly HashingWriteStream _compressed;
    private readonly Stream _compressor;
    private readonly HashingWriteStream _tar;
    private readonly Dictionary<string, byte> _entries = new(StringComparer.Ordinal);
    private readonly MemoryStream _header = new();
    private readonly List<string> _pendingParents = [];
    private WrittenLayer? _result;
    private bool _faulted;

    private LayerWriter(LayerStorage storage, LayerWriterOptions? options)
    {
        _options = options ?? new LayerWriterOptions();
        _storage = storage;
        _compressed = new HashingWriteStream(storage.CreateDestination(), leaveOpen: true);
        _compressor = _options.Compression switch
        {
            LayerWriterCompression.Gzip => new GZipStream(_compressed, _options.Level, leaveOpen: true),
            LayerWriterCompression.Zstd => new ZstdSharp.CompressionStream(_compressed, ZstdLevel(_options.Level), leaveOpen: true),
            LayerWriterCompression.None => _compressed,
            _ => throw new ArgumentOutOfRangeException(nameof(options), _options.Compression, "unknown compression."),
        };
        _tar = new HashingWriteStream(_compressor, leaveOpen: true);
    }

    /// <summary>A writer that keeps the blob in memory (small layers: a few signed modules).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="LayerWriterOptions.Compression"/> is not a known value.</exception>
    public static LayerWriter CreateInMemory(LayerWriterOptions? options = null) => new(new LayerStorage.Memory(), options);

    /// <summary>A writer that streams the blob to a new temporary file, deleted when the <see cref="WrittenLayer"/> (or an unfinished writer) is disposed.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    public static LayerWriter CreateTemporaryFile(LayerWriterOptions? options = null)
    {
        var directory = options?.TemporaryDirectory ?? Path.GetTempPath();
        var path = Path.Combine(directory, $"kmm-layer-{Guid.NewGuid():N}.tmp");
        return new(new LayerStorage.File(path, temporary: true), options);
    }

    /// <summary>A writer that streams the blob to <paramref name="path"/> (created or overwritten, and kept).</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be created.</exception>
    public static LayerWriter CreateFile(string path, LayerWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(new LayerStorage.File(path, temporary: false), options);
    }

    /// <summary>Finishes the tar and the compression and returns the layer. Nothing can be added afterwards.</summary>
    /// <exception cref="InvalidOperationException">Already completed, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public async Task<WrittenLayer> CompleteAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        try
        {
            // End of archive: two zero blocks.
            await _tar.WriteAsync(new byte[1024], cancellationToken);
            var diffId = _tar.Digest;
            if (!ReferenceEquals(_compressor, _compressed))
            {
                await _compressor.DisposeAsync();
            }

            await _storage.CloseDestinationAsync();
            var mediaType = _options.Compression switch
            {
                LayerWriterCompression.Gzip => MediaType.OciLayerGzip,
                LayerWriterCompression.Zstd => MediaType.OciLayerZstd,
                _ => MediaType.OciLayerTar,
            };
            var descriptor = new Descriptor { MediaType = mediaType, Digest = _compressed.Digest, Size = _compressed.BytesWritten };
            _result = new WrittenLayer(descriptor, diffId, _tar.BytesWritten, _storage);

            // Both leave the destination open: this only releases their hash state.
            await _tar.DisposeAsync();
            await _compressed.DisposeAsync();
            return _result;
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>Abandons an unfinished layer (its temporary file is deleted); a completed layer is left to its owner.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_result is not null)
        {
            return;
        }

        _faulted = true;
        try
        {
            if (!ReferenceEquals(_compressor, _compressed))
            {
                await _compressor.DisposeAsync();
            }
        }
        catch (IOException)
        {
            // The destination already failed; the layer is being thrown away anyway.
        }

        _storage.Dispose();
        _tar.Dispose();
        _compressed.Dispose();
    }

    private static int ZstdLevel(CompressionLevel level) => level switch
    {
        CompressionLevel.Fastest or CompressionLevel.NoCompression => 1,
        CompressionLevel.SmallestSize => 19,
        _ => 3,
    };

    private void EnsureWritable()
    {
        if (_result is not null)
        {
            throw new InvalidOperationException("the layer is complete; nothing more can be added.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException("an earlier write to this layer failed; its output is incomplete. Start a new layer.");
        }
    }

    private static async Task CopyExactlyAsync(Stream source, Stream destination, long length, string path, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            for (var remaining = length; remaining > 0;)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidDataException($"{path}: the content stream ended after {length - remaining} of the {length} bytes stated.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }

            if (await source.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) != 0)
            {
                throw new InvalidDataException($"{path}: the content stream holds more than the {length} bytes stated.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds();

    private static int ModeBits(UnixFileMode? mode, UnixFileMode fallback) => (int)((mode ?? fallback) & PermissionBits);
}
