using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Manifests;

/// <summary>
/// A parsed manifest document: either an image manifest (<see cref="Manifest"/>) or an index (<see cref="Index"/>),
/// with the bytes it was parsed from (a digest is only ever taken of those).
/// </summary>
public sealed record ManifestDocument
{
    /// <summary>The document's media type (declared, else as served, else inferred from its shape).</summary>
    public required MediaType MediaType { get; init; }

    /// <summary>The SHA-256 digest of <see cref="Content"/>.</summary>
    public required Digest Digest { get; init; }

    /// <summary>The bytes as served or stored.</summary>
    public required byte[] Content { get; init; }

    /// <summary>The image manifest, or null when the document is an index.</summary>
    public ImageManifest? Manifest { get; init; }

    /// <summary>The index, or null when the document is an image manifest.</summary>
    public ImageIndex? Index { get; init; }
}
