using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Manifests;

/// <summary>A multi-platform image index (OCI index or Docker manifest list).</summary>
public sealed record ImageIndex
{
    /// <summary>The index's media type.</summary>
    public required MediaType MediaType { get; init; }

    /// <summary>The entries, in the order the index lists them.</summary>
    public required IReadOnlyList<Descriptor> Manifests { get; init; }

    /// <summary>The digest of the index bytes.</summary>
    public required Digest Digest { get; init; }

    /// <summary>The first entry whose platform satisfies <paramref name="platform"/>, or null.</summary>
    public Descriptor? Select(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Manifests.FirstOrDefault(m => m.Platform is not null && platform.IsSatisfiedBy(m.Platform));
    }
}
