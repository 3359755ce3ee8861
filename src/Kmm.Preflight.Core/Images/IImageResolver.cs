using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Resolves an image to a handle (manifest, config, lazily opened layers) with the request's credentials and TLS
/// settings, for stages that need the image itself rather than its files: a Build stage loading a base image into a
/// container engine, a Sign stage appending a layer to its input.
/// </summary>
public interface IImageResolver
{
    /// <summary>Resolves <paramref name="request"/> (returns <see cref="ImageRequest.Image"/> when it is set).</summary>
    /// <exception cref="ImageAccessException">The image could not be resolved (not found, unauthorized, unreachable, malformed).</exception>
    Task<ResolvedImage> ResolveAsync(ImageRequest request, CancellationToken cancellationToken = default);
}
