namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>One entry of a layer's index.</summary>
/// <param name="Path">Normalised path in the layer as written (symlinks not resolved).</param>
/// <param name="Kind">The entry's kind.</param>
/// <param name="Size">Data size of a regular file; 0 otherwise.</param>
/// <param name="LinkTarget">A symlink's target as stored, or a hard link's normalised target path; null otherwise.</param>
/// <param name="Mode">Permission bits.</param>
/// <param name="DataOffset">
/// Offset of a regular file's data in the uncompressed layer; for a hard link, its target's (with the target's
/// <paramref name="Size"/> and content), or <see cref="UnresolvedOffset"/> when the target is not in the layer.
/// </param>
internal sealed record LayerIndexEntry(string Path, LayerEntryKind Kind, long Size, string? LinkTarget, int Mode, long DataOffset)
{
    /// <summary>The <see cref="DataOffset"/> of a hard link whose target is not an earlier file of the same layer.</summary>
    public const long UnresolvedOffset = -1;

    /// <summary>The file's bytes when they were retained while indexing; null otherwise.</summary>
    public byte[]? Content { get; init; }

    /// <summary>SHA-256 of a regular file's data, recorded with the layer's checkpoints; null when not recorded.</summary>
    /// <remarks>Bytes read from the middle of a layer are only returned when they hash to this.</remarks>
    public byte[]? Sha256 { get; init; }
}
