namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>One tar entry as read from a layer, names taken from PAX / GNU long-name headers when present.</summary>
internal sealed record LayerTarEntry
{
    /// <summary>0-based index of the entry's header among all headers of the archive.</summary>
    public required long Index { get; init; }

    /// <summary>Offset of the entry's (first) header in the uncompressed stream.</summary>
    public required long HeaderOffset { get; init; }

    /// <summary>The name as stored.</summary>
    public required string Name { get; init; }

    /// <summary>The entry's kind.</summary>
    public required TarEntryKind Kind { get; init; }

    /// <summary>The data size (0 for header-only kinds).</summary>
    public required long Size { get; init; }

    /// <summary>Link target (symlinks, hard links), as stored; empty otherwise.</summary>
    public required string LinkName { get; init; }

    /// <summary>Permission bits.</summary>
    public required int Mode { get; init; }

    /// <summary>Offset of the entry's data in the uncompressed stream.</summary>
    public required long DataOffset { get; init; }
}
