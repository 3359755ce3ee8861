using System.Buffers;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.References;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Reads one file of a table-of-contents layer: one ranged read of its compressed members or frames, decompressed,
/// and checked against the file digest the (verified) TOC gives.
/// </summary>
internal static class TocFileReader
{
    private const int ScratchSize = 128 * 1024;

    /// <summary>Writes <paramref name="entry"/>'s data to <paramref name="destination"/>; returns the compressed bytes read.</summary>
    /// <exception cref="InvalidDataException">The data does not decompress or does not match its digest (written bytes stay written).</exception>
    /// <exception cref="RangeIgnoredException">The source sent the whole blob instead of the range.</exception>
    public static async Task<long> CopyAsync(IRangeLayer layer, TableOfContents toc, LayerIndexEntry entry, Stream destination, ILogger? logger, CancellationToken cancellationToken)
    {
        var file = toc.FileAt(entry.DataOffset);
        if (file.Size != entry.Size)
        {
            throw new InvalidDataException($"/{entry.Path}: the index says {entry.Size} bytes, the {toc.FormatName} table of contents {file.Size}.");
        }

        if (file.Size == 0)
        {
            return 0;
        }

        var where = $"/{entry.Path} in layer {layer.Descriptor.Digest} (bytes {file.Start}..{file.End} of its {toc.FormatName} blob)";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ScratchSize);
        try
        {
            await using var compressed = await layer.OpenRangeAsync(file.Start, file.End - file.Start, cancellationToken).ConfigureAwait(false)
                ?? throw RangeIgnoredException.For(layer);
            await using var decoded = toc.Format == TocFormat.Estargz ? GzipDecoder.Open(compressed, leaveOpen: true) : ZstdDecoder.Open(compressed, leaveOpen: true);
            await SkipAsync(decoded, file.Skip, buffer, cancellationToken).ConfigureAwait(false);
            var remaining = file.Size;
            while (remaining > 0)
            {
                var read = await decoded.ReadAsync(buffer.AsMemory(0, (int)Math.Min(remaining, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"it decompresses to {file.Size - remaining} bytes, not {file.Size}");
                }

                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new InvalidDataException($"{where} cannot be read: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var actual = Sha256Hash.FromHash(hash.GetHashAndReset());
        if (actual != file.Digest)
        {
            throw new InvalidDataException($"{where} has digest {actual}, not {file.Digest} as its verified table of contents says.");
        }

        var compressedBytes = file.End - file.Start;
        toc.AddBytesRead(compressedBytes);
        logger?.LogDebug("Read {Path} ({Size} bytes) by range: {Bytes} compressed bytes, content digest verified", where, file.Size, compressedBytes);
        return compressedBytes;
    }

    private static async Task SkipAsync(Stream stream, long count, byte[] scratch, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"the member ends before the file's inner offset");
            }

            count -= read;
        }
    }
}
