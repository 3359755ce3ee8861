using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in an OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>).</summary>
public sealed class OciLayoutImageSource : IImageSource
{
    /// <summary>Creates a source for the image tagged <paramref name="tag"/> (annotation <c>org.opencontainers.image.ref.name</c>) in <paramref name="directory"/>; null tag means the only image.</summary>
    public OciLayoutImageSource(string directory, string? tag = null)
    {
        Directory = directory ?? throw new ArgumentNullException(nameof(directory));
        Tag = tag;
    }

    /// <summary>The layout directory.</summary>
    public string Directory { get; }

    /// <summary>The tag, or null.</summary>
    public string? Tag { get; }

    /// <inheritdoc />
    public string Name => Tag is null ? $"oci:{Directory}" : $"oci:{Directory}:{Tag}";

    /// <inheritdoc />
    public Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
