using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Manifests;

/// <summary>A single-platform image manifest (OCI or Docker schema 2).</summary>
public sealed record ImageManifest
{
    /// <summary>The manifest's media type.</summary>
    public required MediaType MediaType { get; init; }

    /// <summary>The config blob.</summary>
    public required Descriptor Config { get; init; }

    /// <summary>The layers, bottom (first applied) to top.</summary>
    public required IReadOnlyList<Descriptor> Layers { get; init; }

    /// <summary>Manifest annotations; empty when none.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The digest of the manifest bytes.</summary>
    public required Digest Digest { get; init; }
}
