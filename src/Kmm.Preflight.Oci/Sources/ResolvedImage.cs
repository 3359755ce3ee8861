using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>A single-platform image whose manifest and config have been read; its layers are opened on demand.</summary>
public sealed record ResolvedImage
{
    /// <summary>What the user named, for messages (e.g. <c>docker://host/repo:tag</c>, <c>oci:dir:tag</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The index the name pointed to, when it pointed to one.</summary>
    public ImageIndex? Index { get; init; }

    /// <summary>The platform manifest.</summary>
    public required ImageManifest Manifest { get; init; }

    /// <summary>The config blob.</summary>
    public required ImageConfig Config { get; init; }

    /// <summary>The platform chosen (from the index entry, else from the config).</summary>
    public required Platform Platform { get; init; }

    /// <summary>The layers, bottom to top, matching <see cref="ImageManifest.Layers"/>.</summary>
    public required IReadOnlyList<ILayer> Layers { get; init; }

    /// <summary>
    /// The platform manifest's bytes exactly as the source holds them (synthesised for a legacy <c>docker save</c>
    /// archive); <see cref="ImageManifest.Digest"/> is their digest. Pushing the image unchanged sends these bytes.
    /// </summary>
    /// <value>Every source fills it; empty only for an image built by hand without it, which cannot be pushed or appended to.</value>
    public ReadOnlyMemory<byte> RawManifest { get; init; }

    /// <summary>
    /// The config blob's bytes exactly as stored (their digest is <see cref="ImageManifest.Config"/>'s), so an image
    /// can be extended without losing config fields this library does not model.
    /// </summary>
    /// <value>Every source fills it; empty only for an image built by hand without it.</value>
    public ReadOnlyMemory<byte> RawConfig { get; init; }

    /// <summary>The platform manifest's digest.</summary>
    public Digest Digest => Manifest.Digest;
}
