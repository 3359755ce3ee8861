using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// Where an image comes from: a registry, an OCI layout directory, a <c>docker save</c> archive. Callers never
/// care which.
/// </summary>
public interface IImageSource
{
    /// <summary>The name as the user wrote it, for messages.</summary>
    string Name { get; }

    /// <summary>
    /// Reads the manifest (choosing <paramref name="platform"/> from an index) and the config.
    /// </summary>
    /// <exception cref="ImageNotFoundException">The image, tag or platform does not exist.</exception>
    Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default);
}
