using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// A single-platform image whose manifest has been read; its config (<see cref="Config"/>) is read when first asked for
/// and its layers are opened on demand.
/// </summary>
public sealed record ResolvedImage
{
    /// <summary>What the user named, for messages (e.g. <c>docker://host/repo:tag</c>, <c>oci:dir:tag</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The index the name pointed to, when it pointed to one.</summary>
    public ImageIndex? Index { get; init; }

    /// <summary>The platform manifest.</summary>
    public required ImageManifest Manifest { get; init; }

    /// <summary>
    /// The config blob: read when first asked for (a request of its own for a registry image, which finding and reading
    /// files does not need), then shared by every copy of this image.
    /// </summary>
    /// <remarks>A registry image's config is read through the client that resolved it: read it before disposing the client.</remarks>
    public required ImageConfigBlob Config { get; init; }

    /// <summary>
    /// The platform of the index entry chosen; null when the name pointed to a manifest, not an index: then the config
    /// says what the image is built for (<see cref="GetPlatformAsync"/>).
    /// </summary>
    public Platform? Platform { get; init; }

    /// <summary>The layers, bottom to top, matching <see cref="ImageManifest.Layers"/>.</summary>
    public required IReadOnlyList<ILayer> Layers { get; init; }

    /// <summary>
    /// The platform manifest's bytes exactly as the source holds them (synthesised for a legacy <c>docker save</c>
    /// archive); <see cref="ImageManifest.Digest"/> is their digest. Pushing the image unchanged sends these bytes.
    /// </summary>
    /// <value>Every source fills it; empty only for an image built by hand without it, which cannot be pushed or appended to.</value>
    public ReadOnlyMemory<byte> RawManifest { get; init; }

    /// <summary>The platform manifest's digest.</summary>
    public Digest Digest => Manifest.Digest;

    /// <summary>
    /// The platform the image is built for: its index entry's, else its config's (read if it was not yet); null when
    /// neither names one.
    /// </summary>
    /// <exception cref="InvalidDataException">The config blob is malformed, too large, or does not match its digest.</exception>
    /// <exception cref="Registry.RegistryException">The registry cannot be reached or refuses access.</exception>
    public async Task<Platform?> GetPlatformAsync(CancellationToken cancellationToken = default)
    {
        if (Platform is { } chosen)
        {
            return chosen;
        }

        var config = await Config.ReadAsync(cancellationToken).ConfigureAwait(false);
        return config.Os is not null && config.Architecture is not null ? Manifests.Platform.Normalise(config.Os, config.Architecture, config.Variant) : null;
    }
}
