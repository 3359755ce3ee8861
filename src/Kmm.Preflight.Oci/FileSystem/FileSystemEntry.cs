using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>One entry of an image's final (merged) filesystem.</summary>
public sealed record FileSystemEntry
{
    /// <summary>Absolute, normalised path in the merged filesystem (<c>/usr/lib/modules/…</c>), symlinks in parent components resolved.</summary>
    public required string Path { get; init; }

    /// <summary>The entry's type.</summary>
    public required EntryType Type { get; init; }

    /// <summary>Size in bytes of a regular file; 0 otherwise.</summary>
    public long Size { get; init; }

    /// <summary>A symlink's target as stored; null for other types.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>Digest of the layer that provides this entry.</summary>
    public required Digest Layer { get; init; }

    /// <summary>Index of that layer in the manifest (0 = bottom).</summary>
    public required int LayerIndex { get; init; }
}
