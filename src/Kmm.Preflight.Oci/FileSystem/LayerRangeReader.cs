using System.Buffers;
using System.Net.Http;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Registry;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Reads one file from the middle of a compressed layer: fetches only the compressed bytes between the checkpoint
/// before the file and the first checkpoint after it (one <c>Range</c> request), resumes the decoder there, and
/// returns the file's bytes only when they hash to the SHA-256 recorded during the full, digest-verified scan. Any
/// other outcome (no checkpoints, Range ignored, a decoder error, a digest mismatch) returns null, logged and counted,
/// and the caller streams the layer instead: nothing unverified is ever returned.
/// </summary>
internal static class LayerRangeReader
{
    /// <summary>Largest file read this way (it is held in memory until verified); larger ones are streamed.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private const int ScratchSize = 128 * 1024;

    /// <summary>The file's verified bytes, or null when the caller must stream the layer.</summary>
    public static async Task<byte[]?> TryReadAsync(ILayer layer, LayerIndex index, LayerIndexEntry entry, RandomAccessStatistics? statistics, ILogger? logger, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        if (index.RandomAccess is not { } randomAccess || entry.Sha256 is not { } expected || entry.DataOffset < 0 || entry.Size > MaxFileBytes || descriptor.Size <= 0)
        {
            return null;
        }

        if (randomAccess.Before(entry.DataOffset) is not { } start)
        {
            // No checkpoint before the file (a single zstd frame, or a file in the first interval): decoding must start
            // at the blob's beginning, which is what streaming does.
            logger?.LogDebug("Layer {Layer} has no decoder checkpoint before /{Path} (a single zstd frame, or the file is near the start); it is read by streaming", descriptor.Digest, entry.Path);
            return null;
        }

        if (start.State is not null && (randomAccess.StateFormat != IsalSnapshots.Format || !IsalSnapshots.IsAvailable))
        {
            return FellBack(statistics, logger, entry, descriptor.Digest.ToString(), $"its checkpoints hold {randomAccess.StateFormat} decoder states, which this process cannot resume (ISA-L unavailable or a different version)");
        }

        var end = randomAccess.After(entry.DataOffset + entry.Size)?.CompressedOffset ?? descriptor.Size;
        var length = end - start.CompressedOffset;
        if (length <= 0)
        {
            return FellBack(statistics, logger, entry, descriptor.Digest.ToString(), $"its checkpoints give an empty range ({start.CompressedOffset}-{end})");
        }

        CountedRangeStream? range = null;
        try
        {
            Stream? source = layer is IRangeLayer ranged
                ? await ranged.OpenRangeAsync(start.CompressedOffset, length, cancellationToken).ConfigureAwait(false)
                : await layer.OpenAsync(start.CompressedOffset, cancellationToken).ConfigureAwait(false);
            if (source is null)
            {
                return FellBack(statistics, logger, entry, descriptor.Digest.ToString(), $"the registry did not answer the Range request for bytes {start.CompressedOffset}-{end - 1} with that range");
            }

            range = new CountedRangeStream(source, length);
            var content = await DecodeAsync(range, randomAccess.Compression, start, entry, cancellationToken).ConfigureAwait(false);
            statistics?.Fetched(range.Consumed);
            if (content is null || !SHA256.HashData(content).AsSpan().SequenceEqual(expected))
            {
                return FellBack(statistics, logger, entry, descriptor.Digest.ToString(), content is null
                    ? $"decoding from the checkpoint could not restore the decoder state"
                    : $"the {entry.Size} bytes decoded from the checkpoint do not match the SHA-256 recorded when the layer was scanned");
            }

            statistics?.Verified();
            logger?.LogDebug(
                "Read /{Path} ({Size} bytes) from layer {Layer} with one ranged read of {Fetched} of the blob's {BlobSize} bytes (from offset {Offset}), resumed at a checkpoint; SHA-256 matches the index",
                entry.Path,
                entry.Size,
                descriptor.Digest,
                range.Consumed,
                descriptor.Size,
                start.CompressedOffset);
            return content;
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException or HttpRequestException or RegistryException or ZstdSharp.ZstdException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (range is not null)
            {
                statistics?.Fetched(range.Consumed);
            }

            return FellBack(statistics, logger, entry, descriptor.Digest.ToString(), $"the ranged read failed ({ex.Message})");
        }
        finally
        {
            if (range is not null)
            {
                await range.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<byte[]?> DecodeAsync(Stream compressed, LayerCompression compression, DecoderCheckpoint start, LayerIndexEntry entry, CancellationToken cancellationToken)
    {
        Stream? tar = compression switch
        {
            LayerCompression.Gzip when start.State is not null => IsalGzipStream.Resume(compressed, start, leaveOpen: true),
            LayerCompression.Gzip => GzipDecoder.Open(compressed, leaveOpen: true),
            LayerCompression.Zstd => ZstdDecoder.Open(compressed, leaveOpen: true),
            _ => null,
        };
        if (tar is null)
        {
            return null;
        }

        await using (tar.ConfigureAwait(false))
        {
            await SkipAsync(tar, entry.DataOffset - start.UncompressedOffset, cancellationToken).ConfigureAwait(false);
            var content = new byte[entry.Size];
            await tar.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
            return content;
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
                    throw new EndOfStreamException("The ranged bytes end before the file's data.");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static byte[]? FellBack(RandomAccessStatistics? statistics, ILogger? logger, LayerIndexEntry entry, string layer, string reason)
    {
        statistics?.FellBack(reason);
        logger?.LogDebug("Reading /{Path} from layer {Layer} by streaming the layer instead of a ranged read: {Reason}", entry.Path, layer, reason);
        return null;
    }
}
