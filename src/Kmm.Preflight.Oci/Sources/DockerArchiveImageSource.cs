using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in a <c>docker save</c> tarball (<c>manifest.json</c>, config and layer files; also OCI-layout-style archives Docker 25+ writes).</summary>
public sealed class DockerArchiveImageSource : IImageSource
{
    /// <summary>Creates a source for the image named <paramref name="reference"/> (a RepoTags entry) in <paramref name="path"/>; null means the only image.</summary>
    public DockerArchiveImageSource(string path, string? reference = null)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Reference = reference;
    }

    /// <summary>The archive file.</summary>
    public string Path { get; }

    /// <summary>The image named in the archive, or null.</summary>
    public string? Reference { get; }

    /// <inheritdoc />
    public string Name => Reference is null ? $"docker-archive:{Path}" : $"docker-archive:{Path}:{Reference}";

    /// <inheritdoc />
    public Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
