using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// What lets a file be read from the middle of a compressed layer: decoder checkpoints recorded during a full,
/// digest-verified read of the blob. Only attached to a <see cref="LayerIndex"/> when that read reached the blob's end
/// and its digest matched, so the offsets and states describe the blob the digest names.
/// </summary>
/// <param name="Compression">The layer's compression as found by the scan (gzip or zstd).</param>
/// <param name="StateFormat">The format of the checkpoints' decoder states (<see cref="Layers.Gzip.IsalSnapshots.Format"/>); null when they carry none.</param>
/// <param name="Checkpoints">The checkpoints, in stream order (strictly increasing offsets).</param>
internal sealed record LayerRandomAccess(LayerCompression Compression, string? StateFormat, IReadOnlyList<DecoderCheckpoint> Checkpoints)
{
    /// <summary>The last checkpoint at or before <paramref name="uncompressedOffset"/>; null when none is (start from the blob's beginning).</summary>
    public DecoderCheckpoint? Before(long uncompressedOffset)
    {
        DecoderCheckpoint? found = null;
        var low = 0;
        var high = Checkpoints.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (Checkpoints[middle].UncompressedOffset <= uncompressedOffset)
            {
                found = Checkpoints[middle];
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    /// <summary>The first checkpoint at or after <paramref name="uncompressedOffset"/>: the decoder has everything it
    /// needs to produce the bytes before it from the blob bytes before its compressed offset. Null when none is.</summary>
    public DecoderCheckpoint? After(long uncompressedOffset)
    {
        DecoderCheckpoint? found = null;
        var low = 0;
        var high = Checkpoints.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (Checkpoints[middle].UncompressedOffset >= uncompressedOffset)
            {
                found = Checkpoints[middle];
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return found;
    }
}
