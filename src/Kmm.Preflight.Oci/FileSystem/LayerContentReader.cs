using System.Buffers;
using Kmm.Preflight.Oci.Layers;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Reads one file's bytes from a layer by streaming it up to the file's data offset.</summary>
internal static class LayerContentReader
{
    private const int ScratchSize = 128 * 1024;

    /// <summary>Reads <paramref name="entry"/>'s data from <paramref name="layer"/>; the rest of the blob is abandoned (not verified).</summary>
    public static async Task<byte[]> ReadAsync(ILayer layer, LayerIndexEntry entry, ILogger? logger, CancellationToken cancellationToken)
    {
        var content = new byte[entry.Size];
        using var destination = new MemoryStream(content, writable: true);
        await CopyAsync(layer, entry, destination, logger, cancellationToken).ConfigureAwait(false);
        return content;
    }

    /// <summary>
    /// Writes <paramref name="entry"/>'s data from <paramref name="layer"/> to <paramref name="destination"/> in
    /// bounded chunks, whatever the file's size; the rest of the blob is abandoned (not verified).
    /// </summary>
    public static async Task CopyAsync(ILayer layer, LayerIndexEntry entry, Stream destination, ILogger? logger, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        try
        {
            if (LayerCompressionDetector.FromDescriptor(descriptor) == LayerCompression.None)
            {
                // Uncompressed: offsets in the blob are offsets in the tar, so jump straight to the data.
                await using var blob = await layer.OpenAsync(entry.DataOffset, cancellationToken).ConfigureAwait(false);
                await CopyExactlyAsync(blob, destination, entry.Size, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await using var tar = await LayerTarStream.OpenAsync(layer, cancellationToken).ConfigureAwait(false);
                await SkipAsync(tar.Tar, entry.DataOffset, cancellationToken).ConfigureAwait(false);
                await CopyExactlyAsync(tar.Tar, destination, entry.Size, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"Layer {descriptor.Digest} ends before the data of /{entry.Path} (offset {entry.DataOffset}, {entry.Size} bytes).", ex);
        }

        logger?.LogDebug(
            "Read /{Path} ({Size} bytes) from layer {Layer} by streaming it to offset {Offset}; the rest of the blob was not read (digest unverified)",
            entry.Path,
            entry.Size,
            descriptor.Digest,
            entry.DataOffset + entry.Size);
    }

    private static async Task CopyExactlyAsync(Stream source, Stream destination, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ScratchSize, Math.Max(count, 1)));
        try
        {
            while (count > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(ScratchSize);
        try
        {
            while (count > 0)
            {
                var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
