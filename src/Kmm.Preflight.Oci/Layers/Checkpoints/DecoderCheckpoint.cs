namespace Kmm.Preflight.Oci.Layers.Checkpoints;

/// <summary>
/// A point where decoding a layer can start again: the blob offset of the next compressed byte to feed, the offset in
/// the uncompressed stream the decoder will produce next, and the decoder state to resume with (null: a fresh decoder,
/// as at a zstd frame boundary).
/// </summary>
/// <param name="CompressedOffset">Offset in the blob of the first byte to feed the resumed decoder.</param>
/// <param name="UncompressedOffset">Offset in the uncompressed tar of the first byte the resumed decoder produces.</param>
/// <param name="State">The decoder state (an ISA-L snapshot, <see cref="Gzip.IsalSnapshots.Format"/>); null for a fresh decoder.</param>
internal sealed record DecoderCheckpoint(long CompressedOffset, long UncompressedOffset, byte[]? State);
