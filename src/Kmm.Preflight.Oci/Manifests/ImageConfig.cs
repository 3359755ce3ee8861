namespace Kmm.Preflight.Oci.Manifests;

/// <summary>The parts of an image config blob this library uses.</summary>
public sealed record ImageConfig
{
    /// <summary>Operating system, e.g. <c>linux</c>.</summary>
    public string? Os { get; init; }

    /// <summary>Architecture, e.g. <c>amd64</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary>Variant, e.g. <c>v8</c>.</summary>
    public string? Variant { get; init; }

    /// <summary>Labels from <c>config.Labels</c>; empty when none.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The uncompressed layer digests (<c>rootfs.diff_ids</c>), bottom to top.</summary>
    public IReadOnlyList<string> DiffIds { get; init; } = [];
}
