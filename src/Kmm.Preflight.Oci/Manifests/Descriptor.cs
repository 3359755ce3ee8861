using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Manifests;

/// <summary>An OCI content descriptor: what a manifest says about a blob or another manifest.</summary>
public sealed record Descriptor
{
    /// <summary>The content's media type.</summary>
    public required MediaType MediaType { get; init; }

    /// <summary>The content's digest.</summary>
    public required Digest Digest { get; init; }

    /// <summary>The content's size in bytes, as the manifest states it.</summary>
    public required long Size { get; init; }

    /// <summary>Annotations; empty when none.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>External URLs (foreign layers); empty when none.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>The platform of an index entry; null elsewhere.</summary>
    public Platform? Platform { get; init; }
}
