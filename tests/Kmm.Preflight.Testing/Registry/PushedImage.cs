using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>An image or index pushed by <see cref="TestImagePusher"/>.</summary>
/// <param name="Reference">Where it was pushed (tag or digest).</param>
/// <param name="Digest">The manifest's (or index's) digest.</param>
/// <param name="MediaType">The manifest's media type.</param>
/// <param name="Manifest">The manifest bytes.</param>
public sealed record PushedImage(ImageReference Reference, Digest Digest, MediaType MediaType, byte[] Manifest)
{
    /// <summary>The config blob bytes (single-platform images), else empty.</summary>
    public byte[] Config { get; init; } = [];

    /// <summary>The per-platform images of an index, else empty.</summary>
    public IReadOnlyList<PushedImage> Platforms { get; init; } = [];
}
